package dev.fanout.deploy;

import dev.fanout.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins directory ({@code plugins.dir}) as one class loader: every jar in it, in name
 * order, on a single loader whose parent is fanout's own, so plugin code sees {@code dev.fanout.api},
 * Vert.x and everything else fanout has, and plugins see each other's classes. A directory that
 * does not exist means no plugins: the loader is then fanout's own.
 */
public final class Plugins implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);
  private final ClassLoader loader;
  private final List<Path> jars;

  private Plugins(ClassLoader loader, List<Path> jars) {
    this.loader = loader;
    this.jars = List.copyOf(jars);
  }

  /**
   * Opens {@code dir}, checking each jar can be read as one. Blocks (file I/O): call it off the
   * event loop. Fails with {@link ConfigException} on {@code plugins.dir} naming a jar that cannot.
   */
  public static Plugins open(Path dir) {
    ClassLoader parent = Plugins.class.getClassLoader();
    if (!Files.isDirectory(dir)) {
      LOG.info("plugins: none ({} is not a directory)", dir.toAbsolutePath().normalize());
      return new Plugins(parent, List.of());
    }
    List<Path> jars = jars(dir);
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      check(jar);
      urls.add(url(jar));
    }
    LOG.info("plugins: {} jar(s) from {}{}", jars.size(), dir.toAbsolutePath().normalize(),
        jars.isEmpty() ? "" : ": " + jars.stream().map(p -> p.getFileName().toString()).toList());
    return new Plugins(jars.isEmpty() ? parent : new URLClassLoader("fanout-plugins", urls.toArray(URL[]::new),
        parent), jars);
  }

  private static List<Path> jars(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new ConfigException("plugins.dir", "cannot list " + dir + ": " + e.getMessage());
    }
  }

  /** Opens the jar once: a file that is unreadable, or not a jar, stops start-up here, named. */
  private static void check(Path jar) {
    try (JarFile f = new JarFile(jar.toFile())) {
      f.size();
    } catch (IOException | SecurityException e) {
      throw new ConfigException("plugins.dir", "cannot read plugin jar " + jar + ": " + e.getMessage());
    }
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The loader of plugin classes (fanout's own when there are no jars). */
  public ClassLoader loader() {
    return loader;
  }

  /** The jars loaded, in order. */
  public List<Path> jars() {
    return jars;
  }

  /** Closes the jars; call it once no plugin verticle is deployed. */
  @Override
  public void close() {
    if (loader instanceof URLClassLoader u) {
      try {
        u.close();
      } catch (IOException e) {
        LOG.warn("closing the plugin jars failed: {}", e.getMessage());
      }
    }
  }
}
