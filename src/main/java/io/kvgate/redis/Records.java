package io.kvgate.redis;

import io.kvgate.core.Change;
import io.kvgate.core.Entry;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the stored record format and the change stream's entries (see prelude.lua). */
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

  /** The changes of a stream reply (XRANGE, or one stream of XREAD): {@code [[id, fields]...]}. */
  static List<Change> changes(Response entries) {
    if (entries == null) {
      return List.of();
    }
    List<Change> out = new ArrayList<>(entries.size());
    for (Response entry : entries) {
      out.add(change(entry.get(0).toString(), entry.get(1)));
    }
    return out;
  }

  /**
   * One stream entry: id {@code <revision>-0}, fields o (op), k (key), t (time), r or h (record).
   */
  private static Change change(String id, Response fields) {
    long revision = Long.parseLong(id.substring(0, id.indexOf('-')));
    String op = "";
    String key = "";
    long time = 0;
    byte[] rec = null;
    boolean omitted = false;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      Response v = fields.get(i + 1);
      switch (fields.get(i).toString()) {
        case "o" -> op = v.toString();
        case "k" -> key = v.toString();
        case "t" -> time = v.toLong();
        case "r" -> rec = v.toBytes();
        case "h" -> {
          rec = v.toBytes();
          omitted = true;
        }
        default -> {}
      }
    }
    Change.Op kind =
        switch (op) {
          case "p" -> Change.Op.PUT;
          case "d" -> Change.Op.DELETE;
          case "e" -> Change.Op.EXPIRE;
          case "x" -> Change.Op.PURGE;
          default -> Change.Op.GONE;
        };
    return new Change(
        kind,
        kind == Change.Op.PURGE || kind == Change.Op.GONE ? null : key,
        revision,
        Instant.ofEpochMilli(time),
        rec == null ? null : parse(key, rec),
        omitted);
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
