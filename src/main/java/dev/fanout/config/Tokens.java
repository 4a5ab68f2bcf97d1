package dev.fanout.config;

import dev.fanout.config.ApiConfig.Token;
import java.security.MessageDigest;

/**
 * Finds the configured token a client presented. The secret is hashed and compared with every
 * token's digest in constant time ({@link MessageDigest#isEqual}), all of them each time, so
 * neither the time taken nor the order of the list tells a guesser anything.
 */
public final class Tokens {
  private Tokens() {}

  /** The token whose secret is {@code presented}, or null (none configured, none given, or no match). */
  public static Token find(ApiConfig cfg, String presented) {
    if (presented == null || presented.isEmpty()) {
      return null;
    }
    byte[] digest = ApiConfig.sha256(presented);
    Token found = null;
    for (Token t : cfg.tokens()) {
      if (MessageDigest.isEqual(digest, t.sha256()) && found == null) {
        found = t;
      }
    }
    return found;
  }
}
