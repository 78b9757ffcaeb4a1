package io.kvgate.error;

import io.kvgate.quiva.QuivaDtos.ErrorBody;
import io.kvgate.security.CredentialRefused;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error response of the service. Client errors log at DEBUG; a 5xx logs once at ERROR with
 * its stack trace. No library message or class name reaches a response body.
 */
public class ErrorMappers {

  /** A check of an atomic batch failed: which one, and its key. */
  @ServerExceptionMapper
  public Response checkFailed(KvException.CheckFailed e) {
    Log.debugf("precondition_failed: %s", e.getMessage());
    return Response.status(412)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(
            new ErrorBody(
                ErrorCode.PRECONDITION_FAILED.code(), e.getMessage(), null, e.index(), e.key()))
        .build();
  }

  /** A credential was given and is wrong, expired or unknown. */
  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, HttpServerRequest request) {
    Log.debugf("unauthorized: %s", e.getMessage());
    // Only our own reasons are told; a token library's words may describe internals.
    String message =
        CredentialRefused.isSafe(e)
            ? e.getMessage()
            : "the credential is not valid: check its signature, expiry, issuer and audience";
    return challenge(render(request, ErrorCode.UNAUTHORIZED, "invalid-token", message));
  }

  /** No credential at all. */
  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, HttpServerRequest request) {
    return challenge(
        render(
            request,
            ErrorCode.UNAUTHORIZED,
            "token-not-provided",
            "a credential is required: X-Api-Key, or Authorization: Bearer with a JWT or API key"));
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, HttpServerRequest request) {
    return render(request, ErrorCode.FORBIDDEN, null, ErrorCode.FORBIDDEN.defaultMessage());
  }

  private static Response challenge(Response response) {
    return Response.fromResponse(response).header("WWW-Authenticate", "Bearer").build();
  }

  /** Every KvException (429 included), as {@link ErrorReplies} renders it. */
  @ServerExceptionMapper
  public Response kv(KvException e, HttpServerRequest request) {
    return ErrorReplies.of(e, request.path()).response();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, HttpServerRequest request) {
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    ErrorCode code = ErrorCode.forStatus(status);
    if (status >= 500) {
      Log.error("request failed", e);
    } else {
      Log.debugf("HTTP %d: %s", status, e.getMessage());
    }
    String message =
        switch (status) {
          case 404 -> "no such resource: check the path";
          case 405 -> "this method is not allowed on this resource";
          case 406 -> "this resource answers with application/json";
          case 415 -> "unsupported Content-Type";
          default -> code.defaultMessage();
        };
    String type =
        status == 415 && Dialect.of(request.path()) == Dialect.APIFY
            ? "invalid-content-type-header"
            : status == 404 && Dialect.of(request.path()) == Dialect.APIFY
                ? "page-not-found"
                : null;
    return Response.fromResponse(render(request, code, type, message)).status(status).build();
  }

  /** The HTTP layer cut a chunked body off at the cap and has already answered 413. */
  @ServerExceptionMapper
  public Response bodyCutOff(java.io.IOException e, HttpServerRequest request) {
    if ("Request too large".equals(e.getMessage())) {
      Log.debug("request body over the cap, refused by the HTTP layer");
      return render(
          request, ErrorCode.PAYLOAD_TOO_LARGE, null, ErrorCode.PAYLOAD_TOO_LARGE.defaultMessage());
    }
    return unexpected(e, request);
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, HttpServerRequest request) {
    return ErrorReplies.of(e, request.path()).response();
  }

  /** The error envelope of the request's dialect; {@code type} names the /v2 case (or null). */
  private static Response render(
      HttpServerRequest request, ErrorCode code, String type, String message) {
    return ErrorReplies.reply(request.path(), code, type, message).response();
  }
}
