package io.kvgate.security;

import io.kvgate.core.Credentials;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The one place that decides whether a caller may do an operation on a bucket, for both dialects:
 * the rate limits, the permission, then the bucket globs. A bucket of another tenant never gets
 * here as such: the caller's tenant is the namespace every lookup runs in, so it is simply absent.
 */
@Singleton
public class Access {
  /** Where the rate-limit decision of a request is kept for the response headers. */
  static final String DECISION = "kvgate.rate-limit";

  private final SecurityIdentity identity;
  private final CurrentIdentityAssociation association;
  private final RateLimiter limiter;

  Access(SecurityIdentity identity, CurrentIdentityAssociation association, RateLimiter limiter) {
    this.identity = identity;
    this.association = association;
    this.limiter = limiter;
  }

  /**
   * The authenticated caller, allowed {@code permission} on {@code bucket} (null = no bucket). The
   * request counts against the rate limits first, so even a refused one carries the headers.
   */
  public Caller require(Permission permission, String bucket) {
    return require(caller(), permission, bucket);
  }

  /** {@link #require(Permission, String)} for a caller already known. */
  public Caller require(Caller caller, Permission permission, String bucket) {
    limit(caller.principal(), caller.tenant(), bucket);
    authorize(caller, permission, bucket);
    return caller;
  }

  /**
   * {@link #require} for endpoints that also serve requests without a credential: the identity is
   * awaited rather than assumed resolved.
   */
  public Uni<Caller> requireAsync(Permission permission, String bucket) {
    return callerIfAny()
        .map(
            caller -> {
              if (caller == null) {
                throw notAuthenticated();
              }
              limit(caller.principal(), caller.tenant(), bucket);
              authorize(caller, permission, bucket);
              return caller;
            });
  }

  /**
   * Counts a request against the limits of its principal (null: counted already) and of the bucket
   * it uses (null = none); fails with 429 over either.
   */
  public void limit(String principal, String tenant, String bucket) {
    if (!limiter.enabled() || (principal == null && bucket == null)) {
      return;
    }
    Context context = Vertx.currentContext();
    try {
      RateLimiter.Decision d = limiter.acquire(principal, tenant, bucket);
      if (context != null) {
        // A request counted in steps (principal, then the bucket it turns out to use) reports the
        // tighter decision.
        Object earlier = context.getLocal(DECISION);
        if (!(earlier instanceof RateLimiter.Decision e) || d.remaining() < e.remaining()) {
          context.putLocal(DECISION, d);
        }
      }
    } catch (KvException.RateLimited e) {
      if (context != null) {
        context.putLocal(DECISION, new RateLimiter.Decision(e.limit(), 0));
      }
      throw e;
    }
  }

  /**
   * Fails with 403 unless the caller has {@code permission}, and may use the bucket called {@code
   * name} (null = no particular bucket).
   */
  public void authorize(Caller caller, Permission permission, String name) {
    if (!caller.has(permission)) {
      throw new KvException(
          ErrorCode.FORBIDDEN,
          "this credential does not have " + permission.scope(),
          "insufficient-permissions");
    }
    if (name != null && !caller.mayUse(name)) {
      throw new KvException(
          ErrorCode.FORBIDDEN,
          "this credential is not allowed on bucket '" + name + "'",
          "insufficient-permissions");
    }
  }

  /** The credential the request was let in with, for a request that lasts (a watch). */
  public Credentials.Held held() {
    String hash = identity.getAttribute(Caller.KEY_HASH);
    Instant expires = null;
    if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
      expires = Instant.ofEpochSecond(jwt.getExpirationTime());
    }
    return new Credentials.Held(hash, expires);
  }

  /** The authenticated caller. */
  public Caller caller() {
    Caller caller = identity.getAttribute(Caller.ATTRIBUTE);
    if (caller == null) {
      throw notAuthenticated();
    }
    return caller;
  }

  /**
   * The caller, or null for a request without any credential; a wrong credential fails with 401.
   */
  public Uni<Caller> callerIfAny() {
    return association
        .getDeferredIdentity()
        .map(
            id ->
                id == null || id.isAnonymous() ? null : id.<Caller>getAttribute(Caller.ATTRIBUTE));
  }

  public static KvException notAuthenticated() {
    return new KvException(
        ErrorCode.UNAUTHORIZED, "a valid credential is required", "token-not-provided");
  }
}
