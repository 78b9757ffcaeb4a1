package io.kvgate.error;

/** The one exception type of the service: an {@link ErrorCode} and a message safe to show. */
public class KvException extends RuntimeException {
  private final ErrorCode code;

  public KvException(ErrorCode code, String message) {
    super(message == null ? code.defaultMessage() : message, null, false, false);
    this.code = code;
  }

  public KvException(ErrorCode code) {
    this(code, null);
  }

  public ErrorCode code() {
    return code;
  }

  /** A bucket name the tenant already uses (400, as the public API has it). */
  public static final class BucketExists extends KvException {
    public BucketExists(String name) {
      super(ErrorCode.VALIDATION_ERROR, "bucket '" + name + "' already exists");
    }
  }

  /** A rate limit reached: 429 with the seconds until the window turns. */
  public static final class RateLimited extends KvException {
    private final long limit;
    private final long retryAfter;

    public RateLimited(long limit, long retryAfter) {
      super(ErrorCode.RATE_LIMITED, "rate limit of " + limit + " requests reached; retry later");
      this.limit = limit;
      this.retryAfter = retryAfter;
    }

    public long limit() {
      return limit;
    }

    public long retryAfter() {
      return retryAfter;
    }
  }

  public static KvException validation(String message) {
    return new KvException(ErrorCode.VALIDATION_ERROR, message);
  }

  public static KvException notFound(String message) {
    return new KvException(ErrorCode.NOT_FOUND, message);
  }

  public static KvException preconditionFailed(String message) {
    return new KvException(ErrorCode.PRECONDITION_FAILED, message);
  }

  public static KvException unavailable(String message) {
    return new KvException(ErrorCode.UNAVAILABLE, message);
  }
}
