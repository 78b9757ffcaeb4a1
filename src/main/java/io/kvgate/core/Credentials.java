package io.kvgate.core;

import io.smallrye.mutiny.Uni;
import java.time.Instant;

/**
 * The port a long-lived request (a watch) checks its credential through while it lasts: a revoked
 * API key or an expired token ends it, as it would refuse a new request.
 */
public interface Credentials {

  /** Whether the API key with this secret hash is still valid (known and not expired). */
  Uni<Boolean> stillValid(String apiKeyHash);

  /**
   * What a request was let in with: the hash of its API key (null for a token or a key that cannot
   * be revoked) and when its credential expires (null: never).
   */
  record Held(String apiKeyHash, Instant expiresAt) {}
}
