package io.kvgate.quiva;

import io.kvgate.core.Entry;
import io.kvgate.core.Utf8;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import java.nio.charset.StandardCharsets;

/**
 * How a stored value appears in this JSON-only dialect: JSON as it is, other UTF-8 text as a JSON
 * string, and binary (or encoded) values as 415 when read alone or null inside a list.
 */
final class Values {
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
    String encoding = e.contentEncoding();
    if (encoding != null && !encoding.isEmpty() && !encoding.equals("identity")) {
      return false;
    }
    if (e.isJson()) {
      out.raw(e.value());
      return true;
    }
    if (Utf8.isValid(e.value())) {
      out.string(new String(e.value(), StandardCharsets.UTF_8));
      return true;
    }
    return false;
  }
}
