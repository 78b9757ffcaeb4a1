package io.kvgate.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The three ways the dialects write a time, all in UTC. */
public final class Times {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  // RFC 9110 IMF-fixdate: always a two-digit day (RFC_1123_DATE_TIME writes "2 Nov").
  private static final DateTimeFormatter HTTP =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private Times() {}

  /** RFC 3339, as short as the time allows (the /storage/kv dialect). */
  public static String rfc3339(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** ISO 8601 with milliseconds always (the /v2 dialect: {@code 2019-12-12T07:34:14.202Z}). */
  public static String isoMillis(Instant t) {
    return MILLIS.format(t);
  }

  /** An HTTP date, for {@code Last-Modified}. */
  public static String http(Instant t) {
    return HTTP.format(t);
  }
}
