package io.kvgate.redis;

import io.kvgate.core.Entry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/** Reads the stored record format (see prelude.lua) into entries. */
final class Records {
  private Records() {}

  static Entry parse(String key, byte[] rec) {
    int[] nl = new int[6];
    int from = 0;
    for (int i = 0; i < 6; i++) {
      int p = from;
      while (rec[p] != '\n') {
        p++;
      }
      nl[i] = p;
      from = p + 1;
    }
    long rev = number(rec, 0, nl[0]);
    long created = number(rec, nl[0] + 1, nl[1]);
    long updated = number(rec, nl[1] + 1, nl[2]);
    long expires = number(rec, nl[2] + 1, nl[3]);
    String contentType = text(rec, nl[3] + 1, nl[4]);
    String contentEncoding = text(rec, nl[4] + 1, nl[5]);
    byte[] value = Arrays.copyOfRange(rec, nl[5] + 1, rec.length);
    return new Entry(
        key,
        value,
        contentType,
        contentEncoding,
        rev,
        Instant.ofEpochMilli(created),
        Instant.ofEpochMilli(updated),
        expires > 0 ? Instant.ofEpochMilli(expires) : null);
  }

  private static long number(byte[] b, int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      n = n * 10 + (b[i] - '0');
    }
    return n;
  }

  private static String text(byte[] b, int from, int to) {
    return to == from ? null : new String(b, from, to - from, StandardCharsets.UTF_8);
  }
}
