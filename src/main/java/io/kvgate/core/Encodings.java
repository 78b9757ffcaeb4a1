package io.kvgate.core;

import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.brotli.dec.BrotliInputStream;

/**
 * The content codings a record may be stored in ({@code gzip}, {@code deflate}, {@code br}, or
 * none) and their decoding, bounded so that a small body cannot expand without limit.
 */
public final class Encodings {
  public static final String IDENTITY = "identity";

  private Encodings() {}

  /**
   * The coding a request names in Content-Encoding, lower-cased; null for none or identity. Fails
   * with 415 for any other coding (or a list of several).
   */
  public static String require(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String coding = header.trim().toLowerCase(Locale.ROOT);
    return switch (coding) {
      case IDENTITY -> null;
      case "gzip", "deflate", "br" -> coding;
      case "x-gzip" -> "gzip";
      default ->
          throw new KvException(
              ErrorCode.UNSUPPORTED_MEDIA_TYPE,
              "Content-Encoding \""
                  + header.trim()
                  + "\" is not supported: use gzip, deflate, br or identity",
              "unsupported-content-encoding");
    };
  }

  /** Whether a stored coding means the bytes are encoded. */
  public static boolean isEncoded(String coding) {
    return coding != null && !coding.isEmpty() && !coding.equals(IDENTITY);
  }

  /** A stream of the decoded bytes. */
  private static InputStream decoding(String coding, byte[] encoded) throws IOException {
    InputStream in = new ByteArrayInputStream(encoded);
    return switch (coding) {
      case "gzip" -> new GZIPInputStream(in, 8192);
      // HTTP's deflate is zlib-wrapped; some senders send a raw deflate stream, so both are read.
      case "deflate" -> new InflaterInputStream(in, new Inflater(!hasZlibHeader(encoded)), 8192);
      case "br" -> new BrotliInputStream(in);
      default -> in;
    };
  }

  /**
   * A stream of the decoded bytes that fails, with a {@link KvException} as the cause of its
   * IOException, past {@code max} bytes (413) or when the bytes are not in their coding (415).
   */
  public static InputStream bounded(String coding, byte[] encoded, long max) {
    InputStream decoded;
    try {
      decoded = decoding(coding, encoded);
    } catch (IOException e) {
      decoded = new FailingStream(notInCoding(coding));
    }
    InputStream in = decoded;
    return new InputStream() {
      private long total;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
          n = in.read(b, off, len);
        } catch (IOException | RuntimeException e) {
          throw new IOException(notInCoding(coding));
        }
        if (n > 0) {
          total += n;
          if (total > max) {
            throw new IOException(tooLarge(max));
          }
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private static final class FailingStream extends InputStream {
    private final KvException cause;

    FailingStream(KvException cause) {
      this.cause = cause;
    }

    @Override
    public int read() throws IOException {
      throw new IOException(cause);
    }
  }

  private static KvException tooLarge(long max) {
    return new KvException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "the body decodes to more than the limit of " + max + " bytes",
        "request-too-large");
  }

  private static KvException notInCoding(String coding) {
    return new KvException(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "the body is not valid " + coding + " data",
        "unsupported-content-encoding");
  }

  /**
   * The decoded bytes, at most {@code max} of them: 413 beyond, 415 when the bytes are not in the
   * coding they claim.
   */
  public static byte[] decode(String coding, byte[] encoded, long max) {
    if (!isEncoded(coding)) {
      return encoded;
    }
    try (InputStream in = bounded(coding, encoded, max)) {
      ByteArrayOutputStream out =
          new ByteArrayOutputStream((int) Math.min(max, Math.max(64L, encoded.length * 4L)));
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw e.getCause() instanceof KvException k ? k : notInCoding(coding);
    }
  }

  /**
   * Whether a coding is acceptable to a client by its Accept-Encoding header (RFC 9110 §12.5.3); no
   * header at all is taken as "decoded only", which is what a plain client can read.
   */
  public static boolean accepts(String acceptEncoding, String coding) {
    if (acceptEncoding == null || acceptEncoding.isBlank()) {
      return false;
    }
    Double star = null;
    for (String part : acceptEncoding.split(",")) {
      String[] pieces = part.trim().split(";");
      String name = pieces[0].trim().toLowerCase(Locale.ROOT);
      double q = quality(pieces);
      if (name.equals(coding) || (coding.equals("gzip") && name.equals("x-gzip"))) {
        return q > 0;
      }
      if (name.equals("*")) {
        star = q;
      }
    }
    return star != null && star > 0;
  }

  private static double quality(String[] pieces) {
    for (int i = 1; i < pieces.length; i++) {
      String p = pieces[i].trim();
      if (p.startsWith("q=") || p.startsWith("Q=")) {
        try {
          return Double.parseDouble(p.substring(2).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }

  private static boolean hasZlibHeader(byte[] b) {
    return b.length >= 2 && (b[0] & 0x0f) == 8 && (((b[0] & 0xff) << 8) | (b[1] & 0xff)) % 31 == 0;
  }
}
