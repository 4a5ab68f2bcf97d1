package dev.fanout.config;

import java.util.List;

/**
 * The admin routes and bus addresses ({@code admin.*}): deploying and undeploying verticles at run
 * time.
 *
 * @param enabled whether {@code /v1/admin/*} and {@code fanout.admin.*} exist at all
 * @param deployAllow class names or package prefixes (ending in {@code .}) that may be deployed
 */
public record AdminConfig(boolean enabled, List<String> deployAllow) {

  static AdminConfig read(ConfigReader r) {
    return new AdminConfig(r.bool("admin.enabled"), List.copyOf(r.stringList("admin.deployAllow")));
  }
}
