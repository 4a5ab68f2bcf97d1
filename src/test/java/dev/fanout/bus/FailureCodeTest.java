package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading the failure code another bus client failed with. */
class FailureCodeTest {

  @ParameterizedTest
  @CsvSource({
      "400, INVALID", "404, NOT_FOUND", "409, CONFLICT", "500, INTERNAL", "503, UNAVAILABLE", "504, TIMEOUT",
      "401, INVALID", "422, INVALID", "499, INVALID", "399, INTERNAL", "501, INTERNAL", "302, INTERNAL",
      "0, INTERNAL", "-1, INTERNAL"})
  void an_exact_code_is_itself_any_other_4xx_is_invalid_and_the_rest_internal(int code, FailureCode expected) {
    assertThat(FailureCode.of(code)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"INVALID, 400", "NOT_FOUND, 404", "CONFLICT, 409", "INTERNAL, 500", "UNAVAILABLE, 503", "TIMEOUT, 504"})
  void each_code_is_its_http_status_and_reads_back_as_itself(FailureCode code, int status) {
    assertThat(code.code()).isEqualTo(status);
    assertThat(FailureCode.of(status)).isEqualTo(code);
  }
}
