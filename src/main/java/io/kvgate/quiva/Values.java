package io.kvgate.quiva;

import io.kvgate.core.Encodings;
import io.kvgate.core.Entry;
import io.kvgate.core.Utf8;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import java.nio.charset.StandardCharsets;

/**
 * How a stored value appears in this JSON-only dialect: JSON as it is, other UTF-8 text as a JSON
 * string, and binary values as 415 when read alone or null inside a list. A value stored compressed
 * (through /v2) is shown decoded; one that does not decode within the bound counts as binary.
 */
final class Values {
  /** The most a compressed value is decoded to for this dialect. */
  private static final long MAX_DECODED = 16L * 1024 * 1024;

  private Values() {}

  /** Writes the value, or fails with 415 when it cannot be shown as JSON. */
  static void writeStrict(JsonOut out, Entry e) {
    if (!writeIfShowable(out, e)) {
      throw new KvException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "the value of '"
              + e.key()
              + "' is binary ("
              + (e.contentType() == null ? "no content type" : e.contentType())
              + "); read it through /v2/key-value-stores");
    }
  }

  /** Writes the value, or null when it cannot be shown as JSON. */
  static void writeLenient(JsonOut out, Entry e) {
    if (!writeIfShowable(out, e)) {
      out.raw("null");
    }
  }

  private static boolean writeIfShowable(JsonOut out, Entry e) {
    byte[] value = e.value();
    if (Encodings.isEncoded(e.contentEncoding())) {
      try {
        value = Encodings.decode(e.contentEncoding(), value, MAX_DECODED);
      } catch (KvException notDecodable) {
        return false;
      }
    }
    // A JSON value was checked when it was written, by either dialect.
    if (e.isJson()) {
      out.raw(value);
      return true;
    }
    if (Utf8.isValid(value)) {
      out.string(new String(value, StandardCharsets.UTF_8));
      return true;
    }
    return false;
  }
}
