package io.kvgate.quiva;

import io.kvgate.core.BucketRef;
import io.kvgate.core.Entry;
import io.kvgate.core.JsonValues;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.Precondition;
import io.kvgate.core.Times;
import io.kvgate.error.KvException;
import io.kvgate.http.Reply;
import io.kvgate.security.Access;
import io.kvgate.security.Caller;
import io.kvgate.security.Permission;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * K8 (read an entry) and K9 (write one) for a caller already known: the one implementation that
 * {@link EntryResource} serves through the REST layer and {@code DirectRoutes} without it.
 */
@Singleton
public class EntryHandlers {
  private static final byte[] SUCCESS =
      "{\"message\":\"success\"}".getBytes(StandardCharsets.UTF_8);

  private final KvStore store;
  private final JsonValues json;
  private final Access access;

  EntryHandlers(KvStore store, JsonValues json, Access access) {
    this.store = store;
    this.json = json;
    this.access = access;
  }

  /** K8: the entry's value (or a kept revision), or 304 when If-None-Match names it. */
  public Uni<Reply> get(
      Caller caller, String bucket, String key, String revision, String ifNoneMatch) {
    String tenant = access.require(caller, Permission.READ, bucket).tenant();
    Names.requireBucketName(bucket);
    Names.requireKey(key);
    Long rev = Requests.longParam("revision", revision, 1, Long.MAX_VALUE);
    List<Long> notModified =
        "*".equals(ifNoneMatch) ? List.of() : Requests.revisions("If-None-Match", ifNoneMatch);
    return store
        .get(BucketRef.named(tenant, bucket), key, rev)
        .map(
            e -> {
              if (e == null) {
                throw KvException.notFound(
                    rev == null
                        ? "key '" + key + "' not found"
                        : "revision " + rev + " of key '" + key + "' is not kept");
              }
              String etag = Requests.etag(e.revision());
              if (notModified.contains(e.revision()) || "*".equals(ifNoneMatch)) {
                return Reply.empty(304, "ETag", etag);
              }
              return Reply.json(
                  200,
                  body(bucket, key, e),
                  "ETag",
                  etag,
                  "Last-Modified",
                  Times.http(e.updated()));
            });
  }

  /** {@code {body: {key, value}, metadata: {bucket, key}}}, the stored JSON spliced in as it is. */
  private static byte[] body(String bucket, String key, Entry e) {
    JsonOut out = new JsonOut(e.value().length + 96 + 2 * key.length());
    out.raw("{\"body\":{\"key\":").string(key).raw(",\"value\":");
    Values.writeStrict(out, e);
    out.raw("},\"metadata\":{\"bucket\":").string(bucket);
    out.raw(",\"key\":").string(key).raw("}}");
    return out.bytes();
  }

  /**
   * K9: writes a JSON object, conditionally with If-Match / If-None-Match, with an optional TTL.
   */
  public Uni<Reply> put(
      Caller caller,
      String bucket,
      String key,
      String ttl,
      String ifMatch,
      String ifNoneMatch,
      String contentType,
      byte[] body) {
    String tenant = access.require(caller, Permission.WRITE, bucket).tenant();
    Names.requireBucketName(bucket);
    Names.requireKey(key);
    Long ttlSeconds = Requests.longParam("ttl", ttl, 0, Limits.MAX_TTL_SECONDS);
    Precondition pre = Requests.precondition(ifMatch, ifNoneMatch);
    Requests.requireJsonContentType(contentType);
    byte[] value = json.requireObject(body);
    return store
        .put(BucketRef.named(tenant, bucket), key, value, Entry.JSON, null, ttlSeconds, pre)
        .map(rev -> Reply.json(200, SUCCESS, "ETag", Requests.etag(rev)));
  }
}
