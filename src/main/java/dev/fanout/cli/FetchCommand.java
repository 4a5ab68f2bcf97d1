package dev.fanout.cli;

import dev.fanout.config.FanoutConfig;
import dev.fanout.fetch.FetchPool;
import dev.fanout.gather.Gather;
import dev.fanout.net.Cidr;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fanout fetch}: fetches every URL of a file (or stdin) with a sliding window of
 * {@code --concurrency}, printing one NDJSON result per URL on stdout, as they complete or in input
 * order. Progress and the summary go to stderr. Exit 0 when the run completed (failed fetches are
 * results), 2 on bad usage. With {@code --via URL}, or a fanout found serving from this data
 * directory with the same egress policy ({@link Via}), the list goes through that server's warm
 * fetchers ({@link RemoteFetch}) and the output is the same; exit 1 when it cannot be reached.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Fetch every URL of FILE (one per line; - or nothing for stdin) and print NDJSON results.")
public final class FetchCommand implements Callable<Integer> {
  private static final long MAX_PENDING_OUTPUT = 1 << 20;

  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
      description = "File of URLs; - reads stdin (default).")
  String file;

  @Option(names = "--concurrency", paramLabel = "N",
      description = "Fetches in flight at most (default: fetch.concurrency).")
  Integer concurrency;

  @Option(names = "--per-host", paramLabel = "N",
      description = "Fetches in flight per host at most (default: fetch.perHost).")
  Integer perHost;

  @Option(names = "--rate", paramLabel = "R",
      description = "Requests per second per host; 0 for no limit (default: fetch.perHostRate).")
  Double rate;

  @Option(names = "--timeout", paramLabel = "MS", description = "Limit of one attempt (default: fetch.timeoutMs).")
  Long timeout;

  @Option(names = "--deadline", paramLabel = "MS",
      description = "Limit of one URL, retries included (default: fetch.deadlineMs).")
  Long deadline;

  @Option(names = "--retries", paramLabel = "N",
      description = "Retries of a retryable failure (default: fetch.retries).")
  Integer retries;

  @Option(names = "--max-bytes", paramLabel = "N", description = "Body byte cap (default: fetch.maxBytes).")
  Long maxBytes;

  @Option(names = "--capture", paramLabel = "MODE", description = "none, text or base64 (default: fetch.capture).")
  String capture;

  @Option(names = "--ordered", description = "Print results in input order (through a bounded reorder window).")
  boolean ordered;

  @Option(names = "--allow", paramLabel = "CIDR",
      description = "Allow this address block despite the egress policy (repeatable), e.g. 127.0.0.0/8.")
  List<String> allow = new ArrayList<>();

  @Option(names = "--via", paramLabel = "URL",
      description = "Fetch through the fanout serving at URL (its warm fetchers; its egress policy governs).")
  String via;

  @Option(names = "--local", description = "Fetch in this process, even when a fanout serves from this data directory.")
  boolean local;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "API token for the fanout fetched through (default: $FANOUT_API_TOKEN).")
  String token;

  @Option(names = "--conf", paramLabel = "FILE|JSON",
      description = "Configuration over the built-in defaults: a file, or inline JSON starting with '{' "
          + "(default: $FANOUT_CONF).")
  String conf;

  private final InputStream stdin;
  private final OutputStream stdout;
  private final PrintStream stderr;

  /** The command on the process's standard streams. */
  public FetchCommand() {
    this(System.in, new FileOutputStream(FileDescriptor.out), System.err);
  }

  /** The command on other streams (tests). */
  public FetchCommand(InputStream stdin, OutputStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws IOException {
    JsonObject json = Boot.config(conf);
    applyOptions(json);
    FanoutConfig cfg = FanoutConfig.fromJson(json);
    checkVia();
    BufferedReader reader = open();
    Vertx vertx = Boot.vertx(cfg);
    try {
      String server = server(vertx, cfg, json);
      if (server == null) {
        FetchPool.deploy(vertx, json).await();
      }
      Progress progress = new Progress(stderr, Progress.stderrIsTerminal() && stderr == System.err);
      countInBackground(vertx, progress);
      long tick = vertx.setPeriodic(cfg.cli().progressIntervalMs(), id -> progress.tick());
      Promise<Object> finished = Promise.promise();
      Context ctx = vertx.getOrCreateContext();
      ctx.runOnContext(v -> {
        LineSink sink = new LineSink(vertx, ctx, stdout, MAX_PENDING_OUTPUT, progress);
        Future<?> run = server != null
            ? new RemoteFetch(vertx, server, Via.token(token)).run(reader, Via.query(cfg, ordered), sink)
            : new Gather(vertx, new LineSource(vertx, reader, cfg.fetch().defaults()), sink, options(cfg)).run();
        run.<Object>map(r -> r).eventually(sink::close).onComplete(finished);
      });
      finished.future().await();
      vertx.cancelTimer(tick);
      progress.finish();
      return 0;
    } catch (Via.Refused e) {
      stderr.println("fanout: " + e.getMessage());
      return e.exitCode();
    } catch (RemoteFetch.Broken e) {
      stderr.println("fanout: " + e.getMessage());
      return 1;
    } finally {
      reader.close();
      vertx.close().await();
    }
  }

  private Gather.Options options(FanoutConfig cfg) {
    return new Gather.Options(cfg.fetch().concurrency(), ordered, cfg.cli().reorderWindow(),
        cfg.fetch().deadlineMs() + 10_000);
  }

  /**
   * The fanout to fetch through: {@code --via}; else, unless {@code --local} or an option only a
   * local run honours, the one serving from this data directory with the same egress policy;
   * else null (a local run).
   */
  private String server(Vertx vertx, FanoutConfig cfg, JsonObject json) {
    List<String> owned = Via.serverOwned(json);
    if (via != null) {
      if (!owned.isEmpty()) {
        stderr.println("fanout: " + String.join(", ", owned) + ": the server's own settings apply through --via");
      }
      if (!allow.isEmpty()) {
        Via.checkAllowed(vertx, via, Via.token(token), allow.stream().map(Cidr::parse).toList());
      }
      return via;
    }
    // a window over what a server takes (gather.maxConcurrency, as configured here) stays local too
    if (local || perHost != null || rate != null || !owned.isEmpty()
        || cfg.fetch().concurrency() > cfg.gather().maxConcurrency()) {
      return null;
    }
    String found = Via.discover(vertx, cfg, Via.token(token)).orElse(null);
    if (found != null) {
      stderr.println("fetching through the fanout serving at " + found);
    }
    return found;
  }

  /** Usage errors of {@code --via}: options that a streamed request cannot carry. */
  private void checkVia() {
    if (via == null) {
      return;
    }
    if (local) {
      throw new ParameterException(spec.commandLine(), "--via and --local exclude each other");
    }
    if (perHost != null || rate != null) {
      throw new ParameterException(spec.commandLine(), (perHost != null ? "--per-host" : "--rate")
          + " is a setting of the server's fetchers (fetch.perHost, fetch.perHostRate), not of one request: "
          + "drop it with --via, or fetch here with --local");
    }
    if (!via.startsWith("http://") && !via.startsWith("https://")) {
      throw new ParameterException(spec.commandLine(), "--via must be an http:// or https:// URL (got " + via + ")");
    }
    while (via.endsWith("/")) {
      via = via.substring(0, via.length() - 1);
    }
  }

  private BufferedReader open() throws IOException {
    return Boot.open(file, stdin);
  }


  private void countInBackground(Vertx vertx, Progress progress) {
    if (file.equals("-")) {
      return;
    }
    vertx.executeBlocking(() -> {
      try (BufferedReader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        return LineSource.count(r);
      }
    }).onSuccess(progress::total);
  }

  /** Writes the options into the configuration JSON, so validation and the fetchers see them. */
  private void applyOptions(JsonObject json) {
    JsonObject fetch = json.getJsonObject("fetch");
    positive("--concurrency", concurrency);
    positive("--per-host", perHost);
    if (rate != null && !(rate >= 0)) {
      throw new ParameterException(spec.commandLine(), "--rate must be 0 or more");
    }
    positive("--timeout", timeout);
    positive("--deadline", deadline);
    if (retries != null && retries < 0 || maxBytes != null && maxBytes < 0) {
      throw new ParameterException(spec.commandLine(), "--retries and --max-bytes must be 0 or more");
    }
    if (capture != null && !List.of("none", "text", "base64").contains(capture)) {
      throw new ParameterException(spec.commandLine(), "--capture must be none, text or base64 (got " + capture + ")");
    }
    put(fetch, "concurrency", concurrency);
    put(fetch, "perHost", perHost);
    put(fetch, "perHostRate", rate);
    put(fetch, "timeoutMs", timeout);
    put(fetch, "deadlineMs", deadline);
    put(fetch, "retries", retries);
    put(fetch, "maxBytes", maxBytes);
    put(fetch, "capture", capture);
    if (!allow.isEmpty()) {
      JsonArray blocks = new JsonArray();
      FanoutConfig.fromJson(json).egress().allow().forEach(c -> blocks.add(c.toString()));
      for (String a : allow) {
        try {
          blocks.add(Cidr.parse(a).toString());
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--allow " + a + ": " + e.getMessage());
        }
      }
      json.getJsonObject("egress").put("allow", blocks);
    }
  }

  private void positive(String name, Number n) {
    if (n != null && n.doubleValue() < 1) {
      throw new ParameterException(spec.commandLine(), name + " must be 1 or more (got " + n + ")");
    }
  }

  private static void put(JsonObject o, String key, Object value) {
    if (value != null) {
      o.put(key, value);
    }
  }
}
