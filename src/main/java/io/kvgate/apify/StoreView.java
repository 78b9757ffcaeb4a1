package io.kvgate.apify;

import io.kvgate.config.KvgateConfig;
import io.kvgate.core.Bucket;
import io.kvgate.core.Times;
import io.kvgate.security.Secrets;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.UriInfo;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** How stores and their public URLs look in the /v2 dialect. */
@Singleton
class StoreView {
  private static final String ZEROS = "00000000000000000";
  static final String COLLECTION = "/v2/key-value-stores";

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
        Times.isoMillis(b.createdAt()),
        Times.isoMillis(b.modifiedAt()),
        Times.isoMillis(b.accessedAt()),
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

  /** A record's URL, signed when {@code signer} (of the store's secret) is given. */
  String recordUrl(String base, String storeId, String key, Signatures.Signer signer) {
    String url = base + COLLECTION + "/" + storeId + "/records/" + key;
    return signer == null ? url : url + "?signature=" + signer.sign(key);
  }

  String storeUrl(String base, String storeId) {
    return base + COLLECTION + "/" + URLEncoder.encode(storeId, StandardCharsets.UTF_8);
  }

  /** A tenant's user id: 17 base62 characters of the SHA-256 of its name, stable and opaque. */
  static String userId(String tenant) {
    String digits = Signatures.base62(new BigInteger(1, Secrets.sha256(tenant)));
    return (ZEROS + digits).substring(ZEROS.length() + digits.length() - 17);
  }

  private static String withoutSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
