package io.kvgate.quiva;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Timestamps as RFC 3339 in UTC. */
final class Times {
  private Times() {}

  static String rfc3339(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
