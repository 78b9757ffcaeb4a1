package io.kvgate.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A bucket's field-search settings: the mapped fields and the index's own settings as the public
 * API takes them (partitions, replicas, storage type and stream are kept and shown, the index lives
 * beside the data in Redis either way).
 */
public record Indexing(
    List<Mapping> mappings, int partitions, int replicas, String storageType, String stream) {

  /** The most fields one bucket may map. */
  public static final int MAX_MAPPINGS = 32;

  private static final Pattern PATH =
      Pattern.compile("^[A-Za-z0-9_$@-]{1,64}(\\.[A-Za-z0-9_$@-]{1,64}){0,7}$");

  /** What a mapped field holds, and so how it is indexed and searched. */
  public enum Type {
    TEXT,
    NUMBER,
    DATE,
    BOOLEAN,
    KEYWORD;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a wire name, or null. */
    public static Type of(String wire) {
      for (Type t : values()) {
        if (t.wire().equals(wire)) {
          return t;
        }
      }
      return null;
    }
  }

  /** One mapped field: a dotted path into the JSON value, and its type. */
  public record Mapping(String field, Type type) {
    /** The part of the Redis key names of this field's index (its postings, and its words). */
    public String suffix() {
      return type.name().charAt(0) + ":" + field;
    }
  }

  public Indexing {
    mappings = List.copyOf(mappings);
    if (mappings.size() > MAX_MAPPINGS) {
      throw new IllegalArgumentException("at most " + MAX_MAPPINGS + " mappings");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (Mapping m : mappings) {
      if (!seen.add(m.field())) {
        throw new IllegalArgumentException("field '" + m.field() + "' is mapped twice");
      }
    }
  }

  /** Why a field path is not one this service indexes, or null when it is fine. */
  public static String pathProblem(String field) {
    if (field == null || !PATH.matcher(field).matches()) {
      return "a mapped field is a dotted path of up to 8 names of 1-64 characters"
          + " (letters, digits, _ $ @ -)";
    }
    return null;
  }

  public boolean isEmpty() {
    return mappings.isEmpty();
  }

  /** The mapping of a field, or null. */
  public Mapping mapping(String field) {
    for (Mapping m : mappings) {
      if (m.field().equals(field)) {
        return m;
      }
    }
    return null;
  }

  public List<String> fields() {
    List<String> out = new ArrayList<>(mappings.size());
    for (Mapping m : mappings) {
      out.add(m.field());
    }
    return out;
  }

  /** Whether entries must be indexed anew under {@code other}: the mappings differ. */
  public boolean sameMappings(Indexing other) {
    return other != null && mappings.equals(other.mappings);
  }
}
