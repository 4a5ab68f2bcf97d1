package dev.fanout.testing;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes the Vert.x of every {@link Service} a test started once the test is over (one started in
 * {@code @BeforeAll}: once its class is over). Registered for every test class
 * (src/test/resources: {@code junit.jupiter.extensions.autodetection.enabled}).
 *
 * <p>Why: vertx-junit5 does not close a {@code Vertx} it injects into a test method that takes no
 * {@code VertxTestContext} (measured: {@code closeFuture().isClosed()} false after the class), so
 * each such service ran on for the rest of the test JVM, claiming, probing and listening on about
 * seven connections, and a suite of a hundred and more service starts ran into the test server's
 * {@code max_connections}.
 */
public final class ServiceCleanup implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private static final List<Vertx> CLASS = new ArrayList<>();
  private static final List<Vertx> METHOD = new ArrayList<>();
  private static boolean inMethod;

  /** Notes that {@code vertx} runs a service to close when the current test (or class) is over. */
  static synchronized void started(Vertx vertx) {
    List<Vertx> scope = inMethod ? METHOD : CLASS;
    if (!scope.contains(vertx)) {
      scope.add(vertx);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (ServiceCleanup.class) {
      inMethod = true;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close(METHOD);
    synchronized (ServiceCleanup.class) {
      inMethod = false;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close(CLASS);
  }

  private static void close(List<Vertx> scope) throws Exception {
    List<Vertx> all;
    synchronized (ServiceCleanup.class) {
      all = List.copyOf(scope);
      scope.clear();
    }
    for (Vertx vertx : all) {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
