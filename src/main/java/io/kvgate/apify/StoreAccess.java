package io.kvgate.apify;

import io.kvgate.config.KvgateConfig;
import io.kvgate.core.Bucket;
import io.kvgate.core.BucketRef;
import io.kvgate.core.KvStore;
import io.kvgate.core.Names;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.kvgate.security.Access;
import io.kvgate.security.Caller;
import io.kvgate.security.Permission;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.function.Function;

/**
 * Who may do what to a store addressed as the /v2 dialect does ({@code id}, {@code ~name}, {@code
 * username~name}): the caller's own stores by its permissions and bucket globs; other stores only
 * to read, and only when their general access or a valid signature allows it. A store the caller
 * may not see is not found (with a credential) or needs one (without).
 */
@Singleton
class StoreAccess {
  static final String ANYONE_WITH_ID = "ANYONE_WITH_ID_CAN_READ";
  static final String ANYONE_WITH_NAME = "ANYONE_WITH_NAME_CAN_READ";
  static final String FOLLOW_USER_SETTING = "FOLLOW_USER_SETTING";
  static final String RESTRICTED = "RESTRICTED";

  private final KvStore store;
  private final Access access;
  private final CurrentVertxRequest request;
  private final String userSetting;

  StoreAccess(KvStore store, Access access, CurrentVertxRequest request, KvgateConfig config) {
    this.store = store;
    this.access = access;
    this.request = request;
    this.userSetting = config.apify().userGeneralAccess();
  }

  /** A store a request may use, and on whose behalf. */
  record Target(BucketRef ref, Caller caller, boolean owned, Bucket.Owner owner) {}

  /** What a request offers instead of a credential: a signature of the store or of one record. */
  record Proof(String signature, String recordKey) {
    static final Proof NONE = new Proof(null, null);

    static Proof store(String signature) {
      return new Proof(signature, null);
    }

    static Proof record(String key, String signature) {
      return new Proof(signature, key);
    }

    boolean present() {
      return signature != null && !signature.isEmpty();
    }

    boolean validFor(Bucket.Owner owner) {
      return recordKey != null
          ? Signatures.validRecord(owner.secret(), recordKey, signature)
          : Signatures.validStore(
              owner.secret(), owner.id(), signature, System.currentTimeMillis());
    }
  }

  /** How a path names a store. */
  record Address(String id, String username, String name) {
    static Address parse(String storeId) {
      int tilde = storeId.lastIndexOf('~');
      if (tilde < 0) {
        return new Address(storeId, null, null);
      }
      String name = storeId.substring(tilde + 1);
      String username = tilde == 0 ? null : storeId.substring(0, tilde);
      return new Address(null, username, name);
    }
  }

  /** Runs {@code op} on the store {@code storeId} names, once the request may do {@code need}. */
  <T> Uni<T> run(String storeId, Permission need, Proof proof, Function<Target, Uni<T>> op) {
    return run(access.callerIfAny(), storeId, need, proof, op);
  }

  /**
   * {@link #run(String, Permission, Proof, Function)} for the caller {@code caller} resolves to
   * (null: no credential), which is awaited only once the store's address is known to be valid.
   */
  <T> Uni<T> run(
      Uni<Caller> caller,
      String storeId,
      Permission need,
      Proof proof,
      Function<Target, Uni<T>> op) {
    Address a = Address.parse(storeId);
    if (a.name() != null && !Names.isBucketName(a.name())) {
      return Uni.createFrom().failure(notFound());
    }
    return caller.chain(
        c -> c == null ? anonymous(a, need, proof, op) : known(c, a, need, proof, op));
  }

  private <T> Uni<T> anonymous(
      Address a, Permission need, Proof proof, Function<Target, Uni<T>> op) {
    if (need != Permission.READ || (a.id() == null && a.username() == null)) {
      return Uni.createFrom().failure(Access.notAuthenticated());
    }
    // Counted before any lookup, so requests without a credential cannot make Redis work freely.
    access.limit("anon:" + remoteAddress(), null, null);
    BucketRef ref =
        a.id() != null ? BucketRef.byId(null, a.id()) : BucketRef.named(a.username(), a.name());
    return readOthers(null, ref, a, proof, op);
  }

  private <T> Uni<T> known(
      Caller caller, Address a, Permission need, Proof proof, Function<Target, Uni<T>> op) {
    access.limit(caller.principal(), null, null);
    if (a.name() != null) {
      String tenant = a.username() != null ? a.username() : caller.tenant();
      if (!tenant.equals(caller.tenant())) {
        return foreign(caller, BucketRef.named(tenant, a.name()), a, need, proof, op);
      }
      access.limit(null, caller.tenant(), a.name());
      access.authorize(caller, need, a.name());
      return op.apply(new Target(BucketRef.named(tenant, a.name()), caller, true, null));
    }
    BucketRef own = BucketRef.byId(caller.tenant(), a.id());
    if (caller.bucketGlobs() == null) {
      // The common case needs no lookup: the operation itself finds out whether the store is ours.
      access.limit(null, caller.tenant(), a.id());
      access.authorize(caller, need, null);
      return op.apply(new Target(own, caller, true, null))
          .onFailure(KvException.BucketMissing.class)
          .recoverWithUni(() -> foreign(caller, BucketRef.byId(null, a.id()), a, need, proof, op));
    }
    // A credential narrowed to some buckets needs the store's name before anything else.
    return store
        .owner(own)
        .chain(
            o -> {
              if (o == null || !o.tenant().equals(caller.tenant())) {
                return foreign(caller, BucketRef.byId(null, a.id()), a, need, proof, op);
              }
              access.limit(null, caller.tenant(), a.id());
              if (o.name() == null) {
                access.authorize(caller, need, null);
                throw new KvException(
                    ErrorCode.FORBIDDEN,
                    "this credential is limited to named buckets; the store is unnamed",
                    "insufficient-permissions");
              }
              access.authorize(caller, need, o.name());
              return op.apply(new Target(own, caller, true, o));
            });
  }

  /** A store of another tenant (or none): readable only when public or signed. */
  private <T> Uni<T> foreign(
      Caller caller,
      BucketRef ref,
      Address a,
      Permission need,
      Proof proof,
      Function<Target, Uni<T>> op) {
    if (need != Permission.READ) {
      return Uni.createFrom().failure(notFound());
    }
    return readOthers(caller, ref, a, proof, op);
  }

  /**
   * A read of a store that is not the caller's (or of any store, without a caller): allowed by a
   * valid signature or the store's general access; refused as not found, or as needing a credential
   * when there is none.
   */
  private <T> Uni<T> readOthers(
      Caller caller, BucketRef ref, Address a, Proof proof, Function<Target, Uni<T>> op) {
    return store
        .owner(ref)
        .chain(
            o -> {
              if (proof.present()) {
                if (o == null || !proof.validFor(o)) {
                  return Uni.createFrom().failure(badSignature());
                }
              } else if (o == null || !publicReadable(o, a)) {
                return Uni.createFrom()
                    .failure(caller == null ? Access.notAuthenticated() : notFound());
              }
              access.limit(null, o.tenant(), o.id());
              return op.apply(new Target(BucketRef.byId(o.tenant(), o.id()), caller, false, o));
            });
  }

  /** Whether anyone may read the store the way it is addressed. */
  private boolean publicReadable(Bucket.Owner o, Address a) {
    String general = effective(o.generalAccess());
    if (a.id() == null) {
      return ANYONE_WITH_NAME.equals(general);
    }
    return ANYONE_WITH_ID.equals(general) || ANYONE_WITH_NAME.equals(general);
  }

  /** A store's general access with {@code FOLLOW_USER_SETTING} resolved. */
  String effective(String generalAccess) {
    return generalAccess == null || FOLLOW_USER_SETTING.equals(generalAccess)
        ? userSetting
        : generalAccess;
  }

  private String remoteAddress() {
    try {
      return request.getCurrent().request().remoteAddress().hostAddress();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  static KvException notFound() {
    return new KvException(
        ErrorCode.NOT_FOUND, "Key-value store was not found", "record-not-found");
  }

  private static KvException badSignature() {
    return new KvException(
        ErrorCode.FORBIDDEN,
        "Insufficient permissions for the key-value store: the signature is not valid or has"
            + " expired",
        "insufficient-permissions");
  }
}
