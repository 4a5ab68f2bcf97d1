package dev.fanout.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test support: one headless Debian Chromium ({@code /usr/bin/chromium}, with a fresh profile
 * under {@code target/}) and one page in it, driven over the DevTools protocol ({@link DevTools}).
 * Page helpers type, click, wait for the DOM (a bounded wait inside the page) and take screenshots.
 * The flags keep it off the network but for the pages it is sent to.
 */
public final class Chromium implements AutoCloseable {
  /** Where Debian's package puts it. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final long COMMAND_MS = 15_000;

  private final Process process;
  private final Path profile;
  private final DevTools devTools;
  private final String session;
  private final List<String> pageErrors = new CopyOnWriteArrayList<>();

  private Chromium(Process process, Path profile, DevTools devTools, String session) {
    this.process = process;
    this.profile = profile;
    this.devTools = devTools;
    this.session = session;
  }

  /** Starts Chromium with a page of {@code width} x {@code height} CSS pixels showing about:blank. */
  public static Chromium start(Vertx vertx, int width, int height) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(BINARY + " is missing: install Debian's chromium and chromium-driver "
          + "(apt-get install -y chromium chromium-driver; ./run.sh test does it when it may)");
    }
    Path profile = Files.createDirectories(Path.of("target")).resolve("chromium-" + System.nanoTime()).toAbsolutePath();
    Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectErrorStream(true).redirectOutput(Files.createDirectories(profile).resolve("chromium.log").toFile())
        .start();
    Path portFile = profile.resolve("DevToolsActivePort");
    try {
      Conditions.until(vertx, () -> !process.isAlive() || lines(portFile).size() >= 2, 20_000)
          .toCompletionStage().toCompletableFuture().get(25, TimeUnit.SECONDS);
      if (!process.isAlive()) {
        throw new AssertionError("chromium exited (" + process.exitValue() + "): " + profile.resolve("chromium.log"));
      }
      List<String> port = lines(portFile); // the port, then the browser's path
      DevTools devTools = DevTools.connect(URI.create("ws://127.0.0.1:" + port.get(0) + port.get(1)));
      String target = devTools.send(null, "Target.createTarget", new JsonObject().put("url", "about:blank"), COMMAND_MS)
          .getString("targetId");
      String session = devTools.send(null, "Target.attachToTarget",
          new JsonObject().put("targetId", target).put("flatten", true), COMMAND_MS).getString("sessionId");
      Chromium chromium = new Chromium(process, profile, devTools, session);
      chromium.open(width, height);
      return chromium;
    } catch (Exception | AssertionError e) {
      destroy(process);
      throw e;
    }
  }

  private void open(int width, int height) {
    devTools.onEvent(e -> {
      JsonObject params = e.getJsonObject("params");
      if ("Runtime.exceptionThrown".equals(e.getString("method"))) {
        pageErrors.add(params.getJsonObject("exceptionDetails").encode());
      } else if ("Log.entryAdded".equals(e.getString("method"))
          && Set.of("security", "javascript").contains(params.getJsonObject("entry").getString("source"))) {
        pageErrors.add(params.getJsonObject("entry").encode()); // a Content-Security-Policy violation, say
      }
    });
    command("Page.enable", new JsonObject());
    command("Runtime.enable", new JsonObject());
    command("Log.enable", new JsonObject());
    resize(width, height);
  }

  /** Loads {@code url} and waits for its load event. */
  public void navigate(String url) {
    var loaded = devTools.next("Page.loadEventFired");
    command("Page.navigate", new JsonObject().put("url", url));
    loaded.orTimeout(COMMAND_MS, TimeUnit.MILLISECONDS).join();
  }

  /** The value of a JavaScript expression (awaited when it is a promise). */
  public Object eval(String expression) {
    return eval(expression, COMMAND_MS);
  }

  private Object eval(String expression, long timeoutMs) {
    JsonObject r = devTools.send(session, "Runtime.evaluate", new JsonObject().put("expression", expression)
        .put("awaitPromise", true).put("returnByValue", true), timeoutMs);
    if (r.containsKey("exceptionDetails")) {
      throw new AssertionError("in the page: " + r.getJsonObject("exceptionDetails").encode()
          + "; uncaught in the page: " + pageErrors);
    }
    return r.getJsonObject("result").getValue("value");
  }

  /**
   * Waits until the expression is truthy in the page, at most {@code timeoutMs} (it is evaluated
   * every 50 ms there); its value. Fails naming the expression.
   */
  public Object waitFor(String expression, long timeoutMs) {
    String poll = "new Promise((resolve, reject) => { const end = Date.now() + " + timeoutMs + ";"
        + " const check = () => { let v = null; try { v = (" + expression + "); } catch (e) { v = null; }"
        + " if (v) resolve(v); else if (Date.now() > end) reject(new Error('not in time: ' + "
        + Json.encode(expression) + ")); else setTimeout(check, 50); }; check(); })";
    try {
      return eval(poll, timeoutMs + COMMAND_MS);
    } catch (AssertionError notInTime) {
      throw new AssertionError(notInTime.getMessage() + "; the page read: "
          + eval("document.body.innerText.slice(0, 1500)"), notInTime);
    }
  }

  /** Focuses the element of {@code selector} and types {@code text} into it (real input events). */
  public void type(String selector, String text) {
    eval("document.querySelector(" + quote(selector) + ").focus(), true");
    command("Input.insertText", new JsonObject().put("text", text));
  }

  /** Clicks the element of {@code selector}. */
  public void click(String selector) {
    eval("document.querySelector(" + quote(selector) + ").click(), true");
  }

  /** The text of the element of {@code selector}, or null when there is none. */
  public String text(String selector) {
    return (String) eval("(document.querySelector(" + quote(selector) + ") || {}).textContent ?? null");
  }

  /** Sets the page's size in CSS pixels. */
  public void resize(int width, int height) {
    command("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
        .put("deviceScaleFactor", 1).put("mobile", false));
  }

  /** Saves a PNG of the page as it shows now. */
  public void screenshot(Path file) throws IOException {
    String png = command("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(png));
  }

  /** Uncaught exceptions and security errors (a blocked script or style) the page reported. */
  public List<String> pageErrors() {
    return List.copyOf(pageErrors);
  }

  private JsonObject command(String method, JsonObject params) {
    return devTools.send(session, method, params, COMMAND_MS);
  }

  /** A JavaScript string literal (a JSON string is one). */
  private static String quote(String s) {
    return Json.encode(s);
  }

  @Override
  public void close() throws IOException {
    try {
      devTools.close();
    } finally {
      destroy(process);
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void destroy(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
