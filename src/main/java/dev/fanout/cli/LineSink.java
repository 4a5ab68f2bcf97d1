package dev.fanout.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fanout.bus.FetchResult;
import dev.fanout.gather.Gather;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * NDJSON results to an output stream (stdout). Writes block when the reader is slow, so they go
 * to one worker thread in order, a chunk at a time; while more than {@code maxPendingBytes} wait,
 * the sink reports full and the gather pauses. Lines are flushed at least every 100 ms. One
 * Jackson generator encodes every result straight to UTF-8 bytes (no String per line), from the
 * fetcher's {@link FetchResult} itself when it has it.
 */
final class LineSink implements Gather.Sink {
  private static final int CHUNK = 128 * 1024; // a trip to the writer thread wakes two threads
  private static final long FLUSH_MS = 100;

  private final Vertx vertx;
  private final WorkerExecutor writer;
  private final OutputStream out;
  private final long maxPendingBytes;
  private final Progress progress;
  private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK + 8192);
  private final JsonFactory factory = new JsonFactory();
  private final JsonGenerator json;
  private long pendingBytes;
  private Runnable drain;
  private Future<Void> lastWrite = Future.succeededFuture();
  private final long flushTimer;

  LineSink(Vertx vertx, Context context, OutputStream out, long maxPendingBytes, Progress progress) {
    this.vertx = vertx;
    this.writer = vertx.createSharedWorkerExecutor("fanout-output", 1);
    this.out = out;
    this.maxPendingBytes = maxPendingBytes;
    this.progress = progress;
    try {
      this.json = factory.createGenerator(chunk);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    json.setRootValueSeparator(null);
    this.flushTimer = vertx.setPeriodic(FLUSH_MS, id -> context.runOnContext(v -> flush()));
  }

  @Override
  public void accept(long index, JsonObject result) {
    progress.add(result);
    try {
      JacksonCodec.encodeJson(result, json);
      endLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A result from this process's fetchers: written straight from the value, no JSON object between. */
  @Override
  public void accept(long index, FetchResult result) {
    progress.add(result.ok(), result.error() == null ? null : result.error().kind().wire());
    try {
      result.writeJson(json);
      endLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A result line as a fanout server wrote it ({@code fetch --via}): copied through as it is, read
   * only as far as progress needs (its {@code ok} and {@code error.kind}), with no JSON object
   * built and no encoding. Fails with an {@link IOException} when the line is not a JSON object.
   */
  void acceptLine(byte[] line) throws IOException {
    boolean ok = false;
    String kind = null;
    try (JsonParser p = factory.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("ok".equals(name)) {
          ok = value == JsonToken.VALUE_TRUE;
        } else if ("error".equals(name) && value == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if ("kind".equals(field)) {
              kind = p.getText();
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
    progress.add(ok, kind);
    if (json.getOutputBuffered() > 0) {
      json.flush(); // what the generator holds goes first
    }
    chunk.write(line);
    chunk.write('\n');
    if (chunk.size() >= CHUNK) {
      flush();
    }
  }

  private void endLine() throws IOException {
    json.writeRaw('\n');
    if (json.getOutputBuffered() + chunk.size() >= CHUNK) {
      flush();
    }
  }

  @Override
  public boolean full() {
    return pendingBytes > maxPendingBytes;
  }

  @Override
  public void onDrain(Runnable resume) {
    if (!full()) {
      resume.run();
    } else {
      drain = resume;
    }
  }

  private void flush() {
    try {
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (chunk.size() == 0) {
      return;
    }
    byte[] bytes = chunk.toByteArray();
    chunk.reset();
    pendingBytes += bytes.length;
    lastWrite = writer.<Void>executeBlocking(() -> {
      out.write(bytes);
      out.flush();
      return null;
    }, true).onComplete(ar -> {
      pendingBytes -= bytes.length;
      Runnable d = drain;
      if (d != null && !full()) {
        drain = null;
        d.run();
      }
    });
  }

  /** Flushes what is left and completes once everything is written. Call on the sink's context. */
  Future<Void> close() {
    vertx.cancelTimer(flushTimer);
    flush();
    return lastWrite.eventually(writer::close);
  }
}
