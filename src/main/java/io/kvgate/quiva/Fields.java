package io.kvgate.quiva;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvgate.error.KvException;

/** Typed reads of request-body fields, each failing with a 400 that names the field. */
final class Fields {
  private Fields() {}

  static String string(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw KvException.validation(field + " must be a string");
    }
    return v.asText();
  }

  static Boolean bool(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw KvException.validation(field + " must be true or false");
    }
    return v.asBoolean();
  }

  /** An integer in [min, max], or null when absent. */
  static Long integer(JsonNode body, String field, long min, long max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw KvException.validation(field + " must be an integer");
    }
    long n = v.asLong();
    if (n < min || n > max) {
      throw KvException.validation(field + " must be between " + min + " and " + max);
    }
    return n;
  }

  /** A size limit: an integer of at least 1, or -1 for unlimited; null when absent. */
  static Long limit(JsonNode body, String field, long max) {
    Long n = integer(body, field, -1, max);
    if (n != null && n == 0) {
      throw KvException.validation(field + " must be at least 1 (or -1 for unlimited)");
    }
    return n;
  }
}
