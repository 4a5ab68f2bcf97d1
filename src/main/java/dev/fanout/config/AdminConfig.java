package dev.fanout.config;

import java.util.List;
import javax.lang.model.SourceVersion;

/**
 * The admin routes and bus addresses ({@code admin.*}): deploying and undeploying verticles at run
 * time.
 *
 * @param enabled whether {@code /v1/admin/*} and {@code fanout.admin.*} exist at all
 * @param deployAllow class names or package prefixes (ending in {@code .}) that may be deployed
 */
public record AdminConfig(boolean enabled, List<String> deployAllow) {

  /** Whether {@code className} is one of {@link #deployAllow}, or in a package prefix of it. */
  public boolean allows(String className) {
    for (String a : deployAllow) {
      if (a.endsWith(".") ? className.startsWith(a) : className.equals(a)) {
        return true;
      }
    }
    return false;
  }

  static AdminConfig read(ConfigReader r) {
    List<String> allow = r.stringList("admin.deployAllow");
    for (String a : allow) {
      String name = a.endsWith(".") ? a.substring(0, a.length() - 1) : a;
      if (!SourceVersion.isName(name)) {
        throw new ConfigException("admin.deployAllow", "\"" + a + "\" is neither a class name nor a package "
            + "prefix ending in '.' (such as com.example.)");
      }
    }
    return new AdminConfig(r.bool("admin.enabled"), List.copyOf(allow));
  }
}
