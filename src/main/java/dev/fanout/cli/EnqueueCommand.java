package dev.fanout.cli;

import dev.fanout.bus.JsonSyntax;
import dev.fanout.config.FanoutConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
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
 * {@code fanout enqueue}: reads URLs or NDJSON payloads (one per line) and enqueues them as jobs
 * of {@code --kind} to a running fanout ({@code POST /v1/jobs}) in batches, printing each batch id.
 */
@Command(name = "enqueue", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Enqueue jobs to a running fanout: one URL or JSON payload per line of FILE (or stdin); "
        + "prints batch ids.")
public final class EnqueueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", defaultValue = "-",
      description = "Input; - reads stdin (default).")
  String file;

  @Option(names = "--kind", required = true, paramLabel = "KIND", description = "Job kind, e.g. fetch or echo.")
  String kind;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Jobs per request (default 1000).")
  int batch;

  @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts before a job is discarded (default 5).")
  Integer maxAttempts;

  @Option(names = "--url", paramLabel = "URL", description = "fanout's address (default: the fanout serving from"
      + " this data directory, else http://http.host:http.port).")
  String url;

  @Option(names = "--token", paramLabel = "TOKEN", description = "API token (default: $FANOUT_API_TOKEN).")
  String token;

  @Option(names = "--conf", paramLabel = "FILE|JSON",
      description = "Configuration over the built-in defaults: a file, or inline JSON starting with '{' "
          + "(default: $FANOUT_CONF).")
  String conf;

  private final InputStream stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  /** On the process's standard streams. */
  public EnqueueCommand() {
    this(System.in, System.out, System.err);
  }

  /** On other streams (tests). */
  public EnqueueCommand(InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  @Override
  public Integer call() throws IOException {
    if (batch < 1 || batch > 100_000) {
      throw new ParameterException(spec.commandLine(), "--batch must be 1 to 100000");
    }
    FanoutConfig cfg = FanoutConfig.fromJson(Boot.config(conf));
    // --url, else the fanout serving from this data directory, else the configured address
    String base = url != null ? url
        : ServingFile.url(cfg).orElse("http://" + cfg.http().host() + ":" + cfg.http().port());
    BufferedReader reader = open();
    Vertx vertx = Boot.vertx(cfg);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000).setIdleTimeout(60));
    long total = 0;
    int lineNo = 0;
    try {
      List<JsonObject> jobs = new ArrayList<>();
      String line;
      while (true) {
        line = reader.readLine();
        if (line != null) {
          lineNo++;
          JsonObject job = job(line, lineNo);
          if (job != null) {
            jobs.add(job);
          }
        }
        if (jobs.size() >= batch || line == null && !jobs.isEmpty()) {
          String id = send(client, base, jobs).await();
          stdout.println(id);
          total += jobs.size();
          jobs = new ArrayList<>();
        }
        if (line == null) {
          break;
        }
      }
      stderr.println("enqueued " + total + " " + kind + " job(s)");
      return 0;
    } catch (EnqueueFailed e) {
      stderr.println("fanout: enqueue failed after " + total + " job(s): " + e.getMessage());
      return 1;
    } finally {
      reader.close();
      vertx.close().await();
    }
  }

  /** Why a connection failed, without the native transport's wording ({@code finishConnect(..) failed ...}). */
  private static String why(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("Connection refused") ? "connection refused" : m;
  }

  private static final class EnqueueFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EnqueueFailed(String message) {
      super(message, null, false, false);
    }
  }

  private Future<String> send(WebClient client, String base, List<JsonObject> jobs) {
    JsonObject body = new JsonObject().put("jobs", new JsonArray(new ArrayList<>(jobs)));
    HttpRequest<Buffer> req = client.postAbs(base + "/v1/jobs").putHeader("Content-Type", "application/json");
    String bearer = Via.token(token);
    if (bearer != null) {
      req.putHeader("Authorization", "Bearer " + bearer);
    }
    return req.sendBuffer(body.toBuffer())
        .recover(e -> Future.failedFuture(new EnqueueFailed("cannot reach fanout at " + base + " (" + why(e)
            + "): is it running? Start it with ./run.sh, or give its address with --url")))
        .compose((HttpResponse<Buffer> r) -> r.statusCode() == 201
            ? Future.succeededFuture(r.bodyAsJsonObject().getString("batch"))
            : Future.failedFuture(new EnqueueFailed("HTTP " + r.statusCode() + ": " + r.bodyAsString())));
  }

  /** A line as a job: a URL (the payload of a fetch job) or a JSON object (the payload); null for blank and # lines. */
  private JsonObject job(String line, int lineNo) {
    String s = line.strip();
    if (s.isEmpty() || s.startsWith("#")) {
      return null;
    }
    JsonObject payload;
    if (s.startsWith("{")) {
      try {
        payload = new JsonObject(s);
      } catch (DecodeException e) {
        throw new InputFailure("line " + lineNo + " is not a JSON object: " + JsonSyntax.message(e));
      }
    } else {
      payload = new JsonObject().put("url", s);
    }
    JsonObject job = new JsonObject().put("kind", kind).put("payload", payload);
    if (maxAttempts != null) {
      job.put("maxAttempts", maxAttempts);
    }
    return job;
  }

  private BufferedReader open() throws IOException {
    return Boot.open(file, stdin);
  }

}
