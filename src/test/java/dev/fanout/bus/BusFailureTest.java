package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

/** One failure code for every failure, and the field as data, also past the wire. */
class BusFailureTest {
  @Test
  void a_failure_survives_the_wire_with_its_field() {
    BusFailureCodec codec = new BusFailureCodec();
    Buffer wire = Buffer.buffer("head");
    BusFailure sent = new BusFailure(FailureCode.INVALID, "payload.a: b: must not contain NUL ü", "payload.a: b");
    codec.encodeToWire(wire, sent);
    BusFailure got = codec.decodeFromWire(4, wire);
    assertThat(got.code()).isEqualTo(FailureCode.INVALID);
    assertThat(got.failureCode()).isEqualTo(400);
    assertThat(got.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
    assertThat(got.getMessage()).isEqualTo(sent.getMessage());
    assertThat(got.field()).isEqualTo("payload.a: b");

    Buffer bare = Buffer.buffer();
    codec.encodeToWire(bare, new BusFailure(FailureCode.UNAVAILABLE, null));
    BusFailure none = codec.decodeFromWire(0, bare);
    assertThat(none.code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(none.getMessage()).isNull();
    assertThat(none.field()).isNull();
  }

  @Test
  void every_failure_maps_to_one_code() {
    assertThat(BusFailure.of(new InvalidRequest("urls[1]", "bad")).code()).isEqualTo(FailureCode.INVALID);
    assertThat(BusFailure.of(new InvalidRequest("urls[1]", "bad")).field()).isEqualTo("urls[1]");
    assertThat(BusFailure.of(new ReplyException(ReplyFailure.TIMEOUT, "late")).code()).isEqualTo(FailureCode.TIMEOUT);
    assertThat(BusFailure.of(new ReplyException(ReplyFailure.NO_HANDLERS, "none")).code())
        .isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(BusFailure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "final")).code())
        .isEqualTo(FailureCode.CONFLICT);
    assertThat(BusFailure.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 422, "foreign")).code())
        .isEqualTo(FailureCode.INVALID);
    assertThat(BusFailure.of(new IllegalStateException("bug")).code()).isEqualTo(FailureCode.INTERNAL);
    assertThat(BusFailure.of(new NullPointerException()).getMessage()).isEqualTo("NullPointerException");
    BusFailure store = BusFailure.of(new IllegalStateException("refused"), FailureCode.UNAVAILABLE, "the database");
    assertThat(store.code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(store.getMessage()).isEqualTo("the database: refused");
    assertThat(BusFailure.of(new InvalidRequest("id", "bad"), FailureCode.UNAVAILABLE, "x").code())
        .isEqualTo(FailureCode.INVALID);
  }

  @Test
  void invalid_input_becomes_a_bus_failure_and_back() {
    InvalidRequest e = new InvalidRequest("url", "must be http or https").within("requests[3]");
    BusFailure f = e.toFailure();
    assertThat(f.getMessage()).isEqualTo("requests[3].url: must be http or https");
    assertThat(f.failureCode()).isEqualTo(400);
    InvalidRequest back = InvalidRequest.from(f);
    assertThat(back.field()).isEqualTo("requests[3].url");
    assertThat(back.reason()).isEqualTo("must be http or https");
    assertThat(back.getMessage()).isEqualTo(e.getMessage());
    assertThat(InvalidRequest.from(new BusFailure(FailureCode.NOT_FOUND, "no job 1", "id"))).isNull();
  }
}
