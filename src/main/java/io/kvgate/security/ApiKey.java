package io.kvgate.security;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** An API key as stored (never its secret): who it acts for and what it may do. */
public record ApiKey(
    String id,
    String tenant,
    String name,
    Set<Permission> permissions,
    List<String> buckets,
    Instant created,
    Instant expiresAt,
    Instant lastUsedAt) {

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
