package io.kvgate.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.TestAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JWT built by hand, so that a test can change exactly one thing of a token the service accepts:
 * a claim, the signing key, the algorithm. {@link #valid} is that accepted token; every rejected
 * one in the tests is a {@link #copy} of it with one change.
 */
final class Token {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** The trusted RSA key of the JWKS (kid rsa-1). */
  static final PrivateKey RSA = privateKey("jwt/rsa-private.pem", "RSA");

  /** The trusted EC P-256 key of the JWKS (kid ec-1). */
  static final PrivateKey EC = privateKey("jwt/ec-private.pem", "EC");

  /** An RSA key the service does not trust. */
  static final PrivateKey OTHER_RSA = privateKey("jwt/other-rsa-private.pem", "RSA");

  private final Map<String, Object> claims;

  private Token(Map<String, Object> claims) {
    this.claims = claims;
  }

  /**
   * A token the service accepts: trusted issuer and audience, a subject of its own, the tenant,
   * scope {@code kv:admin}, issued now and valid for five minutes.
   */
  static Token valid(String tenant) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", TestAuth.ISSUER);
    c.put("aud", TestAuth.AUDIENCE);
    c.put("sub", "user-" + UUID.randomUUID());
    c.put("tenant", tenant);
    c.put("scope", "kv:admin");
    c.put("iat", now);
    c.put("exp", now + 300);
    return new Token(c);
  }

  Token copy() {
    return new Token(new LinkedHashMap<>(claims));
  }

  /** Sets (or replaces) a claim. */
  Token with(String claim, Object value) {
    claims.put(claim, value);
    return this;
  }

  Token without(String claim) {
    claims.remove(claim);
    return this;
  }

  /** Signed RS256 with the trusted RSA key, kid rsa-1. */
  String rs256() {
    return signed(RSA, "rsa-1");
  }

  /** Signed ES256 with the trusted EC key, kid ec-1. */
  String es256() {
    return es256As("ec-1");
  }

  /** Signed ES256 with the trusted EC key, naming {@code kid}. */
  String es256As(String kid) {
    return jws(header("ES256", kid), sign("SHA256withECDSAinP1363Format", EC));
  }

  /** Signed RS256 with {@code key}, naming {@code kid}. */
  String signed(PrivateKey key, String kid) {
    return jws(header("RS256", kid), sign("SHA256withRSA", key));
  }

  /** No signature at all, under the given spelling of {@code alg: none}: {@code header.payload.} */
  String unsigned(String alg) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg);
    h.put("typ", "JWT");
    return encode(h) + "." + encode(claims) + ".";
  }

  /** HS256 with {@code secret} as the HMAC key (the classic algorithm-confusion attack). */
  String hs256(byte[] secret, String kid) {
    String signingInput = encode(header("HS256", kid)) + "." + encode(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] sig = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Signer {
    byte[] sign(byte[] input) throws GeneralSecurityException;
  }

  private static Signer sign(String algorithm, PrivateKey key) {
    return input -> {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(input);
      return s.sign();
    };
  }

  private String jws(Map<String, Object> header, Signer signer) {
    String signingInput = encode(header) + "." + encode(claims);
    try {
      byte[] sig = signer.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> header(String alg, String kid) {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("alg", alg);
    h.put("typ", "JWT");
    h.put("kid", kid);
    return h;
  }

  static String encode(Object json) {
    try {
      return B64.encodeToString(JSON.writeValueAsBytes(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bytes of a test resource. */
  static byte[] resource(String name) {
    try (InputStream in = Token.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The DER bytes inside a PEM file. */
  static byte[] der(String pemResource) {
    String pem = new String(resource(pemResource), StandardCharsets.US_ASCII);
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(base64);
  }

  private static PrivateKey privateKey(String pemResource, String algorithm) {
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(der(pemResource)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
