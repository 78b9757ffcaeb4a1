package io.kvgate.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The index terms of a JSON value under a bucket's mappings, and how terms are written into the
 * sorted sets that hold them. Every index is a lexicographic set of {@code term \0 key}: numbers
 * and dates as 16 hex digits that sort as the numbers do, keywords as they are, text as its
 * lower-case words, booleans as {@code true}/{@code false}.
 *
 * <p>The terms of one entry travel to the write script as one blob, which the script also keeps
 * beside the entry so that a delete or an expiry removes them without reading JSON: a flag byte
 * ({@code 1} when a mapped value was not indexable), then records of a kind byte ({@code p}
 * posting, {@code t} posting of a word, {@code m} the entry has several postings in the field), the
 * field's key suffix and the member, each length-prefixed.
 */
public final class IndexTerms {
  /** Longest keyword indexed, in bytes; a longer one counts as not indexable. */
  public static final int MAX_KEYWORD_BYTES = 1000;

  /** Longest word of text indexed, in characters; longer ones are skipped. */
  public static final int MAX_WORD = 100;

  /** Most distinct words indexed per text field of one entry. */
  public static final int MAX_WORDS = 2000;

  private IndexTerms() {}

  /** The blob of an entry (null: nothing to keep), and whether a mapped value was not indexable. */
  public record Terms(byte[] blob, boolean unindexable) {
    static final Terms NONE = new Terms(null, false);
  }

  /** The terms of {@code value} (a parsed JSON value, or null when it is not JSON). */
  public static Terms of(Indexing indexing, String key, JsonNode value) {
    if (indexing == null || indexing.isEmpty() || value == null) {
      return Terms.NONE;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write('0');
    boolean unindexable = false;
    boolean any = false;
    for (Indexing.Mapping m : indexing.mappings()) {
      List<JsonNode> found = new ArrayList<>(1);
      collect(value, m.field().split("\\."), 0, found);
      Set<String> terms = new LinkedHashSet<>();
      for (JsonNode v : found) {
        if (!addTerms(m.type(), v, terms)) {
          unindexable = true;
        }
      }
      if (terms.isEmpty()) {
        continue;
      }
      any = true;
      String suffix = m.suffix();
      byte kind = m.type() == Indexing.Type.TEXT ? (byte) 't' : (byte) 'p';
      if (terms.size() > 1) {
        record(out, (byte) 'm', suffix, "");
      }
      for (String t : terms) {
        record(out, kind, suffix, t + '\0' + key);
      }
    }
    if (!any && !unindexable) {
      return Terms.NONE;
    }
    byte[] blob = out.toByteArray();
    if (unindexable) {
      blob[0] = '1';
    }
    return new Terms(blob, unindexable);
  }

  /** The values at a dotted path; arrays on the way and at the end give each element. */
  private static void collect(JsonNode node, String[] path, int at, List<JsonNode> out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (node.isArray()) {
      for (JsonNode e : node) {
        collect(e, path, at, out);
      }
      return;
    }
    if (at == path.length) {
      out.add(node);
      return;
    }
    if (node.isObject()) {
      collect(node.get(path[at]), path, at + 1, out);
    }
  }

  /** Adds the terms of one value; false when it is not of the mapped type. */
  private static boolean addTerms(Indexing.Type type, JsonNode v, Set<String> terms) {
    switch (type) {
      case NUMBER -> {
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
          return false;
        }
        terms.add(number(v.asDouble()));
        return true;
      }
      case DATE -> {
        Long ms = dateMillis(v);
        if (ms == null) {
          return false;
        }
        terms.add(number(ms));
        return true;
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          return false;
        }
        terms.add(v.asBoolean() ? "true" : "false");
        return true;
      }
      case KEYWORD -> {
        if (!v.isTextual()) {
          return false;
        }
        String s = v.asText();
        if (s.indexOf('\0') >= 0 || s.getBytes(StandardCharsets.UTF_8).length > MAX_KEYWORD_BYTES) {
          return false;
        }
        terms.add(s);
        return true;
      }
      case TEXT -> {
        if (!v.isTextual()) {
          return false;
        }
        for (String w : words(v.asText())) {
          if (terms.size() >= MAX_WORDS) {
            break;
          }
          terms.add(w);
        }
        return true;
      }
      default -> throw new IllegalStateException(type.name());
    }
  }

  /** A date as epoch milliseconds: an ISO-8601 string (date, date-time) or a number of ms. */
  public static Long dateMillis(JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    if (v.isTextual()) {
      return dateMillis(v.asText());
    }
    return null;
  }

  /** An ISO-8601 date or date-time (without an offset: UTC) as epoch milliseconds, or null. */
  public static Long dateMillis(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the next form
    }
    try {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A number as 16 hex digits that sort (as strings) in the order of the numbers: the IEEE bits
   * with the sign bit flipped for positives and all bits flipped for negatives.
   */
  public static String number(double v) {
    long bits = Double.doubleToLongBits(v == 0 ? 0.0 : v);
    bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    String hex = Long.toHexString(bits);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /** The distinct lower-case words of a text: runs of letters and digits, in order. */
  public static List<String> words(String text) {
    Set<String> out = new LinkedHashSet<>();
    StringBuilder w = new StringBuilder();
    int length = 0;
    for (int i = 0; i <= text.length(); ) {
      int cp = i < text.length() ? text.codePointAt(i) : -1;
      if (cp >= 0
          && (Character.isLetterOrDigit(cp)
              || Character.getType(cp) == Character.NON_SPACING_MARK)) {
        w.appendCodePoint(cp);
        length++;
      } else if (w.length() > 0) {
        if (length <= MAX_WORD) {
          out.add(w.toString().toLowerCase(Locale.ROOT));
        }
        w.setLength(0);
        length = 0;
      }
      i += cp >= 0 ? Character.charCount(cp) : 1;
    }
    return new ArrayList<>(out);
  }

  private static void record(ByteArrayOutputStream out, byte kind, String suffix, String member) {
    out.write(kind);
    field(out, suffix.getBytes(StandardCharsets.UTF_8));
    field(out, member.getBytes(StandardCharsets.UTF_8));
  }

  private static void field(ByteArrayOutputStream out, byte[] bytes) {
    out.writeBytes(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    out.write(':');
    out.writeBytes(bytes);
  }
}
