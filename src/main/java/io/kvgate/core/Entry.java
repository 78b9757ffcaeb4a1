package io.kvgate.core;

import java.time.Instant;

/**
 * One entry: the value bytes exactly as stored, their content type and encoding, and the revision
 * of the write that stored them. {@code expiresAt} is null when the entry does not expire.
 */
public record Entry(
    String key,
    byte[] value,
    String contentType,
    String contentEncoding,
    long revision,
    Instant created,
    Instant updated,
    Instant expiresAt) {

  public static final String JSON = "application/json";

  /**
   * Whether the content type is JSON: {@code application/json} or {@code +json}, any parameters.
   */
  public boolean isJson() {
    return isJson(contentType);
  }

  public static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int end = contentType.indexOf(';');
    if (end < 0) {
      end = contentType.length();
    }
    while (end > 0 && contentType.charAt(end - 1) == ' ') {
      end--;
    }
    return (end == JSON.length() && contentType.regionMatches(true, 0, JSON, 0, end))
        || (end >= 5 && contentType.regionMatches(true, end - 5, "+json", 0, 5));
  }
}
