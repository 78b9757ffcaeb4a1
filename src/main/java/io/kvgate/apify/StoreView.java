package io.kvgate.apify;

import io.kvgate.config.KvgateConfig;
import io.kvgate.core.Bucket;
import io.kvgate.security.Secrets;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.UriInfo;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** How stores and their public URLs look in the /v2 dialect. */
@Singleton
class StoreView {
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final String COLLECTION = "/v2/key-value-stores";
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final Optional<String> publicUrl;
  private final Duration keysUrlValidity;

  StoreView(KvgateConfig config) {
    this.publicUrl = config.apify().publicUrl().map(StoreView::withoutSlash);
    this.keysUrlValidity = config.apify().keysUrlValidity();
  }

  /** The scheme, host and port of the public URLs: configured, or the request's own. */
  String base(UriInfo uri) {
    return publicUrl.orElseGet(() -> withoutSlash(uri.getBaseUri().toString()));
  }

  ApifyDtos.Store store(Bucket b, boolean mayWrite, String base) {
    String keysUrl = base + COLLECTION + "/" + b.id() + "/keys";
    if (b.signingSecret() != null) {
      long expires = System.currentTimeMillis() + keysUrlValidity.toMillis();
      keysUrl += "?signature=" + Signatures.store(b.signingSecret(), b.id(), expires);
    }
    return new ApifyDtos.Store(
        b.id(),
        b.name(),
        userId(b.tenant()),
        b.tenant(),
        iso(b.createdAt()),
        iso(b.modifiedAt()),
        iso(b.accessedAt()),
        null,
        null,
        null,
        keysUrl,
        mayWrite ? b.signingSecret() : null,
        b.generalAccess(),
        new ApifyDtos.Stats(
            b.stats().reads(),
            b.stats().writes(),
            b.stats().deletes(),
            b.stats().lists(),
            b.bytes(),
            b.bytes()));
  }

  String recordUrl(String base, String storeId, String key, String secret) {
    String url = base + COLLECTION + "/" + storeId + "/records/" + key;
    return secret == null ? url : url + "?signature=" + Signatures.record(secret, key);
  }

  String storeUrl(String base, String storeId) {
    return base + COLLECTION + "/" + URLEncoder.encode(storeId, StandardCharsets.UTF_8);
  }

  /** A tenant's user id: 17 base62 characters of the SHA-256 of its name, stable and opaque. */
  static String userId(String tenant) {
    BigInteger n = new BigInteger(1, Secrets.sha256(tenant));
    BigInteger sixtyTwo = BigInteger.valueOf(62);
    char[] out = new char[17];
    for (int i = 0; i < out.length; i++) {
      BigInteger[] qr = n.divideAndRemainder(sixtyTwo);
      out[i] = BASE62.charAt(qr[1].intValue());
      n = qr[0];
    }
    return new String(out);
  }

  /** A time as the Apify API writes it: UTC with milliseconds. */
  static String iso(Instant t) {
    return ISO.format(t);
  }

  private static String withoutSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
