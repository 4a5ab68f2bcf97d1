package dev.fanout.gather;

import dev.fanout.bus.FetchSpec;
import io.vertx.core.Future;
import java.util.List;

/** Specs already in memory (a request body), handed out a batch at a time. */
public final class ListSource implements Gather.Source {
  private final List<FetchSpec> specs;
  private int next;

  /** A source over {@code specs}. */
  public ListSource(List<FetchSpec> specs) {
    this.specs = specs;
  }

  @Override
  public Future<List<FetchSpec>> next(int max) {
    int from = next;
    next = Math.min(specs.size(), next + max);
    return Future.succeededFuture(specs.subList(from, next));
  }
}
