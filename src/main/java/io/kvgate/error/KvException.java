package io.kvgate.error;

/**
 * The one exception type of the service: an {@link ErrorCode}, a message safe to show and, where
 * the /v2 dialect names the case more precisely than the code does, its error type.
 */
public class KvException extends RuntimeException {
  private final ErrorCode code;
  private final String type;

  public KvException(ErrorCode code, String message, String type) {
    super(message == null ? code.defaultMessage() : message, null, false, false);
    this.code = code;
    this.type = type;
  }

  public KvException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public KvException(ErrorCode code) {
    this(code, null);
  }

  public ErrorCode code() {
    return code;
  }

  /** The /v2 error type of this case, or null to take the one of the code. */
  public String type() {
    return type;
  }

  /** The bucket a request names is not there (for this tenant). */
  public static final class BucketMissing extends KvException {
    public BucketMissing(String label) {
      super(ErrorCode.NOT_FOUND, "bucket '" + label + "' not found");
    }
  }

  /** A bucket name the tenant already uses (400, as the public API has it). */
  public static final class BucketExists extends KvException {
    public BucketExists(String name) {
      super(ErrorCode.VALIDATION_ERROR, "bucket '" + name + "' already exists", "name-not-unique");
    }
  }

  /** A check of an atomic batch failed: which one (0-based) and its key. */
  public static final class CheckFailed extends KvException {
    private final int index;
    private final String key;

    public CheckFailed(int index, String key, long current) {
      super(
          ErrorCode.PRECONDITION_FAILED,
          "check "
              + index
              + " failed: '"
              + key
              + "' is "
              + (current == 0 ? "absent" : "at revision " + current));
      this.index = index;
      this.key = key;
    }

    public int index() {
      return index;
    }

    public String key() {
      return key;
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
