package io.kvgate.error;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks what the HTTP layer would otherwise quietly rewrite or refuse with an empty body, before
 * any resource sees the request: the raw path (the router normalises away {@code .}, {@code ..},
 * {@code //} and {@code ;...}, which would turn a key into a bucket operation), a malformed
 * Content-Type, and a body whose Content-Length is over the cap (413 before it is read; a chunked
 * body is cut off at the same cap by the HTTP layer, whose 413 has no body).
 */
@Singleton
public class RequestGuard {
  private final long max;

  RequestGuard(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize max) {
    this.max = max.asLongValue();
  }

  void install(@Observes Router router) {
    router.errorHandler(413, this::tooLarge);
    router.route().order(Integer.MIN_VALUE).handler(this::check);
  }

  private void check(RoutingContext rc) {
    String path = rc.request().path();
    String problem = path == null ? null : pathProblem(path);
    if (problem != null) {
      refuse(rc, ErrorCode.VALIDATION_ERROR, problem);
      return;
    }
    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && tooLong(length)) {
      tooLarge(rc);
      return;
    }
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !parses(type)) {
      refuse(rc, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "malformed Content-Type");
      return;
    }
    String override = methodOverride(rc);
    if (override == null) {
      rc.next();
    } else if (!override.isEmpty()) {
      rc.reroute(HttpMethod.valueOf(override), rc.request().uri());
    }
  }

  /**
   * The /v2 dialect's {@code ?method=} on a GET, for clients that can only send GET: the method the
   * request is to be taken as, null for none, or empty when an unknown method was answered 405
   * here.
   */
  private static String methodOverride(RoutingContext rc) {
    String query = rc.request().query();
    if (query == null
        || !query.contains("method=")
        || rc.request().method() != HttpMethod.GET
        || Dialect.of(rc.request().path()) != Dialect.APIFY) {
      return null;
    }
    String method = rc.request().getParam("method");
    if (method == null || method.isEmpty() || method.equalsIgnoreCase("GET")) {
      return null;
    }
    String upper = method.toUpperCase(java.util.Locale.ROOT);
    return switch (upper) {
      case "HEAD", "POST", "PUT", "DELETE" -> upper;
      default -> {
        refuse(rc, ErrorCode.METHOD_NOT_ALLOWED, "?method= takes HEAD, POST, PUT or DELETE");
        yield "";
      }
    };
  }

  /**
   * Why a raw API path cannot be taken as sent, or null. Segments must not be empty, {@code .} or
   * {@code ..} (also percent-encoded), and must not hold {@code ;} or a broken percent-escape.
   */
  static String pathProblem(String path) {
    if (!path.startsWith("/storage/") && !path.startsWith("/v2/") || plain(path)) {
      return null;
    }
    String[] segments = path.split("/", -1);
    for (int i = 1; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.isEmpty()) {
        if (last && !path.contains("/entries/")) {
          continue; // a trailing slash on a collection path is harmless
        }
        return "the path has an empty segment: a key must not start or end with / or hold //";
      }
      if (s.indexOf(';') >= 0) {
        return "the path must not contain ';'";
      }
      String decoded = decodeDots(s);
      if (decoded == null) {
        return "the path has a broken percent-escape";
      }
      if (decoded.equals(".") || decoded.equals("..")) {
        return "the path has a '.' or '..' segment, which no key or name may have";
      }
    }
    return null;
  }

  /** No ';', '%', "//", "/." and no trailing '/': nothing the router would rewrite. */
  private static boolean plain(String path) {
    char previous = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == ';' || c == '%' || (previous == '/' && (c == '/' || c == '.'))) {
        return false;
      }
      previous = c;
    }
    return previous != '/';
  }

  /** The segment with %2E turned into '.', or null when a percent-escape is broken. */
  private static String decodeDots(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= s.length()
          || Character.digit(s.charAt(i + 1), 16) < 0
          || Character.digit(s.charAt(i + 2), 16) < 0) {
        return null;
      }
      String hex = s.substring(i + 1, i + 3);
      out.append(hex.equalsIgnoreCase("2e") ? "." : "%" + hex);
      i += 2;
    }
    return out.toString();
  }

  private static boolean parses(String type) {
    try {
      MediaType.valueOf(type);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > max;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void tooLarge(RoutingContext rc) {
    refuse(
        rc,
        ErrorCode.PAYLOAD_TOO_LARGE,
        "the request body is over the server's limit of " + max + " bytes");
  }

  private static void refuse(RoutingContext rc, ErrorCode code, String message) {
    HttpServerResponse response = rc.response();
    if (response.ended()) {
      return;
    }
    if (!response.headWritten()) {
      response.setStatusCode(code.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
      if (code == ErrorCode.PAYLOAD_TOO_LARGE) {
        response.putHeader(HttpHeaders.CONNECTION, "close");
      }
    }
    String type =
        code == ErrorCode.UNSUPPORTED_MEDIA_TYPE
            ? "invalid-content-type-header"
            : code == ErrorCode.VALIDATION_ERROR && rc.request().path().contains("/records/")
                ? "invalid-record-key"
                : null;
    response.end(Buffer.buffer(Dialect.of(rc.request().path()).body(code, type, message)));
  }
}
