package io.kvgate.apify;

import io.kvgate.apify.StoreAccess.Proof;
import io.kvgate.core.Encodings;
import io.kvgate.core.Entry;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.core.RecordBodies;
import io.kvgate.core.Times;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.kvgate.http.Reply;
import io.kvgate.security.Caller;
import io.kvgate.security.Permission;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;

/**
 * The record read of the /v2 dialect for a caller given as a Uni (null: no credential): the one
 * implementation that {@link RecordResource} serves through the REST layer and {@code DirectRoutes}
 * without it.
 */
@Singleton
public class RecordHandlers {
  static final String DEFAULT_TYPE = "application/octet-stream";

  private final KvStore store;
  private final StoreAccess stores;
  private final long maxDecoded;

  RecordHandlers(KvStore store, StoreAccess stores, RecordBodies bodies) {
    this.store = store;
    this.stores = stores;
    this.maxDecoded = bodies.maxDecoded();
  }

  /**
   * A record's bytes with the type it was stored with, in its stored encoding when the client
   * accepts it and decoded (on a worker thread) otherwise.
   */
  public Uni<Reply> get(
      Uni<Caller> caller,
      String storeId,
      String key,
      String attachment,
      String signature,
      String acceptEncoding) {
    requireKey(key);
    boolean download = Params.bool("attachment", attachment);
    return stores
        .run(
            caller,
            storeId,
            Permission.READ,
            Proof.record(key, signature),
            t -> store.get(t.ref(), key, null))
        .chain(
            e -> {
              if (e == null) {
                throw recordNotFound();
              }
              String coding = e.contentEncoding();
              if (!Encodings.isEncoded(coding) || Encodings.accepts(acceptEncoding, coding)) {
                return Uni.createFrom().item(respond(e, e.value(), coding, download));
              }
              return Uni.createFrom()
                  .item(() -> Encodings.decode(coding, e.value(), maxDecoded))
                  .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                  .map(decoded -> respond(e, decoded, null, download));
            });
  }

  private static Reply respond(Entry e, byte[] bytes, String coding, boolean download) {
    Reply r =
        new Reply(
            200,
            contentType(e),
            bytes,
            "ETag",
            "\"" + e.revision() + "\"",
            "Last-Modified",
            Times.http(e.updated()),
            "Vary",
            "Accept-Encoding");
    if (coding != null) {
      r = r.with("Content-Encoding", coding);
    }
    if (download) {
      r = r.with("Content-Disposition", "attachment; filename=\"" + e.key() + "\"");
    }
    return r;
  }

  static String contentType(Entry e) {
    return e.contentType() == null ? DEFAULT_TYPE : e.contentType();
  }

  static void requireKey(String key) {
    String problem = Names.keyProblem(key);
    if (problem != null) {
      throw new KvException(ErrorCode.VALIDATION_ERROR, problem, "invalid-record-key");
    }
  }

  static KvException recordNotFound() {
    return new KvException(ErrorCode.NOT_FOUND, "Record was not found", "record-not-found");
  }
}
