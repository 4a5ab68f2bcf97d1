package dev.fanout.config;

import java.util.Set;

/**
 * The HTTP server's settings ({@code http.*}).
 *
 * @param host the interface to listen on
 * @param port the port (0 picks a free one)
 * @param instances web verticles sharing the port; 0 means one per event loop
 * @param idleTimeoutMs close a connection with no request in progress this long (slowloris and
 *     keep-alive guard), or whose client stopped reading a response this long
 * @param maxHeaderBytes the largest request header block accepted
 * @param bodyLimitBytes the largest request body accepted
 * @param requestTimeoutMs the longest a request may wait for its response to start before a 504
 * @param shutdownGraceMs on stop, how long in-flight requests may finish before they are cut
 * @param allowOpen serve on an address other machines reach with no {@code api.tokens} (else refused)
 * @param accessLog the level of the one line per request ({@code off}, {@code debug}, {@code info})
 */
public record HttpConfig(
    String host, int port, int instances, long idleTimeoutMs, int maxHeaderBytes, long bodyLimitBytes,
    long requestTimeoutMs, long shutdownGraceMs, boolean allowOpen, String accessLog) {

  static HttpConfig read(ConfigReader r) {
    return new HttpConfig(
        r.string("http.host"),
        r.intIn("http.port", 0, 65535),
        r.intIn("http.instances", 0, 1024),
        r.longIn("http.idleTimeoutMs", 1, 86_400_000L),
        r.intIn("http.maxHeaderBytes", 1024, 1 << 20),
        r.longIn("http.bodyLimitBytes", 1, 1L << 31),
        r.longIn("http.requestTimeoutMs", 1, 86_400_000L),
        r.longIn("http.shutdownGraceMs", 0, 86_400_000L),
        r.bool("http.allowOpen"),
        r.oneOf("http.accessLog", Set.of("off", "debug", "info")));
  }
}
