package io.kvgate.apify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The signature helper of the tests against the reference's known vectors (§5.7), so that the
 * server's signatures are compared with a computation proven right on its own.
 */
class SignatureVectorsTest {

  @Test
  void hmacPrimitiveMatchesTheReferenceVector() {
    assertEquals(
        "pcVagAsudj8dFqdlg7mG",
        V2Calls.hmac("hmac-secret-key", "hmac-message-to-be-authenticated"));
  }

  @Test
  void storeSignatureWithoutExpiryMatchesTheReferenceVector() {
    assertEquals(
        "0.0.3TwfEE659ufSNsmS47lR",
        V2Calls.storeSignaturePlain("hmac-secret-key", "resource-id", 0));
    assertEquals(
        "MC4wLjNUd2ZFRTY1OXVmU05zbVM0N2xS",
        V2Calls.storeSignature("hmac-secret-key", "resource-id", 0));
  }

  @Test
  void storeSignatureIsUnpaddedBase64UrlOfItsPlainForm() {
    String plain = V2Calls.storeSignaturePlain("hmac-secret-key", "resource-id", 1234567890123L);
    String signature = V2Calls.storeSignature("hmac-secret-key", "resource-id", 1234567890123L);
    assertEquals(
        plain, new String(Base64.getUrlDecoder().decode(signature), StandardCharsets.US_ASCII));
    assertEquals(-1, signature.indexOf('='));
  }

  @Test
  void recordSignatureIsThePrimitiveOverTheKey() {
    assertEquals(
        V2Calls.hmac("hmac-secret-key", "INPUT"),
        V2Calls.recordSignature("hmac-secret-key", "INPUT"));
  }

  @Test
  void base62UsesDigitsThenLowerThenUpperCase() {
    assertEquals("0", V2Calls.base62(BigInteger.ZERO));
    assertEquals("a", V2Calls.base62(BigInteger.valueOf(10)));
    assertEquals("A", V2Calls.base62(BigInteger.valueOf(36)));
    assertEquals("10", V2Calls.base62(BigInteger.valueOf(62)));
  }
}
