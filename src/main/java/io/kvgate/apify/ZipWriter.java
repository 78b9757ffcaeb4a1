package io.kvgate.apify;

import io.kvgate.core.Encodings;
import io.kvgate.core.Entry;
import io.kvgate.error.KvException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a ZIP archive one page of records at a time: each call returns the bytes of its entries,
 * so only one page is ever held; the central directory comes last, from {@link #finish()}.
 */
final class ZipWriter {
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
  private final ZipOutputStream zip = new ZipOutputStream(buffer);
  private final long maxDecoded;

  ZipWriter(long maxDecoded) {
    this.maxDecoded = maxDecoded;
    zip.setLevel(Deflater.BEST_SPEED);
  }

  /** The archive bytes of these records, decoded when they are stored compressed. */
  byte[] add(List<Entry> entries) {
    try {
      for (Entry e : entries) {
        ZipEntry z = new ZipEntry(e.key());
        z.setTime(e.updated().toEpochMilli());
        zip.putNextEntry(z);
        zip.write(content(e));
        zip.closeEntry();
      }
      return drain();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  /** A record's content: decoded, or as stored when it does not decode within the bound. */
  private byte[] content(Entry e) {
    try {
      return Encodings.decode(e.contentEncoding(), e.value(), maxDecoded);
    } catch (KvException x) {
      return e.value();
    }
  }

  /** The central directory and end record. */
  byte[] finish() {
    try {
      zip.finish();
      return drain();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  private byte[] drain() {
    byte[] out = buffer.toByteArray();
    buffer.reset();
    return out;
  }
}
