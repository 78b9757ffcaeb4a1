package io.kvgate.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script with its SHA-1, so that it runs by digest and is sent whole only once; {@code
 * writes} marks the scripts whose effect a client is told about, which wait for replicas when that
 * is configured.
 */
record Script(String name, String source, String sha, boolean writes) {

  static Script of(String name, String source) {
    return of(name, source, false);
  }

  static Script of(String name, String source, boolean writes) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      return new Script(name, source, HexFormat.of().formatHex(digest), writes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }
}
