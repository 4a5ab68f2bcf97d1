package dev.fanout.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Test support: a plugin jar built during the test, from Java sources compiled against fanout's
 * class path (as a plugin author's build would), so the plugins directory is exercised with a
 * jar fanout's own class path does not hold.
 */
public final class PluginJar {
  private PluginJar() {}

  /** Fanout's class path as the test JVM has it (surefire's, not its booter jar's). */
  public static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * Compiles {@code sources} (class name → source) in {@code work} and jars the classes as
   * {@code jar}; returns {@code jar}.
   */
  public static Path build(Path work, Path jar, Map<String, String> sources) throws IOException {
    Path src = Files.createDirectories(work.resolve("src"));
    Path classes = Files.createDirectories(work.resolve("classes"));
    List<String> options = List.of("--release", "17", "-d", classes.toString(), "-cp", classPath());
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      files.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean compiled = javac.getTask(errors, null, null, options, null,
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjectsFromStrings(files)).call();
    if (!compiled) {
      throw new IllegalStateException("the plugin sources do not compile:\n" + errors);
    }
    Files.createDirectories(jar.getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
    return jar;
  }

  /**
   * A verticle that registers job kind {@code config.kind} (default {@code plugin-echo}) with
   * {@code Fanout.registerHandler} and completes each job with {@code {"echo": payload, "by": its class}}.
   */
  public static String echoHandler(String className) {
    int dot = className.lastIndexOf('.');
    return """
        package %s;

        import dev.fanout.api.Fanout;
        import dev.fanout.api.JobOptions;
        import dev.fanout.api.JobReply;
        import dev.fanout.api.Registration;
        import io.vertx.core.Future;
        import io.vertx.core.VerticleBase;
        import io.vertx.core.json.JsonObject;

        public class %s extends VerticleBase {
          private Registration registration;

          @Override
          public Future<?> start() {
            return Fanout.registerHandler(vertx, config().getString("kind", "plugin-echo"), JobOptions.defaults(),
                job -> Future.succeededFuture(JobReply.complete(new JsonObject()
                    .put("echo", job.payload()).put("by", getClass().getName()))))
                .onSuccess(r -> registration = r);
          }

          @Override
          public Future<?> stop() {
            return registration == null ? Future.succeededFuture() : registration.unregister();
          }
        }
        """.formatted(className.substring(0, dot), className.substring(dot + 1));
  }

  /**
   * A verticle that answers {@code "pong"} on the bus at {@code config.address}; with
   * {@code config.failAfter} N, every instance after the first N started fails to start.
   */
  public static String ping(String className) {
    int dot = className.lastIndexOf('.');
    return """
        package %s;

        import io.vertx.core.Future;
        import io.vertx.core.VerticleBase;
        import java.util.concurrent.atomic.AtomicInteger;

        public class %s extends VerticleBase {
          private static final AtomicInteger STARTED = new AtomicInteger();

          @Override
          public Future<?> start() {
            if (STARTED.incrementAndGet() > config().getInteger("failAfter", Integer.MAX_VALUE)) {
              return Future.failedFuture("instance " + STARTED.get() + " refuses to start");
            }
            return vertx.eventBus().consumer(config().getString("address"), m -> m.reply("pong")).completion();
          }
        }
        """.formatted(className.substring(0, dot), className.substring(dot + 1));
  }

  /**
   * A verticle whose {@code stop()} publishes on {@code plug.stopped} the deployment ids that
   * still exist as it stops (to see what the graceful stop has undeployed before it).
   */
  public static String stopProbe(String className) {
    int dot = className.lastIndexOf('.');
    return """
        package %s;

        import io.vertx.core.Future;
        import io.vertx.core.VerticleBase;
        import io.vertx.core.json.JsonArray;
        import java.util.ArrayList;

        public class %s extends VerticleBase {
          @Override
          public Future<?> stop() {
            vertx.eventBus().publish("plug.stopped", new JsonArray(new ArrayList<>(vertx.deploymentIDs())));
            return Future.succeededFuture();
          }
        }
        """.formatted(className.substring(0, dot), className.substring(dot + 1));
  }
}
