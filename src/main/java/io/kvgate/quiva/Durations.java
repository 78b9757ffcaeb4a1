package io.kvgate.quiva;

/** Durations written the way Go writes them ({@code "3ms"}, {@code "412µs"}, {@code "1.2s"}). */
final class Durations {
  private Durations() {}

  static String since(long startNanos) {
    return format(System.nanoTime() - startNanos);
  }

  static String format(long nanos) {
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return trim(nanos / 1_000.0) + "µs";
    }
    if (nanos < 1_000_000_000) {
      return trim(nanos / 1_000_000.0) + "ms";
    }
    return trim(nanos / 1_000_000_000.0) + "s";
  }

  private static String trim(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
