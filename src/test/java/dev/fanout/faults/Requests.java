package dev.fanout.faults;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Test support: the shapes of fanout's requests (jobs, fetch specs, gathers, list and batch
 * queries), right and mutated, from {@link Bodies}. Job kinds are ones no handler runs, so an
 * accepted job never runs; URLs are the given loopback ones, one refused by the egress policy
 * without a connection (127.0.0.2), or not URLs at all: never a name to look up.
 */
final class Requests {
  static final List<String> KINDS = List.of("nobody-runs-this", "fuzz.kind", "z");
  private final Bodies b;
  private final List<String> urls;
  /** Ids and batches that exist (filled in as jobs are accepted). */
  final List<Long> ids = new ArrayList<>();
  final List<String> batches = new ArrayList<>();

  /** The generator. */
  Bodies b() {
    return b;
  }

  Requests(Bodies b, List<String> loopbackUrls) {
    this.b = b;
    this.urls = loopbackUrls;
  }

  JsonObject job() {
    JsonObject j = new JsonObject().put("kind", b.pick(KINDS));
    if (b.chance(50)) {
      j.put("payload", b.value(3) instanceof JsonObject o ? o : new JsonObject().put("v", b.value(2)));
    }
    if (b.chance(30)) {
      j.put("priority", b.r.nextInt(65536) - 32768);
    }
    if (b.chance(30)) {
      j.put("runAt", runAt());
    }
    if (b.chance(20)) {
      j.put("maxAttempts", 1 + b.r.nextInt(1000));
    }
    if (b.chance(20)) {
      j.put("idempotencyKey", "key-" + b.r.nextInt(50));
    }
    if (b.chance(20)) {
      j.put("queue", b.pick(List.of("default", "q1", "q.2")));
    }
    return j;
  }

  String runAt() {
    return b.pick(List.of("2030-01-01T00:00:00Z", "2001-02-03T04:05:06.789Z", "-5000-01-01T00:00:00Z",
        "+99999-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
        "2030-01-01T00:00:00.000000001Z",
        "2030-01-01", "2030-01-01T00:00:00+02:00", "now", ""));
  }

  private Map<String, Supplier<Object>> jobFields() {
    return Map.of("kind", () -> b.chance(50) ? b.pick(KINDS) : b.oddString(), "payload", () -> b.value(3),
        "priority", b::oddNumber, "runAt", this::runAt, "maxAttempts", b::oddNumber,
        "idempotencyKey", b::oddString, "queue", b::oddString);
  }

  /** A body for {@code fanout.jobs.enqueue} / {@code POST /v1/jobs}. */
  Object enqueue() {
    int k = b.r.nextInt(100);
    if (k < 55) {
      return b.mutate(job(), jobFields());
    }
    if (k < 85) {
      JsonArray jobs = new JsonArray();
      for (int i = b.r.nextInt(5); i >= 0; i--) {
        jobs.add(b.chance(90) ? b.mutate(job(), jobFields()) : b.value(1));
      }
      JsonObject o = new JsonObject().put("jobs", b.chance(95) ? jobs : b.value(1));
      return b.chance(10) ? o.put("kind", "z") : o;
    }
    return b.value(3);
  }

  String url() {
    return b.chance(85) ? b.pick(urls) : b.pick(List.of("http://127.0.0.2/blocked", "ftp://127.0.0.1/",
        "not a url", "http://", "", "http://127.0.0.1:99999/",
        "http://[::1", "http://127.0.0.1/\u0000", "http://127.0.0.1/\ud800", " "));
  }

  JsonObject spec() {
    JsonObject s = new JsonObject().put("url", url());
    if (b.chance(30)) {
      s.put("method", b.pick(List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
          "get", "FOO", "G T", "")));
    }
    if (b.chance(40)) {
      JsonObject h = new JsonObject();
      for (int i = b.r.nextInt(3); i >= 0; i--) {
        h.put(b.chance(70) ? "X-F" + b.r.nextInt(3) : b.pick(List.of("Host", "X Bad", "", "é", "X-\u0000")),
            b.chance(60) ? "v" + b.r.nextInt(9) : b.chance(80) ? b.oddString() : b.value(1));
      }
      s.put("headers", h);
    }
    if (b.chance(20)) {
      s.put("body", b.oddString());
    }
    if (b.chance(20)) {
      s.put("timeoutMs", 1 + b.r.nextInt(3000));
    }
    if (b.chance(20)) {
      s.put("retries", b.r.nextInt(3));
    }
    if (b.chance(20)) {
      s.put("capture", b.pick(List.of("none", "text", "base64", "all")));
    }
    if (b.chance(10)) {
      s.put("maxBytes", b.r.nextInt(100));
    }
    return s;
  }

  private Map<String, Supplier<Object>> specFields() {
    return Map.of("url", () -> b.chance(70) ? url() : b.value(1), "method", b::oddString, "headers", () -> b.value(2),
        "body", () -> b.value(1), "timeoutMs", b::oddNumber, "deadlineMs", b::oddNumber, "retries", b::oddNumber,
        "maxBytes", b::oddNumber, "followRedirects", () -> b.value(0), "capture", b::oddString);
  }

  /** A body for {@code fanout.fetch}. */
  Object fetch() {
    JsonObject s = b.mutate(spec(), specFields());
    if (b.chance(5)) {
      s.put("group", b.oddString());
    }
    return b.chance(90) ? s : b.value(2);
  }

  /** A body for {@code fanout.gather} / {@code POST /v1/fetch}. */
  Object gather() {
    JsonObject g = new JsonObject();
    JsonArray items = new JsonArray();
    boolean specs = b.chance(50);
    for (int i = b.r.nextInt(4); i >= 0; i--) {
      items.add(specs ? (b.chance(90) ? b.mutate(spec(), specFields()) : b.value(1))
          : b.chance(90) ? url() : b.value(1));
    }
    g.put(specs ? "requests" : "urls", items);
    if (b.chance(30)) {
      g.put("concurrency", 1 + b.r.nextInt(10));
    }
    if (b.chance(30)) {
      g.put("mode", b.pick(List.of("settle", "fail-fast")));
    }
    Map<String, Supplier<Object>> fields = Map.of("urls", () -> b.value(2), "requests", () -> b.value(2),
        "concurrency", b::oddNumber, "mode", b::oddString, "timeoutMs", b::oddNumber, "deadlineMs", b::oddNumber,
        "retries", b::oddNumber, "capture", b::oddString);
    return b.chance(92) ? b.mutate(g, fields) : b.value(2);
  }

  /** A value for a job id: one that exists, a plausible one, or not an id at all. */
  Object id() {
    return switch (b.r.nextInt(6)) {
      case 0, 1 -> ids.isEmpty() ? 1L : b.pick(ids);
      case 2 -> (long) b.r.nextInt(100000);
      case 3 -> b.oddNumber();
      case 4 -> b.oddString();
      default -> b.value(1);
    };
  }

  /** A batch id: one that exists, an unknown one, or not a UUID. */
  Object batch() {
    return switch (b.r.nextInt(5)) {
      case 0, 1 -> batches.isEmpty() ? UUID.randomUUID().toString() : b.pick(batches);
      case 2 -> UUID.randomUUID().toString();
      case 3 -> b.pick(List.of("1-1-1-1-1", "00000000-0000-0000-0000-00000000000g", "", "\u0000"));
      default -> b.value(1);
    };
  }

  /** A batch id no batch has, or not a batch id at all. */
  Object unknownBatch() {
    return b.chance(50) ? UUID.randomUUID().toString()
        : b.pick(List.of("1-1-1-1-1", "00000000-0000-0000-0000-00000000000g",
            "\u0000", "x", String.valueOf(b.oddNumber())));
  }

  /** List query values (as text): state, kind, batch, cursor, limit. */
  Map<String, String> listQuery() {
    Map<String, String> q = new LinkedHashMap<>();
    if (b.chance(40)) {
      q.put("state", b.chance(60) ? b.pick(List.of("available", "scheduled", "completed", "cancelled"))
          : b.oddString());
    }
    if (b.chance(40)) {
      q.put("kind", b.chance(60) ? b.pick(KINDS) : b.oddString());
    }
    if (b.chance(20)) {
      q.put("batch", String.valueOf(batch()));
    }
    if (b.chance(30)) {
      q.put("cursor", b.chance(50) ? String.valueOf(b.r.nextInt(1000))
          : String.valueOf(b.chance(50) ? b.oddNumber() : b.oddString()));
    }
    if (b.chance(40)) {
      q.put("limit", b.chance(50) ? String.valueOf(1 + b.r.nextInt(1000))
          : String.valueOf(b.chance(50) ? b.oddNumber() : b.oddString()));
    }
    if (b.chance(5)) {
      q.put("other", b.oddString());
    }
    return q;
  }

  /** A wait in seconds as text: short for batches that exist (their jobs never finish), anything for others. */
  String waitText(boolean exists) {
    if (exists) {
      return b.pick(List.of("0", "0.01", "0.05", "0.1", "0.000001"));
    }
    return b.pick(List.of("0", "1", "120", "121", "NaN", "Infinity", "-1", "+1", "0x10",
        "1e2", "", "1.", ".5", "99999999999999999999", "١"));
  }
}
