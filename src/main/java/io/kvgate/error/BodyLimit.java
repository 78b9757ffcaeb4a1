package io.kvgate.error;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body over the server's cap before a byte of it is read, with the same JSON error as
 * every other: 413 {@code payload_too_large}. (Chunked bodies without a length are cut off at the
 * same cap by the HTTP layer.)
 */
@Singleton
public class BodyLimit {
  private final long max;

  BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize max) {
    this.max = max.asLongValue();
  }

  void install(@Observes Router router) {
    router.errorHandler(413, rc -> tooLarge(rc.response()));
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            rc -> {
              String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
              if (length != null && tooLong(length)) {
                tooLarge(rc.response());
                return;
              }
              rc.next();
            });
  }

  private void tooLarge(HttpServerResponse response) {
    if (response.ended()) {
      return;
    }
    if (!response.headWritten()) {
      response
          .setStatusCode(413)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.end(
        "{\"error\":\"payload_too_large\",\"message\":\"the request body is over the server's"
            + " limit of "
            + max
            + " bytes\"}");
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > max;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
