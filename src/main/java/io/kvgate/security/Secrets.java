package io.kvgate.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Generation, format and hashing of API-key secrets. Secrets are never logged or stored. */
public final class Secrets {
  public static final String KEY_PREFIX = "kvg_";
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Cloned for each digest: getInstance looks the algorithm up in the providers every time. */
  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

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

  /** {@code kvg_} and 32-128 ASCII letters or digits. */
  public static boolean isKeyFormat(String key) {
    int n = key == null ? 0 : key.length() - KEY_PREFIX.length();
    if (n < 32 || n > 128 || !key.startsWith(KEY_PREFIX)) {
      return false;
    }
    for (int i = KEY_PREFIX.length(); i < key.length(); i++) {
      char c = key.charAt(i);
      if (c >= 128 || !Character.isLetterOrDigit(c)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a bearer value has the shape of a JWT (three base64url parts). */
  public static boolean looksLikeJwt(String value) {
    int first = value.indexOf('.');
    return first > 0 && value.indexOf('.', first + 1) > first + 1 && !value.startsWith(KEY_PREFIX);
  }

  public static byte[] sha256(String secret) {
    try {
      return ((MessageDigest) SHA_256.clone()).digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
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
