package io.kvgate.security;

import io.smallrye.mutiny.Uni;

/** The shared side of the rate limits: one counter per subject and window, across replicas. */
public interface RateCounters {
  /** Adds {@code delta} to a window's counter and returns the total of all replicas. */
  Uni<Long> add(String subject, long window, long delta, long ttlMs);
}
