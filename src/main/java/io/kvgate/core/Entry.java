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

  public boolean isJson() {
    return contentType != null
        && (contentType.equals(JSON)
            || contentType.startsWith(JSON + ";")
            || contentType.endsWith("+json"));
  }
}
