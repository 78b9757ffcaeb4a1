package io.kvgate.quiva;

import io.kvgate.core.Precondition;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;

/** Parsing of request headers and query values shared by the resources of this dialect. */
final class Requests {
  private Requests() {}

  /** A JSON body must say so (or say nothing); anything else is 415. */
  static void requireJsonContentType(HttpHeaders headers) {
    requireJsonContentType(headers.getHeaderString(HttpHeaders.CONTENT_TYPE));
  }

  /** {@link #requireJsonContentType(HttpHeaders)} of a Content-Type value (null: none). */
  static void requireJsonContentType(String contentType) {
    if (contentType == null) {
      return;
    }
    MediaType type;
    try {
      type = MediaType.valueOf(contentType);
    } catch (IllegalArgumentException e) {
      throw new KvException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "malformed Content-Type");
    }
    boolean json =
        (type.getType().equals("application")
            && (type.getSubtype().equals("json") || type.getSubtype().endsWith("+json")));
    if (!json) {
      throw new KvException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "send the body as Content-Type: application/json, not "
              + type.getType()
              + "/"
              + type.getSubtype());
    }
  }

  /** An integer query value in [min, max]; {@code fallback} when absent. */
  static int intParam(String name, String raw, int min, int max, int fallback) {
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(raw);
      if (n >= min && n <= max) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw KvException.validation(name + " must be an integer from " + min + " to " + max);
  }

  /** A long query value in [min, max], or null when absent. */
  static Long longParam(String name, String raw, long min, long max) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      long n = Long.parseLong(raw);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw KvException.validation(name + " must be an integer from " + min + " to " + max);
  }

  /** If-Match and If-None-Match as revisions: {@code *}, or a list of quoted (or bare) numbers. */
  static Precondition precondition(String ifMatch, String ifNoneMatch) {
    boolean matchAny = "*".equals(trim(ifMatch));
    boolean noneAny = "*".equals(trim(ifNoneMatch));
    return new Precondition(
        matchAny ? List.of() : revisions("If-Match", ifMatch),
        matchAny,
        noneAny ? List.of() : revisions("If-None-Match", ifNoneMatch),
        noneAny);
  }

  static List<Long> revisions(String header, String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String tag = part.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
        tag = tag.substring(1, tag.length() - 1);
      }
      try {
        long rev = Long.parseLong(tag);
        if (rev < 1) {
          throw new NumberFormatException();
        }
        out.add(rev);
      } catch (NumberFormatException e) {
        throw KvException.validation(
            header + " must be * or entity tags of revisions, such as \"12\"");
      }
    }
    return out;
  }

  /** The entity tag of a revision. */
  static String etag(long revision) {
    return "\"" + revision + "\"";
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }
}
