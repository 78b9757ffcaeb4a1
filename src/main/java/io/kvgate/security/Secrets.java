package io.kvgate.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Generation, format and hashing of API-key secrets. Secrets are never logged or stored. */
public final class Secrets {
  public static final String KEY_PREFIX = "kvg_";
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final Pattern KEY = Pattern.compile("kvg_[0-9A-Za-z]{32,128}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** A new key: {@code kvg_} and 40 random base62 characters (about 238 bits). */
  public static String newKey() {
    return KEY_PREFIX + random(40);
  }

  public static String random(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = BASE62.charAt(RANDOM.nextInt(BASE62.length()));
    }
    return new String(out);
  }

  public static boolean isKeyFormat(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  /** Whether a bearer value has the shape of a JWT (three base64url parts). */
  public static boolean looksLikeJwt(String value) {
    int first = value.indexOf('.');
    return first > 0 && value.indexOf('.', first + 1) > first + 1 && !value.startsWith(KEY_PREFIX);
  }

  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** Constant-time comparison of two digests. */
  public static boolean same(byte[] a, byte[] b) {
    return a != null && b != null && MessageDigest.isEqual(a, b);
  }
}
