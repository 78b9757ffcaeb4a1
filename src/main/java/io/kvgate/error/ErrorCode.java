package io.kvgate.error;

/** Every error the service can answer with: HTTP status, wire code and a default message. */
public enum ErrorCode {
  VALIDATION_ERROR(400, "validation_error", "the request is not valid"),
  UNAUTHORIZED(401, "unauthorized", "a valid credential is required"),
  FORBIDDEN(403, "forbidden", "the credential does not allow this operation"),
  NOT_FOUND(404, "not_found", "not found"),
  METHOD_NOT_ALLOWED(405, "method_not_allowed", "this method is not allowed on this resource"),
  NOT_ACCEPTABLE(406, "not_acceptable", "no acceptable representation"),
  PRECONDITION_FAILED(412, "precondition_failed", "a precondition failed"),
  PAYLOAD_TOO_LARGE(413, "payload_too_large", "the request body is too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "unsupported media type"),
  RATE_LIMITED(429, "rate_limited", "rate limit exceeded"),
  INTERNAL_ERROR(500, "internal_error", "internal error"),
  UNAVAILABLE(503, "unavailable", "the storage backend is unavailable, try again later");

  private final int status;
  private final String code;
  private final String defaultMessage;

  ErrorCode(int status, String code, String defaultMessage) {
    this.status = status;
    this.code = code;
    this.defaultMessage = defaultMessage;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String defaultMessage() {
    return defaultMessage;
  }

  /** The code for an HTTP status the framework produced on its own (unknown route, 405...). */
  public static ErrorCode forStatus(int status) {
    for (ErrorCode c : values()) {
      if (c.status == status) {
        return c;
      }
    }
    return status >= 500 ? INTERNAL_ERROR : VALIDATION_ERROR;
  }
}
