package io.kvgate.quiva;

/** Bounds of request parameters in this dialect. */
final class Limits {
  /** Longest TTL accepted: ten years, in seconds. */
  static final long MAX_TTL_SECONDS = 315_360_000L;

  static final int MAX_LIMIT = 1000;
  static final int DEFAULT_LIMIT = 10;

  private Limits() {}
}
