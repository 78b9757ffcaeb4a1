package io.kvgate.security;

import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;

/**
 * The one place that decides whether a caller may do an operation on a bucket, for both dialects:
 * the permission, the bucket globs, then the rate limits. A bucket of another tenant never gets
 * here as such: the caller's tenant is the namespace every lookup runs in, so it is simply absent.
 */
@Singleton
public class Access {
  /** Where the rate-limit decision of a request is kept for the response headers. */
  static final String DECISION = "kvgate.rate-limit";

  private final SecurityIdentity identity;
  private final RateLimiter limiter;

  Access(SecurityIdentity identity, RateLimiter limiter) {
    this.identity = identity;
    this.limiter = limiter;
  }

  /**
   * The authenticated caller, allowed {@code permission} on {@code bucket} (null = no bucket). The
   * request counts against the rate limits first, so even a refused one carries the headers.
   */
  public Caller require(Permission permission, String bucket) {
    Caller caller = caller();
    if (limiter.enabled()) {
      Context context = Vertx.currentContext();
      try {
        RateLimiter.Decision d = limiter.acquire(caller.principal(), caller.tenant(), bucket);
        if (context != null) {
          context.putLocal(DECISION, d);
        }
      } catch (KvException.RateLimited e) {
        if (context != null) {
          context.putLocal(DECISION, new RateLimiter.Decision(e.limit(), 0));
        }
        throw e;
      }
    }
    if (!caller.has(permission)) {
      throw new KvException(
          ErrorCode.FORBIDDEN, "this credential does not have " + permission.scope());
    }
    if (bucket != null && !caller.mayUse(bucket)) {
      throw new KvException(
          ErrorCode.FORBIDDEN, "this credential is not allowed on bucket '" + bucket + "'");
    }
    return caller;
  }

  /** The authenticated caller. */
  public Caller caller() {
    Caller caller = identity.getAttribute(Caller.ATTRIBUTE);
    if (caller == null) {
      throw new KvException(ErrorCode.UNAUTHORIZED, "a valid credential is required");
    }
    return caller;
  }
}
