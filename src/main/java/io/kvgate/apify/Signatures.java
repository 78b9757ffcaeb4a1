package io.kvgate.apify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed URLs of the official Apify clients (apify-shared-js {@code hmac.ts} and {@code
 * storages.ts}): an HMAC-SHA256 cut to 120 bits and written in base62; a record's signature signs
 * its key, a store's (keys list, ZIP) signs {@code version.expiresAtMillis.storeId} and travels as
 * base64url of {@code version.expiresAtMillis.hmac}.
 */
final class Signatures {
  private static final String BASE62 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final BigInteger SIXTY_TWO = BigInteger.valueOf(62);
  private static final String VERSION = "0";

  private Signatures() {}

  /** The HMAC primitive with one secret, for signing many messages (a page of keys) at once. */
  static final class Signer {
    private final Mac mac;

    Signer(String secret) {
      try {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      } catch (NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
    }

    /** HMAC-SHA256 as hex, its first 30 digits read as a number, in base62. */
    String sign(String message) {
      String hex = HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
      return base62(new BigInteger(hex.substring(0, 30), 16));
    }
  }

  static String hmac(String secret, String message) {
    return new Signer(secret).sign(message);
  }

  /** The signature of one record's URL: it never expires. */
  static String record(String secret, String key) {
    return hmac(secret, key);
  }

  /** The signature of a store's keys or ZIP URL, valid until {@code expiresAtMillis} (0 = ever). */
  static String store(String secret, String storeId, long expiresAtMillis) {
    String hmac = hmac(secret, VERSION + "." + expiresAtMillis + "." + storeId);
    String token = VERSION + "." + expiresAtMillis + "." + hmac;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(token.getBytes(StandardCharsets.US_ASCII));
  }

  static boolean validRecord(String secret, String key, String signature) {
    return secret != null && signature != null && same(record(secret, key), signature);
  }

  /** Checks a store signature, with or without base64 padding, and its expiry. */
  static boolean validStore(String secret, String storeId, String signature, long nowMillis) {
    if (secret == null || signature == null || signature.isEmpty()) {
      return false;
    }
    String token;
    try {
      token =
          new String(
              Base64.getUrlDecoder().decode(stripPadding(signature)), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      return false;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || !parts[0].equals(VERSION) || !parts[1].matches("[0-9]{1,19}")) {
      return false;
    }
    long expires;
    try {
      expires = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    if (expires != 0 && expires <= nowMillis) {
      return false;
    }
    return same(hmac(secret, VERSION + "." + parts[1] + "." + storeId), parts[2]);
  }

  private static String stripPadding(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
    }
    return s.substring(0, end);
  }

  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code n} in base62 with the clients' alphabet: 0-9, a-z, A-Z. */
  static String base62(BigInteger n) {
    if (n.signum() == 0) {
      return "0";
    }
    StringBuilder out = new StringBuilder();
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(SIXTY_TWO);
      out.append(BASE62.charAt(qr[1].intValue()));
      n = qr[0];
    }
    return out.reverse().toString();
  }
}
