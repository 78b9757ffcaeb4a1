package io.kvgate.apify;

import static io.kvgate.apify.V2Calls.anonymous;
import static io.kvgate.apify.V2Calls.assertError;
import static io.kvgate.apify.V2Calls.createStore;
import static io.kvgate.apify.V2Calls.getStore;
import static io.kvgate.apify.V2Calls.keys;
import static io.kvgate.apify.V2Calls.keysPage;
import static io.kvgate.apify.V2Calls.missingId;
import static io.kvgate.apify.V2Calls.queryParam;
import static io.kvgate.apify.V2Calls.record;
import static io.kvgate.apify.V2Calls.recordSignature;
import static io.kvgate.apify.V2Calls.records;
import static io.kvgate.apify.V2Calls.setAccess;
import static io.kvgate.apify.V2Calls.storeSignature;
import static io.kvgate.apify.V2Calls.storeSignaturePlain;
import static io.kvgate.apify.V2Calls.utf8;
import static io.kvgate.apify.V2Calls.v2;
import static io.kvgate.apify.V2Calls.write;
import static io.kvgate.apify.V2Calls.writeText;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ?signature=}: the server's signatures are those of the official Apify clients, and a valid
 * one grants reads of keys, records and the ZIP without any credential (§5.7 of the reference).
 * Stores here are left at their default access, which is restricted.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class SignedUrlsTest {

  /** A store of the bootstrap tenant with one record {@code k}; its id and signing secret. */
  record Signed(String id, String secret) {}

  static Signed signedStore() {
    JsonNode s = createStore();
    String id = s.path("id").asText();
    writeText(id, "k", "secret value");
    String secret = s.path("urlSigningSecretKey").asText();
    assertTrue(!secret.isBlank(), "the owner gets no urlSigningSecretKey: " + s);
    return new Signed(id, secret);
  }

  static long inOneHour() {
    return System.currentTimeMillis() + Duration.ofHours(1).toMillis();
  }

  /** Flips one character of the HMAC part of a store signature. */
  static String tampered(String secret, String storeId, long expiresAt) {
    String plain = storeSignaturePlain(secret, storeId, expiresAt);
    char last = plain.charAt(plain.length() - 1);
    String changed = plain.substring(0, plain.length() - 1) + (last == 'a' ? 'b' : 'a');
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(changed.getBytes(StandardCharsets.US_ASCII));
  }

  @Nested
  class ServerAgreesWithTheClients {
    @Test
    void keysPublicUrlCarriesTheClientSignatureForItsExpiry() {
      Signed s = signedStore();
      String url = getStore(s.id()).path("keysPublicUrl").asText();
      String signature = queryParam(url, "signature").orElseThrow();
      String plain =
          new String(
              Base64.getUrlDecoder().decode(signature.replace("%3D", "=")),
              StandardCharsets.US_ASCII);
      String[] parts = plain.split("\\.");
      assertEquals(3, parts.length, plain);
      assertEquals("0", parts[0], "version");
      long expiresAt = Long.parseLong(parts[1]);
      long fourteenDays = System.currentTimeMillis() + Duration.ofDays(14).toMillis();
      assertTrue(
          Math.abs(expiresAt - fourteenDays) < Duration.ofMinutes(5).toMillis(),
          "expires at " + expiresAt + ", not in 14 days");
      assertEquals(
          storeSignature(s.secret(), s.id(), expiresAt),
          signature.replace("%3D", "").replace("=", ""));
    }

    @Test
    void recordPublicUrlCarriesTheClientSignatureOfTheKey() {
      Signed s = signedStore();
      writeText(s.id(), "a/b.txt", "x");
      for (JsonNode item : keysPage(s.id(), "").path("items")) {
        String key = item.path("key").asText();
        String url = item.path("recordPublicUrl").asText();
        assertEquals(
            recordSignature(s.secret(), key), queryParam(url, "signature").orElseThrow(), url);
      }
    }

    @Test
    void theSecretIsStableAndDiffersBetweenStores() {
      Signed a = signedStore();
      Signed b = signedStore();
      assertEquals(a.secret(), getStore(a.id()).path("urlSigningSecretKey").asText());
      assertTrue(!a.secret().equals(b.secret()), "two stores share a signing secret");
    }
  }

  @Nested
  class RecordSignature {
    @Test
    void grantsGetWithoutACredential() {
      Signed s = signedStore();
      V2Calls.Reply r =
          anonymous("GET", record(s.id(), "k") + "?signature=" + recordSignature(s.secret(), "k"));
      assertEquals(200, r.status(), r.toString());
      assertEquals("secret value", r.text());
    }

    @Test
    void grantsHeadWithoutACredential() {
      Signed s = signedStore();
      V2Calls.Reply r =
          anonymous("HEAD", record(s.id(), "k") + "?signature=" + recordSignature(s.secret(), "k"));
      assertEquals(200, r.status(), r.toString());
      assertEquals(0, r.body().length);
    }

    @Test
    void theRecordPublicUrlWorksAsHandedOut() {
      Signed s = signedStore();
      write(s.id(), "bin", "application/octet-stream", V2Calls.allBytes());
      String url =
          keysPage(s.id(), "prefix=bin").path("items").get(0).path("recordPublicUrl").asText();
      V2Calls.Reply r = anonymous("GET", V2Calls.pathAndQuery(url));
      assertEquals(200, r.status(), r.toString());
      assertArrayEquals(V2Calls.allBytes(), r.body());
    }

    @Test
    void doesNotOpenAnotherKey() {
      Signed s = signedStore();
      writeText(s.id(), "other", "also secret");
      V2Calls.Reply r =
          anonymous(
              "GET", record(s.id(), "other") + "?signature=" + recordSignature(s.secret(), "k"));
      assertError(r, 403, "insufficient-permissions");
    }

    @Test
    void doesNotOpenTheKeysListOrTheZip() {
      Signed s = signedStore();
      String sig = recordSignature(s.secret(), "k");
      assertError(
          anonymous("GET", keys(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
      assertError(
          anonymous("GET", records(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
    }

    @Test
    void aSignatureWithAnotherSecretIs403() {
      Signed s = signedStore();
      V2Calls.Reply r =
          anonymous("GET", record(s.id(), "k") + "?signature=" + recordSignature("guess", "k"));
      assertError(r, 403, "insufficient-permissions");
    }

    @Test
    void doesNotAllowWrites() {
      Signed s = signedStore();
      String query = "?signature=" + recordSignature(s.secret(), "k");
      V2Calls.Reply put =
          V2Calls.send(
              "PUT",
              record(s.id(), "k") + query,
              utf8("overwritten"),
              Map.of("Content-Type", "text/plain"));
      assertError(put, 401, "token-not-provided");
      assertError(anonymous("DELETE", record(s.id(), "k") + query), 401, "token-not-provided");
      assertEquals("secret value", v2().get(record(s.id(), "k")).asString());
    }
  }

  @Nested
  class StoreSignature {
    @Test
    void withoutExpiryOpensTheKeysListAndTheZip() {
      Signed s = signedStore();
      String sig = storeSignature(s.secret(), s.id(), 0);
      V2Calls.Reply list = anonymous("GET", keys(s.id()) + "?signature=" + sig);
      assertEquals(200, list.status(), list.toString());
      assertEquals("k", list.json().path("data").path("items").get(0).path("key").asText());
      V2Calls.Reply zip = anonymous("GET", records(s.id()) + "?signature=" + sig);
      assertEquals(200, zip.status(), zip.toString());
      assertEquals("application/zip", zip.header("Content-Type"));
      assertArrayEquals(utf8("secret value"), ZipTest.unzip(zip.body()).get("k"));
    }

    @Test
    void withAFutureExpiryOpensTheKeysListAndTheZip() {
      Signed s = signedStore();
      String sig = storeSignature(s.secret(), s.id(), inOneHour());
      assertEquals(200, anonymous("GET", keys(s.id()) + "?signature=" + sig).status());
      assertEquals(200, anonymous("GET", records(s.id()) + "?signature=" + sig).status());
    }

    @Test
    void otherQueryParametersAreNotSigned() {
      Signed s = signedStore();
      writeText(s.id(), "p1", "x");
      String sig = storeSignature(s.secret(), s.id(), 0);
      V2Calls.Reply r = anonymous("GET", keys(s.id()) + "?prefix=p&limit=5&signature=" + sig);
      assertEquals(200, r.status(), r.toString());
      assertEquals("p1", r.json().path("data").path("items").get(0).path("key").asText());
    }

    @Test
    void anExpiredSignatureIs403() {
      Signed s = signedStore();
      String sig = storeSignature(s.secret(), s.id(), System.currentTimeMillis() - 60_000);
      assertError(
          anonymous("GET", keys(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
      assertError(
          anonymous("GET", records(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
    }

    @Test
    void aTamperedSignatureIs403() {
      Signed s = signedStore();
      String sig = tampered(s.secret(), s.id(), 0);
      assertError(
          anonymous("GET", keys(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
      assertError(
          anonymous("GET", records(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
    }

    @Test
    void aLaterExpiryWithTheOldHmacIs403() {
      Signed s = signedStore();
      String plain = storeSignaturePlain(s.secret(), s.id(), 1000);
      String forged = "0.0." + plain.substring(plain.lastIndexOf('.') + 1);
      String sig =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(forged.getBytes(StandardCharsets.US_ASCII));
      assertError(
          anonymous("GET", keys(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
    }

    @Test
    void anotherStoresSignatureIs403() {
      Signed s = signedStore();
      Signed other = signedStore();
      String sig = storeSignature(other.secret(), other.id(), 0);
      assertError(
          anonymous("GET", keys(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%3D", "="})
    void paddedBase64IsAccepted(String pad) {
      Signed s = signedStore();
      long expiresAt = inOneHour();
      while (storeSignaturePlain(s.secret(), s.id(), expiresAt).length() % 3 == 0) {
        expiresAt++;
      }
      String unpadded = storeSignature(s.secret(), s.id(), expiresAt);
      String padded =
          Base64.getUrlEncoder()
              .encodeToString(
                  storeSignaturePlain(s.secret(), s.id(), expiresAt)
                      .getBytes(StandardCharsets.US_ASCII));
      assertTrue(padded.endsWith("="), padded);
      String query = unpadded + pad.repeat(padded.length() - unpadded.length());
      V2Calls.Reply r = anonymous("GET", keys(s.id()) + "?signature=" + query);
      assertEquals(200, r.status(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "!!!", "MC4wLjA", "MS4wLmFiYw", "MC4wLg"})
    void aMalformedSignatureIs403(String sig) {
      Signed s = signedStore();
      assertError(
          anonymous("GET", keys(s.id()) + "?signature=" + sig), 403, "insufficient-permissions");
    }

    @Test
    void aSignatureOnAMissingStoreIs403() {
      String id = missingId();
      String sig = storeSignature("whatever", id, 0);
      assertError(
          anonymous("GET", keys(id) + "?signature=" + sig), 403, "insufficient-permissions");
      assertError(
          anonymous("GET", record(id, "k") + "?signature=" + recordSignature("whatever", "k")),
          403,
          "insufficient-permissions");
    }

    @Test
    void doesNotOpenARecord() {
      Signed s = signedStore();
      String sig = storeSignature(s.secret(), s.id(), 0);
      assertError(
          anonymous("GET", record(s.id(), "k") + "?signature=" + sig),
          403,
          "insufficient-permissions");
    }
  }

  @Nested
  class WithACredential {
    @Test
    void theCredentialDecidesAndABadSignatureIsIgnored() {
      Signed s = signedStore();
      v2().get(keys(s.id()) + "?signature=garbage").then().statusCode(200);
      v2().get(record(s.id(), "k") + "?signature=garbage").then().statusCode(200);
    }

    @Test
    void aSignatureOverridesRestrictedAccess() {
      Signed s = signedStore();
      setAccess(s.id(), "RESTRICTED");
      assertEquals(
          200,
          anonymous("GET", keys(s.id()) + "?signature=" + storeSignature(s.secret(), s.id(), 0))
              .status());
      assertEquals(
          200,
          anonymous("GET", record(s.id(), "k") + "?signature=" + recordSignature(s.secret(), "k"))
              .status());
    }
  }
}
