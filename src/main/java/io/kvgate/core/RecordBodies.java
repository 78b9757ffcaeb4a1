package io.kvgate.core;

import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What a record body of any content type must be before it is stored: readable in the coding it
 * names (415 otherwise) and, when its type is JSON, JSON once decoded (400 {@code invalid-value}),
 * so that every reader, the JSON-only dialect included, can use what is stored.
 */
@Singleton
public class RecordBodies {
  /** Bodies up to this size with nothing to decode are checked on the calling thread. */
  private static final int INLINE_CHECK_MAX = 256 * 1024;

  private final JsonValues json;
  private final long maxDecoded;

  RecordBodies(JsonValues json, KvgateConfig config) {
    this.json = json;
    this.maxDecoded = config.limits().maxDecodedSize().asLongValue();
  }

  /** The most bytes a stored value is decoded to, for readers who cannot take its coding. */
  public long maxDecoded() {
    return maxDecoded;
  }

  /**
   * Completes when the body may be stored; large or compressed bodies are checked off the event
   * loop. {@code coding} is null for none.
   */
  public Uni<Void> check(String contentType, String coding, byte[] value) {
    boolean isJson = Entry.isJson(contentType);
    if (coding == null && (!isJson || value.length <= INLINE_CHECK_MAX)) {
      if (isJson) {
        json.requireAnyJson(new ByteArrayInputStream(value), "invalid-value");
      }
      return Uni.createFrom().voidItem();
    }
    return Uni.createFrom()
        .<Void>item(
            () -> {
              read(
                  coding == null
                      ? new ByteArrayInputStream(value)
                      : Encodings.bounded(coding, value, maxDecoded),
                  isJson);
              return null;
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  private void read(InputStream body, boolean isJson) {
    try (InputStream in = body) {
      if (isJson) {
        json.requireAnyJson(in, "invalid-value");
      } else {
        in.transferTo(OutputStream.nullOutputStream());
      }
    } catch (IOException e) {
      throw e.getCause() instanceof KvException k
          ? k
          : new KvException(ErrorCode.VALIDATION_ERROR, "the body is not readable");
    }
  }
}
