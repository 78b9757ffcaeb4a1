package io.kvgate.error;

import java.nio.charset.StandardCharsets;

/**
 * The two error shapes: {@code {"error": code, "message": ...}} of /storage/kv and the rest, and
 * {@code {"error": {"type", "message"}}} of the /v2 dialect, chosen by the request path.
 */
public enum Dialect {
  QUIVA,
  APIFY;

  public static Dialect of(String path) {
    return path != null && path.startsWith("/v2/") || "/v2".equals(path) ? APIFY : QUIVA;
  }

  /** The /v2 error type of a code, where the case does not name a more precise one. */
  public static String apifyType(ErrorCode code) {
    return switch (code) {
      case VALIDATION_ERROR -> "invalid-input";
      case UNAUTHORIZED -> "invalid-token";
      case FORBIDDEN -> "insufficient-permissions";
      case NOT_FOUND -> "record-not-found";
      case METHOD_NOT_ALLOWED -> "method-not-allowed";
      case NOT_ACCEPTABLE -> "invalid-input";
      case PRECONDITION_FAILED -> "invalid-input";
      case PAYLOAD_TOO_LARGE -> "request-too-large";
      case UNSUPPORTED_MEDIA_TYPE -> "unsupported-content-type";
      case RATE_LIMITED -> "rate-limit-exceeded";
      case INTERNAL_ERROR -> "internal-server-error";
      case UNAVAILABLE -> "service-unavailable";
    };
  }

  /** The error body as JSON bytes. */
  public byte[] body(ErrorCode code, String type, String message) {
    return body(code, type, message, null);
  }

  /**
   * The error body as JSON bytes; {@code retryAfter} (seconds, or null) is told in the body too in
   * this service's own dialect.
   */
  public byte[] body(ErrorCode code, String type, String message, Long retryAfter) {
    String m = quote(message);
    String json =
        this == APIFY
            ? "{\"error\":{\"type\":\""
                + (type != null ? type : apifyType(code))
                + "\",\"message\":\""
                + m
                + "\"}}"
            : "{\"error\":\""
                + code.code()
                + "\",\"message\":\""
                + m
                + (retryAfter == null ? "\"}" : "\",\"retry_after\":" + retryAfter + "}");
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
