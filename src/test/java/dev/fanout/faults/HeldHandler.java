package dev.fanout.faults;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A job handler whose every call waits until the test releases it: a handler that blocks until released. */
final class HeldHandler {
  /** One entry per call, in arrival order: the job as received and the promise that answers it. */
  record Call(JsonObject job, Promise<JsonObject> answer) {
    void release() {
      answer.complete(new JsonObject().put("attempt", job.getInteger("attempt")));
    }
  }

  final List<Call> calls = new CopyOnWriteArrayList<>();

  Future<JsonObject> handle(JsonObject job) {
    Promise<JsonObject> p = Promise.promise();
    calls.add(new Call(job, p));
    return p.future();
  }

  int count() {
    return calls.size();
  }
}
