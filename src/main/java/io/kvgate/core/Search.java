package io.kvgate.core;

import io.kvgate.error.KvException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Field search (K11): what a request asks, the rules of which search fits which field type, and the
 * index range a search reads. Ranges are over members {@code term \0 key} (see {@link IndexTerms}),
 * given as Redis lexicographic bounds.
 */
public final class Search {
  private Search() {}

  /** How the term is matched. */
  public enum Kind {
    EXACT,
    PREFIX,
    RANGE,
    FUZZY;

    static Kind of(String wire) {
      for (Kind k : values()) {
        if (k.name().toLowerCase(Locale.ROOT).equals(wire)) {
          return k;
        }
      }
      return null;
    }
  }

  /** A search as asked: field, term, kind (null = exact, or range when min or max is given). */
  public record Request(
      String field, String search, String kind, String min, String max, int limit, byte[] cursor) {}

  /**
   * What to read: the field's index suffix, and either lexicographic bounds (from, to, where this
   * page starts) or a word for a fuzzy search; {@code single} when a key has at most one member in
   * the range.
   */
  public record Plan(
      Indexing.Mapping mapping,
      Kind kind,
      byte[] from,
      byte[] to,
      byte[] start,
      boolean single,
      String word,
      String after) {}

  /**
   * A page of results: entries, index members that matched, distinct entries that match (null when
   * over the counting budget), the next cursor (null on the last page), entries a backfill passed
   * so far (null when none runs), and whether a budget cut a fuzzy search short.
   */
  public record Result(
      List<Entry> entries,
      long indexHits,
      Long total,
      byte[] nextCursor,
      Long backfilled,
      boolean truncated) {}

  /** Checks a request against the bucket's mappings and gives what to read, or fails with 400. */
  public static Plan plan(Indexing indexing, Request r) {
    if (r.field() == null || r.field().isEmpty()) {
      throw KvException.validation("field is required");
    }
    Indexing.Mapping m = indexing == null ? null : indexing.mapping(r.field());
    if (m == null) {
      List<String> mapped = indexing == null ? List.of() : indexing.fields();
      throw KvException.validation(
          "field '"
              + r.field()
              + "' is not indexed; "
              + (mapped.isEmpty()
                  ? "this bucket maps no fields (set indexing.mappings with PUT /storage/kv/{bucket})"
                  : "mapped fields: " + String.join(", ", mapped)));
    }
    Kind kind;
    if (r.kind() == null || r.kind().isEmpty()) {
      kind = r.min() != null || r.max() != null ? Kind.RANGE : Kind.EXACT;
    } else {
      kind = Kind.of(r.kind());
      if (kind == null) {
        throw KvException.validation("search_type must be exact, fuzzy, prefix or range");
      }
    }
    Indexing.Type type = m.type();
    boolean fits =
        switch (type) {
          case NUMBER, DATE -> kind == Kind.EXACT || kind == Kind.RANGE;
          case KEYWORD -> kind == Kind.EXACT || kind == Kind.PREFIX;
          case TEXT -> kind == Kind.EXACT || kind == Kind.PREFIX || kind == Kind.FUZZY;
          case BOOLEAN -> kind == Kind.EXACT;
        };
    if (!fits) {
      throw KvException.validation(
          "a "
              + type.wire()
              + " field takes search_type "
              + switch (type) {
                case NUMBER, DATE -> "exact or range";
                case KEYWORD -> "exact or prefix";
                case TEXT -> "exact, prefix or fuzzy";
                case BOOLEAN -> "exact";
              });
    }
    if (kind != Kind.RANGE && (r.search() == null || r.search().isEmpty())) {
      throw KvException.validation("search is required");
    }
    if (kind == Kind.FUZZY) {
      String word = oneWord(r.search());
      return new Plan(m, kind, null, null, null, false, word, cursorKey(r.cursor()));
    }
    byte[] from;
    byte[] to;
    boolean single = false;
    switch (kind) {
      case RANGE -> {
        if (r.min() == null && r.max() == null) {
          throw KvException.validation("a range search takes min, max or both");
        }
        double lo = r.min() == null ? Double.NEGATIVE_INFINITY : bound(type, "min", r.min());
        double hi = r.max() == null ? Double.POSITIVE_INFINITY : bound(type, "max", r.max());
        if (lo > hi) {
          throw KvException.validation("min is greater than max");
        }
        from = bytes("[", IndexTerms.number(lo), "\0");
        to = bytes("(", IndexTerms.number(hi), "\1");
      }
      case PREFIX -> {
        String p = type == Indexing.Type.TEXT ? oneWord(r.search()) : r.search();
        from = bytes("[", p, "");
        to = concat(bytes("(", p, ""), new byte[] {(byte) 0xFF});
      }
      default -> {
        String term = exactTerm(type, r.search());
        from = bytes("[", term, "\0");
        to = bytes("(", term, "\1");
        single = true;
      }
    }
    byte[] start = from;
    if (r.cursor() != null) {
      byte[] after = concat(new byte[] {'('}, r.cursor());
      if (Arrays.compareUnsigned(r.cursor(), 0, r.cursor().length, from, 1, from.length) >= 0) {
        start = after;
      }
    }
    return new Plan(m, kind, from, to, start, single, null, null);
  }

  private static String exactTerm(Indexing.Type type, String search) {
    switch (type) {
      case NUMBER -> {
        return IndexTerms.number(number("search", search));
      }
      case DATE -> {
        return IndexTerms.number(date("search", search));
      }
      case BOOLEAN -> {
        if (!search.equals("true") && !search.equals("false")) {
          throw KvException.validation("a boolean field is searched for true or false");
        }
        return search;
      }
      case TEXT -> {
        return oneWord(search);
      }
      default -> {
        if (search.indexOf('\0') >= 0) {
          throw KvException.validation("search must not hold a NUL character");
        }
        return search;
      }
    }
  }

  /** The one lower-case word of a text search, or 400. */
  private static String oneWord(String search) {
    List<String> words = IndexTerms.words(search);
    if (words.size() != 1) {
      throw KvException.validation(
          "a text field is searched for one word (letters and digits), not '" + search + "'");
    }
    return words.get(0);
  }

  private static double bound(Indexing.Type type, String name, String raw) {
    return type == Indexing.Type.DATE ? date(name, raw) : number(name, raw);
  }

  private static double number(String name, String raw) {
    try {
      double v = Double.parseDouble(raw.trim());
      if (Double.isFinite(v) && !raw.trim().isEmpty() && Character.isDigit(lastChar(raw))) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw KvException.validation(name + " must be a number");
  }

  private static char lastChar(String raw) {
    String t = raw.trim();
    return t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
  }

  /** A date bound: epoch milliseconds, or an ISO-8601 date or date-time. */
  private static double date(String name, String raw) {
    String t = raw.trim();
    if (t.matches("-?[0-9]{1,18}")) {
      return Long.parseLong(t);
    }
    Long ms = IndexTerms.dateMillis(t);
    if (ms == null) {
      throw KvException.validation(
          name + " must be a date (ISO-8601, e.g. 2025-06-01T12:00:00Z) or epoch milliseconds");
    }
    return ms;
  }

  private static String cursorKey(byte[] cursor) {
    if (cursor == null) {
      return null;
    }
    String key = new String(cursor, StandardCharsets.UTF_8);
    if (Names.keyProblem(key) != null) {
      throw KvException.validation("cursor is not one this service issued");
    }
    return key;
  }

  private static byte[] bytes(String a, String b, String c) {
    return (a + b + c).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
