package io.kvgate.apify;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.support.RawHttp;
import io.kvgate.support.TestAuth;
import io.restassured.RestAssured;
import io.restassured.config.DecoderConfig;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The requests, credentials and checks the {@code /v2/key-value-stores} tests share: stores and
 * records made through the dialect itself, requests without any credential, the signatures of the
 * official Apify clients, JWTs of tenants of their own, and the one error envelope.
 */
final class V2Calls {
  static final String STORES = "/v2/key-value-stores";

  /** The tenant of the bootstrap key: the {@code username} of its stores. */
  static final String BOOTSTRAP_TENANT = "default";

  static final String ID = "[0-9A-Za-z]{17}";
  static final String TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String BASE62 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private V2Calls() {}

  // ---- requests -------------------------------------------------------------------------------

  /**
   * RestAssured as a plain client: the Content-Type exactly as given (no charset appended), no
   * Accept-Encoding sent and nothing decoded, so bodies and encodings are compared byte for byte.
   * The test resource's filter adds the bootstrap key when the request names no credential.
   */
  static RequestSpecification v2() {
    return given()
        .config(
            RestAssured.config()
                .encoderConfig(
                    EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false))
                .decoderConfig(DecoderConfig.decoderConfig().noContentDecoders()));
  }

  static RequestSpecification asKey(String apiKey) {
    return v2().header("X-Api-Key", apiKey);
  }

  static RequestSpecification asBearer(String token) {
    return v2().header("Authorization", "Bearer " + token);
  }

  /** A kv:admin JWT of {@code tenant}. */
  static RequestSpecification asTenant(String tenant) {
    return asBearer(jwt(tenant, "kv:admin", null));
  }

  static String random(int length) {
    return UUID.randomUUID().toString().replace("-", "").substring(0, length);
  }

  /** A store name nobody else uses. */
  static String newName() {
    return "v2-" + random(14);
  }

  /** A tenant nobody else uses. */
  static String newTenant() {
    return "tn-" + random(12);
  }

  /** A well-formed store id that no store has. */
  static String missingId() {
    return "Zz" + random(15);
  }

  static String store(String storeId) {
    return STORES + "/" + storeId;
  }

  static String records(String storeId) {
    return store(storeId) + "/records";
  }

  static String record(String storeId, String key) {
    return records(storeId) + "/" + key;
  }

  static String keys(String storeId) {
    return store(storeId) + "/keys";
  }

  // ---- stores ---------------------------------------------------------------------------------

  /** Creates the store {@code name} (201) as {@code as}; returns its store object. */
  static JsonNode createStore(RequestSpecification as, String name) {
    Response r = as.post(STORES + "?name=" + name);
    assertEquals(201, r.statusCode(), "create " + name + ": " + r.asString());
    return data(r);
  }

  /** Creates the store {@code name} with the bootstrap key; returns its store object. */
  static JsonNode createStore(String name) {
    return createStore(v2(), name);
  }

  /** A new named store of the bootstrap tenant; returns its store object. */
  static JsonNode createStore() {
    return createStore(newName());
  }

  /** Creates an unnamed store (POST without name) as {@code as}; returns its store object. */
  static JsonNode createUnnamed(RequestSpecification as) {
    Response r = as.post(STORES);
    assertEquals(201, r.statusCode(), "create unnamed: " + r.asString());
    return data(r);
  }

  static JsonNode createUnnamed() {
    return createUnnamed(v2());
  }

  /** GET of a store that must exist; returns its store object. */
  static JsonNode getStore(RequestSpecification as, String storeId) {
    Response r = as.get(store(storeId));
    assertEquals(200, r.statusCode(), "get " + storeId + ": " + r.asString());
    return data(r);
  }

  static JsonNode getStore(String storeId) {
    return getStore(v2(), storeId);
  }

  /** PUT of a store with a JSON body; returns the response unchecked. */
  static Response updateStore(RequestSpecification as, String storeId, String json) {
    return as.contentType(ContentType.JSON).body(json).put(store(storeId));
  }

  /** Sets generalAccess with the bootstrap key. */
  static void setAccess(String storeId, String generalAccess) {
    Response r = updateStore(v2(), storeId, "{\"generalAccess\":\"" + generalAccess + "\"}");
    assertEquals(200, r.statusCode(), r.asString());
    assertEquals(generalAccess, data(r).path("generalAccess").asText());
  }

  /** The stats object of a store, read with the bootstrap key. */
  static JsonNode stats(String storeId) {
    return getStore(storeId).path("stats");
  }

  // ---- records --------------------------------------------------------------------------------

  /** PUT of a record with this Content-Type (null: none set by the test) and body. */
  static Response putRecord(
      RequestSpecification as, String storeId, String key, String contentType, byte[] body) {
    if (contentType != null) {
      as.contentType(contentType);
    }
    return as.body(body).put(record(storeId, key));
  }

  /** A PUT of a record that must succeed (201), with the bootstrap key. */
  static void write(String storeId, String key, String contentType, byte[] body) {
    Response r = putRecord(v2(), storeId, key, contentType, body);
    assertEquals(201, r.statusCode(), "put " + key + ": " + r.asString());
  }

  /** A PUT of a record stored compressed with {@code encoding}, that must succeed. */
  static void writeEncoded(
      String storeId, String key, String contentType, String encoding, byte[] compressed) {
    Response r =
        putRecord(v2().header("Content-Encoding", encoding), storeId, key, contentType, compressed);
    assertEquals(201, r.statusCode(), "put " + key + ": " + r.asString());
  }

  static void writeText(String storeId, String key, String text) {
    write(storeId, key, "text/plain; charset=utf-8", utf8(text));
  }

  static void writeJson(String storeId, String key, String json) {
    write(storeId, key, "application/json; charset=utf-8", utf8(json));
  }

  /** GET of a record with the bootstrap key and no Accept-Encoding. */
  static Response getRecord(String storeId, String key) {
    return v2().get(record(storeId, key));
  }

  // ---- keys -----------------------------------------------------------------------------------

  /** One page of keys (query without the leading {@code ?}, may be empty); must answer 200. */
  static JsonNode keysPage(RequestSpecification as, String storeId, String query) {
    Response r = as.get(keys(storeId) + (query.isEmpty() ? "" : "?" + query));
    assertEquals(200, r.statusCode(), "keys of " + storeId + ": " + r.asString());
    return data(r);
  }

  static JsonNode keysPage(String storeId, String query) {
    return keysPage(v2(), storeId, query);
  }

  /** The keys of the items of a keys page, in order. */
  static List<String> keyNames(JsonNode page) {
    List<String> names = new ArrayList<>();
    page.path("items").forEach(item -> names.add(item.path("key").asText()));
    return names;
  }

  // ---- credentials ----------------------------------------------------------------------------

  /**
   * Creates an API key of the credential's tenant with these permissions, limited to {@code globs}
   * when not null; returns its secret.
   */
  static String apiKey(RequestSpecification as, List<String> globs, String... permissions) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "v2-test");
    body.put("permissions", List.of(permissions));
    if (globs != null) {
      body.put("buckets", globs);
    }
    Response r = as.contentType(ContentType.JSON).body(json(body)).post("/auth/api-keys");
    assertEquals(201, r.statusCode(), "create key: " + r.asString());
    return r.jsonPath().getString("key");
  }

  /** An API key of the bootstrap tenant with these permissions and no bucket limit. */
  static String apiKey(String... permissions) {
    return apiKey(v2(), null, permissions);
  }

  /**
   * A JWT the service trusts (RS256, kid rsa-1 of the test JWKS) for {@code tenant} with the
   * space-separated {@code scope}, limited to {@code buckets} globs when not null; valid 5 minutes.
   */
  static String jwt(String tenant, String scope, List<String> buckets) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", TestAuth.ISSUER);
    claims.put("aud", TestAuth.AUDIENCE);
    claims.put("sub", "user-" + UUID.randomUUID());
    claims.put("tenant", tenant);
    claims.put("scope", scope);
    if (buckets != null) {
      claims.put("buckets", buckets);
    }
    claims.put("iat", now);
    claims.put("exp", now + 300);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "RS256");
    header.put("typ", "JWT");
    header.put("kid", "rsa-1");
    String input =
        B64URL.encodeToString(utf8(json(header))) + "." + B64URL.encodeToString(utf8(json(claims)));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(RsaKey.KEY);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64URL.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The trusted test RSA key, read once. */
  private static final class RsaKey {
    static final PrivateKey KEY = read();

    private static PrivateKey read() {
      String pem = new String(resource("jwt/rsa-private.pem"), StandardCharsets.US_ASCII);
      byte[] der =
          Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
      try {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---- signatures (reference §5.7, apify-shared-js) -------------------------------------------

  /**
   * The HMAC primitive of the Apify clients: HMAC-SHA256 as hex, its first 30 hex digits read as a
   * number and written in base62 with the alphabet {@code 0-9a-zA-Z}.
   */
  static String hmac(String secret, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(utf8(secret), "HmacSHA256"));
      String hex = HexFormat.of().formatHex(mac.doFinal(utf8(message)));
      return base62(new java.math.BigInteger(hex.substring(0, 30), 16));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String base62(java.math.BigInteger n) {
    if (n.signum() == 0) {
      return "0";
    }
    java.math.BigInteger radix = java.math.BigInteger.valueOf(62);
    StringBuilder out = new StringBuilder();
    while (n.signum() > 0) {
      java.math.BigInteger[] qr = n.divideAndRemainder(radix);
      out.append(BASE62.charAt(qr[1].intValue()));
      n = qr[0];
    }
    return out.reverse().toString();
  }

  /** The signature of a record URL: the primitive over the key alone. */
  static String recordSignature(String secret, String key) {
    return hmac(secret, key);
  }

  /**
   * The signature of a keys-list or ZIP URL, unpadded base64url of {@code
   * "0.<expiresAtMillis>.<hmac of '0.<expiresAtMillis>.<storeId>'>"}; 0 = never expires.
   */
  static String storeSignature(String secret, String storeId, long expiresAtMillis) {
    return B64URL.encodeToString(utf8(storeSignaturePlain(secret, storeId, expiresAtMillis)));
  }

  /** What {@link #storeSignature} encodes. */
  static String storeSignaturePlain(String secret, String storeId, long expiresAtMillis) {
    String head = "0." + expiresAtMillis;
    return head + "." + hmac(secret, head + "." + storeId);
  }

  /** The value of query parameter {@code name} in a URL, undecoded; empty when absent. */
  static Optional<String> queryParam(String url, String name) {
    String query = URI.create(url).getRawQuery();
    if (query == null) {
      return Optional.empty();
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return Optional.of(pair.substring(eq + 1));
      }
    }
    return Optional.empty();
  }

  // ---- requests without any credential --------------------------------------------------------

  /** An answer of the raw client: status, headers and the body bytes. */
  record Reply(int status, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
          return h.getValue().get(0);
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      return tree(body);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + text();
    }
  }

  /**
   * A request with no credential whatsoever (not even the bootstrap key every RestAssured request
   * of the tests gets), the path and query sent exactly as written, no Accept-Encoding.
   */
  static Reply anonymous(String method, String pathAndQuery) {
    return send(method, pathAndQuery, null, Map.of());
  }

  /** Like {@link #anonymous} with headers and a body (null: none). */
  static Reply send(String method, String pathAndQuery, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    try {
      HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** scheme://host:port of the running application, as RestAssured reaches it. */
  static String baseUrl() {
    return RestAssured.baseURI + ":" + RestAssured.port;
  }

  /** The path and query of an absolute URL the service handed out. */
  static String pathAndQuery(String url) {
    URI uri = URI.create(url);
    return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  // ---- checks ---------------------------------------------------------------------------------

  /** The {@code data} of a JSON success answer. */
  static JsonNode data(Response r) {
    JsonNode root = tree(r.asByteArray());
    assertTrue(root.has("data"), "no data in " + r.asString());
    return root.get("data");
  }

  /** Asserts a /v2 error: status, JSON, and exactly {@code {"error":{"type","message"}}}. */
  static void assertError(Response r, int status, String type) {
    assertError(r.statusCode(), r.header("Content-Type"), r.asByteArray(), status, type);
  }

  static void assertError(Reply r, int status, String type) {
    assertError(r.status(), r.header("Content-Type"), r.body(), status, type);
  }

  static void assertError(RawHttp.Reply r, int status, String type) {
    assertError(
        r.status(),
        r.header("Content-Type"),
        r.body().getBytes(StandardCharsets.UTF_8),
        status,
        type);
  }

  /** The shape of a /v2 error; {@code type} null accepts any non-empty kebab-case type. */
  static void assertError(
      int actualStatus, String contentType, byte[] body, int status, String type) {
    String text = new String(body, StandardCharsets.UTF_8);
    assertEquals(status, actualStatus, "status; body: " + text);
    assertNotNull(contentType, "no Content-Type on an error: " + text);
    assertTrue(contentType.startsWith("application/json"), "Content-Type " + contentType);
    JsonNode root = tree(body);
    assertEquals(List.of("error"), fieldNames(root), "top level of " + text);
    JsonNode error = root.get("error");
    assertTrue(error.isObject(), "error is not an object: " + text);
    assertEquals(
        List.of("message", "type"), fieldNames(error).stream().sorted().toList(), "in " + text);
    assertTrue(error.get("type").isTextual(), "type is not a string: " + text);
    if (type == null) {
      assertTrue(error.get("type").asText().matches("[a-z0-9]+(-[a-z0-9]+)*"), text);
    } else {
      assertEquals(type, error.get("type").asText(), "type in " + text);
    }
    assertTrue(error.get("message").isTextual(), "message is not a string: " + text);
    assertTrue(!error.get("message").asText().isBlank(), "empty message: " + text);
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + new String(json, StandardCharsets.UTF_8), e);
    }
  }

  static JsonNode tree(String json) {
    return tree(utf8(json));
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- bytes ----------------------------------------------------------------------------------

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every byte value once, 0 to 255. */
  static byte[] allBytes() {
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** HTTP's "deflate": the zlib format (RFC 1950). */
  static byte[] deflate(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater())) {
      z.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The bytes of a test resource, e.g. {@code apify/record.json.br}. */
  static byte[] resource(String name) {
    try (InputStream in = V2Calls.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InputStream stream(byte[] bytes) {
    return new ByteArrayInputStream(bytes);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
