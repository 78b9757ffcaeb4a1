package io.kvgate.error;

import io.kvgate.http.Reply;
import io.quarkus.logging.Log;

/**
 * The answer to a failure of a request, in the envelope of the request's dialect: the one rendering
 * of {@link KvException} (and of anything unexpected) that the REST layer's mappers and {@code
 * DirectRoutes} both send. Client errors log at DEBUG; a 5xx other than 503 at ERROR, once.
 */
public final class ErrorReplies {
  private ErrorReplies() {}

  /** The reply to {@code failure} of a request for {@code path}. */
  public static Reply of(Throwable failure, String path) {
    if (failure instanceof KvException.RateLimited e) {
      Log.debugf("rate_limited: %s", e.getMessage());
      return Reply.json(
          429,
          Dialect.of(path).body(ErrorCode.RATE_LIMITED, null, e.getMessage(), e.retryAfter()),
          "Retry-After",
          Long.toString(e.retryAfter()));
    }
    if (failure instanceof KvException e) {
      if (e.code().status() >= 500 && e.code() != ErrorCode.UNAVAILABLE) {
        Log.errorf("%s: %s", e.code().code(), e.getMessage());
      } else {
        Log.debugf("%s: %s", e.code().code(), e.getMessage());
      }
      Reply r = reply(path, e.code(), e.type(), e.getMessage());
      return e.code() == ErrorCode.UNAUTHORIZED ? r.with("WWW-Authenticate", "Bearer") : r;
    }
    Log.error("unexpected failure", failure);
    return reply(path, ErrorCode.INTERNAL_ERROR, null, ErrorCode.INTERNAL_ERROR.defaultMessage());
  }

  /** The error envelope of the path's dialect; {@code type} names the /v2 case (or null). */
  public static Reply reply(String path, ErrorCode code, String type, String message) {
    return Reply.json(code.status(), Dialect.of(path).body(code, type, message));
  }
}
