package io.kvgate.quiva;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small JSON writer for the entry envelopes: stored JSON values are spliced in as they are, never
 * parsed and written again. The caller keeps the structure right; commas are its job too.
 */
final class JsonOut {
  private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
  private final ByteArrayOutputStream out;

  JsonOut(int sizeHint) {
    out = new ByteArrayOutputStream(Math.max(64, sizeHint));
  }

  JsonOut raw(String ascii) {
    out.writeBytes(ascii.getBytes(StandardCharsets.ISO_8859_1));
    return this;
  }

  JsonOut raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  JsonOut string(String s) {
    if (s == null) {
      return raw("null");
    }
    out.write('"');
    out.writeBytes(ENCODER.quoteAsUTF8(s));
    out.write('"');
    return this;
  }

  /** {@code "name":} */
  JsonOut field(String name) {
    out.write('"');
    out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
    out.write('"');
    out.write(':');
    return this;
  }

  JsonOut number(long n) {
    return raw(Long.toString(n));
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
