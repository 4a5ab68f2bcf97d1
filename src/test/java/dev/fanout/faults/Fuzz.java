package dev.fanout.faults;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Test support: runs {@code n} generated requests with at most {@code window} in flight, and
 * collects what each found wrong (a null result means nothing). A request that throws or fails
 * counts as a finding too, so a hang surfaces as its timeout.
 */
final class Fuzz {
  private Fuzz() {}

  static Future<List<String>> run(int n, int window, IntFunction<Future<String>> one) {
    Promise<List<String>> done = Promise.promise();
    List<String> found = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      Future<String> f;
      try {
        f = one.apply(i);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          found.add("#" + i + " failed: " + ar.cause());
        } else if (ar.result() != null) {
          found.add("#" + i + " " + ar.result());
        }
        if (finished.incrementAndGet() == n) {
          done.complete(found);
        } else {
          launch[0].run();
        }
      });
    };
    for (int w = 0; w < Math.min(window, n); w++) {
      launch[0].run();
    }
    return done.future();
  }

  /** At most {@code max} characters of {@code s}, for failure messages. */
  static String clip(Object s, int max) {
    String t = String.valueOf(s);
    return t.length() <= max ? t : t.substring(0, max) + "...(" + t.length() + " chars)";
  }
}
