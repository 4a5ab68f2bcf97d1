package dev.fanout.config;

import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;
import javax.lang.model.SourceVersion;

/**
 * One user verticle to deploy: an entry of the {@code deploy} list, a {@code serve --deploy}
 * argument, or the body of {@code POST /v1/admin/verticles}.
 *
 * @param className the verticle's fully qualified class name (a {@code Deployable}: a
 *     {@code VerticleBase} or a {@code Verticle})
 * @param instances how many instances (1 to {@link #MAX_INSTANCES})
 * @param config the verticle's own {@code config()} object
 * @param threadingModel where it runs: event loop (the default), worker or virtual thread
 */
public record DeploySpec(String className, int instances, JsonObject config, ThreadingModel threadingModel) {
  /** The most instances of one verticle. */
  public static final int MAX_INSTANCES = 1024;
  private static final Set<String> FIELDS = Set.of("class", "instances", "config", "threadingModel");
  private static final Set<ThreadingModel> MODELS =
      Set.of(ThreadingModel.EVENT_LOOP, ThreadingModel.WORKER, ThreadingModel.VIRTUAL_THREAD);

  /** The spec as JSON, as {@code GET /v1/admin/verticles} and the {@code deploy} list show it. */
  public JsonObject toJson() {
    return new JsonObject().put("class", className).put("instances", instances).put("config", config.copy())
        .put("threadingModel", threadingModel.name());
  }

  /**
   * Reads an entry: an object {@code {"class", "instances"?, "config"?, "threadingModel"?}} or a
   * string {@code CLASS[:INSTANCES]}. Fails with {@code bad.apply(field, problem)}, the field
   * being {@code at} plus the member ({@code deploy[1].instances}; just {@code instances} when
   * {@code at} is empty).
   *
   * @param defaultInstances the instances of an entry that gives none
   */
  public static DeploySpec read(Object entry, String at, int defaultInstances,
      BiFunction<String, String, RuntimeException> bad) {
    if (entry instanceof String s) {
      return parse(s, at, defaultInstances, bad);
    }
    if (!(entry instanceof JsonObject o)) {
      throw bad.apply(at.isEmpty() ? "body" : at, "must be an object {\"class\", ...} or \"CLASS[:INSTANCES]\"");
    }
    for (String name : o.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw bad.apply(field(at, name), "unknown field (expected one of " + FIELDS + ")");
      }
    }
    String cls = className(o.getValue("class"), field(at, "class"), bad);
    int n = instances(o.getValue("instances", defaultInstances), field(at, "instances"), bad);
    Object cfg = o.getValue("config", new JsonObject());
    if (!(cfg instanceof JsonObject c)) {
      throw bad.apply(field(at, "config"), "must be a JSON object");
    }
    return new DeploySpec(cls, n, c.copy(), model(o.getValue("threadingModel", "EVENT_LOOP"),
        field(at, "threadingModel"), bad));
  }

  /** {@code CLASS[:INSTANCES]}, as {@code --deploy} and {@code FANOUT_DEPLOY} give it. */
  public static DeploySpec parse(String arg, String at, int defaultInstances,
      BiFunction<String, String, RuntimeException> bad) {
    String s = arg.trim();
    int colon = s.lastIndexOf(':');
    int n = defaultInstances;
    if (colon >= 0) {
      try {
        n = Integer.parseInt(s.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        throw bad.apply(at.isEmpty() ? "instances" : at, "instances after ':' must be a whole number (got \"" + arg
            + "\")");
      }
      s = s.substring(0, colon).trim();
    }
    return new DeploySpec(className(s, at.isEmpty() ? "class" : at, bad),
        instances(n, at.isEmpty() ? "instances" : at, bad), new JsonObject(), ThreadingModel.EVENT_LOOP);
  }

  private static String field(String at, String name) {
    return at.isEmpty() ? name : at + "." + name;
  }

  private static String className(Object v, String field, BiFunction<String, String, RuntimeException> bad) {
    // a plain Java name only: no "factory:" prefix, no path
    if (!(v instanceof String s) || !SourceVersion.isName(s)) {
      throw bad.apply(field, "must be a fully qualified Java class name (got " + quoted(v) + ")");
    }
    return s;
  }

  private static int instances(Object v, String field, BiFunction<String, String, RuntimeException> bad) {
    if (v instanceof Integer i && i >= 1 && i <= MAX_INSTANCES) {
      return i;
    }
    throw bad.apply(field, "must be a whole number from 1 to " + MAX_INSTANCES + " (got " + quoted(v) + ")");
  }

  private static ThreadingModel model(Object v, String field, BiFunction<String, String, RuntimeException> bad) {
    if (v instanceof String s) {
      for (ThreadingModel m : MODELS) {
        if (m.name().equals(s.toUpperCase(Locale.ROOT))) {
          return m;
        }
      }
    }
    throw bad.apply(field, "must be one of EVENT_LOOP, WORKER, VIRTUAL_THREAD (got " + quoted(v) + ")");
  }

  private static String quoted(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
