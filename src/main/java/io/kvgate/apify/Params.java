package io.kvgate.apify;

import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;

/** Query values of the /v2 dialect: numbers, and booleans written {@code true}/{@code 1}. */
final class Params {
  private Params() {}

  static long number(String name, String value, long fallback, long min, long max) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw invalid("'" + name + "' must be a whole number");
    }
    if (n < min) {
      throw invalid("'" + name + "' must be at least " + min);
    }
    return Math.min(n, max);
  }

  static boolean bool(String name, String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw invalid("'" + name + "' must be true, false, 1 or 0");
    };
  }

  static KvException invalid(String message) {
    return new KvException(ErrorCode.VALIDATION_ERROR, message, "invalid-parameter");
  }
}
