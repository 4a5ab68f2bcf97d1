package dev.fanout.bridge;

import dev.fanout.api.JobReply;
import dev.fanout.config.ApiConfig.Scope;
import dev.fanout.config.ApiConfig.Token;
import dev.fanout.bus.Addresses;
import dev.fanout.config.ApiConfig;
import dev.fanout.config.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge client: the handler addresses it registered, and the job messages the bridge
 * delivered to it that it has not answered (by reply address). When the connection closes it stops
 * claiming its kinds ({@link Claims}) and answers each unanswered job with a snooze of 0 through
 * the bridge — as if the client had — so the job runs again at once without using an attempt,
 * instead of after its attempt timeout (which would use one). A job still unanswered a second past
 * its kind's attempt timeout has already failed at the worker: it is answered with a failure then,
 * which reaches nobody but ends the bridge's and this session's record of it (both would otherwise
 * grow for as long as a client ignores jobs). Used on the bridge's event loop.
 */
final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  /**
   * How the 5.0.8 bridge's {@code FrameHelper} begins a message frame to a consumer of a handler
   * address (type, then address): only those are decoded, once, to note their reply address.
   */
  private static final byte[] JOB_FRAME = "{\"type\":\"message\",\"address\":\"fanout.job."
      .getBytes(StandardCharsets.UTF_8);
  private static final int LENGTH_BYTES = 4;

  private static final long EXPIRY_MARGIN_MS = 1_000;

  private final Vertx vertx;
  private final Claims claims;
  private final ApiConfig api;
  /** The token this client showed (with {@code api.tokens}), once it has. */
  private Token token;
  private final Set<String> registered = new HashSet<>();
  /** Reply address of each job message delivered and not answered → the timer that expires it. */
  private final Map<String, Long> unanswered = new LinkedHashMap<>();
  private GuardedSocket socket;
  private boolean closed;
  private boolean injecting;

  Session(Vertx vertx, Claims claims, ApiConfig api) {
    this.vertx = vertx;
    this.claims = claims;
    this.api = api;
  }

  void attach(GuardedSocket socket) {
    this.socket = socket;
  }

  /**
   * Whether this client may go on, checked on each frame before the bridge acts on it (frames this
   * class injects are always admitted). With {@code api.tokens}, the client's first frame that
   * names an address must carry {@code headers.token} (a configured secret; taken off the frame
   * so no consumer ever sees it); after that, a send or publish needs the {@code write} scope and
   * registering a job handler ({@code fanout.job.*}) the {@code admin} scope. Refused, the
   * connection closes.
   */
  boolean admit(JsonObject frame) {
    String address = frame == null ? null : frame.getString("address");
    if (!api.protectedByTokens() || address == null) {
      return true; // open, or a frame about the socket itself (created, ping, closed)
    }
    JsonObject headers = frame.getValue("headers") instanceof JsonObject h ? h : null;
    Object presented = headers == null ? null : headers.remove("token");
    if (token == null) {
      token = Tokens.find(api, presented instanceof String s ? s : null);
      if (token == null) {
        LOG.info("bridge client refused: {}", presented == null ? "no headers.token" : "a token that is not valid");
        return false;
      }
    }
    String type = String.valueOf(frame.getString("type"));
    boolean allowed = switch (type) {
      case "send", "publish" -> token.may(Scope.WRITE);
      case "register" -> !address.startsWith(Addresses.JOB_HANDLER_PREFIX) || token.may(Scope.ADMIN);
      default -> true;
    };
    if (!allowed) {
      LOG.info("bridge client with token {} refused: {} {} needs another scope", token.id(), type, address);
    }
    return allowed;
  }

  /** A register frame: refused when this client already consumes the address (the bridge would leak one). */
  boolean mayRegister(String address) {
    return !registered.contains(address);
  }

  /** The bridge registered {@code address} for this client: a handler kind's is now claimed for it. */
  void registered(String address) {
    if (registered.add(address)) {
      claims.hold(address, this);
    }
  }

  /** An unregister frame: the kind is no longer claimed for it; jobs it holds may still be answered. */
  void unregistering(String address) {
    if (registered.remove(address)) {
      claims.release(address, this);
    }
  }

  /** A send frame: a reply (or failure) to a job it holds answers it. */
  void sending(String address) {
    Long timer = unanswered.remove(address);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** A frame the bridge writes to the client: a job message is noted until answered. */
  void written(Buffer frame) {
    if (!startsWithJobFrame(frame)) {
      return;
    }
    JsonObject msg;
    try {
      msg = new JsonObject(frame.getBuffer(LENGTH_BYTES, frame.length()));
    } catch (DecodeException e) {
      return;
    }
    String replyAddress = msg.getString("replyAddress");
    String address = msg.getString("address");
    if (replyAddress != null && registered.contains(address)) {
      long expiry = claims.timeoutMs(address) + EXPIRY_MARGIN_MS;
      unanswered.put(replyAddress, vertx.setTimer(expiry, id -> expired(replyAddress)));
      if (closed) {
        release(); // delivered while its consumer was going: released like the others
      }
    }
  }

  private void expired(String replyAddress) {
    if (unanswered.remove(replyAddress) != null) {
      inject(answer(replyAddress).put("failureCode", 504).put("message", "no answer from the bridge client"));
    }
  }

  private static JsonObject answer(String replyAddress) {
    return new JsonObject().put("type", "send").put("address", replyAddress);
  }

  private static boolean startsWithJobFrame(Buffer frame) {
    if (frame.length() < LENGTH_BYTES + JOB_FRAME.length) {
      return false;
    }
    for (int i = 0; i < JOB_FRAME.length; i++) {
      if (frame.getByte(LENGTH_BYTES + i) != JOB_FRAME[i]) {
        return false;
      }
    }
    return true;
  }

  /** The connection closed (the bridge already unregistered its consumers). */
  void closed() {
    closed = true;
    registered.forEach(address -> claims.release(address, this)); // kept: a late delivery is still known
    release();
  }

  private void release() {
    if (unanswered.isEmpty()) {
      return;
    }
    LOG.info("bridge client {} left with {} job(s) unanswered: released to run again",
        socket.remoteAddress(), unanswered.size());
    JsonObject snooze = JobReply.snooze(Duration.ZERO).toJson();
    Map<String, Long> answering = new LinkedHashMap<>(unanswered);
    unanswered.clear();
    answering.forEach((replyAddress, timer) -> {
      vertx.cancelTimer(timer);
      inject(answer(replyAddress).put("body", snooze.copy()));
    });
  }

  /** Answers for the client, through the bridge (which acts on the frame before this returns). */
  private void inject(JsonObject frame) {
    injecting = true;
    try {
      socket.inject(frame);
    } finally {
      injecting = false;
    }
  }

  /** Whether the frame the bridge is looking at is one this class injected: it is always let through. */
  boolean isInjecting() {
    return injecting;
  }
}
