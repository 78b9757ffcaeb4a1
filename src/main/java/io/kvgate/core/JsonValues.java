package io.kvgate.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.kvgate.config.KvgateConfig;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks JSON documents without building them: well-formed, strict UTF-8, bounded depth and number
 * length, one value and nothing after it. Values are stored as the bytes that were sent.
 */
@Singleton
public class JsonValues {
  private final JsonFactory factory;
  private final JsonFactory anyJson = JsonFactory.builder().build();
  private final int maxDepth;
  private final int maxNumberLength;

  public JsonValues(KvgateConfig config) {
    this.maxDepth = config.limits().maxJsonDepth();
    this.maxNumberLength = config.limits().maxJsonNumberLength();
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxDepth)
                    .maxNumberLength(maxNumberLength)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
  }

  /** Throws a 400 unless {@code body} is one JSON object; returns it unchanged. */
  public byte[] requireObject(byte[] body) {
    if (body == null || body.length == 0) {
      throw KvException.validation("a request body is required: a JSON object");
    }
    if (body.length >= 3
        && (body[0] & 0xff) == 0xef
        && (body[1] & 0xff) == 0xbb
        && (body[2] & 0xff) == 0xbf) {
      throw KvException.validation("the body starts with a byte order mark; send plain UTF-8");
    }
    int bad = Utf8.firstInvalid(body);
    if (bad >= 0) {
      throw KvException.validation("the body is not valid UTF-8 (byte " + bad + ")");
    }
    try (JsonParser parser = factory.createParser(body)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw KvException.validation("the value must be a JSON object, not " + describe(first));
      }
      // Skip the whole object token by token; numbers are read so their length is checked.
      int depth = 1;
      while (depth > 0) {
        JsonToken t = parser.nextToken();
        if (t == null) {
          throw KvException.validation("malformed JSON: the document ends early");
        }
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getText();
          default -> {}
        }
      }
      if (parser.nextToken() != null) {
        throw KvException.validation("malformed JSON: more content after the object");
      }
      return body;
    } catch (StreamConstraintsException e) {
      throw KvException.validation(
          "JSON too complex: nesting deeper than "
              + maxDepth
              + " levels or a number longer than "
              + maxNumberLength
              + " digits");
    } catch (IOException e) {
      String at = "";
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p
          && p.getLocation() != null) {
        at =
            " at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr();
      }
      if (e instanceof JsonParseException p
          && p.getOriginalMessage() != null
          && p.getOriginalMessage().startsWith("Duplicate field")) {
        throw KvException.validation("a field name appears twice in one JSON object" + at);
      }
      throw KvException.validation("malformed JSON" + at);
    }
  }

  /**
   * Throws a 400 with {@code type} unless the stream holds one well-formed JSON value of any kind,
   * within the JSON library's own bounds, and nothing after it. The stream is read, not kept.
   */
  public void requireAnyJson(InputStream in, String type) {
    try (JsonParser parser = anyJson.createParser(in)) {
      if (parser.nextToken() == null) {
        throw new KvException(ErrorCode.VALIDATION_ERROR, "the JSON body is empty", type);
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        throw new KvException(
            ErrorCode.VALIDATION_ERROR, "malformed JSON: more content after the value", type);
      }
    } catch (StreamConstraintsException e) {
      throw new KvException(ErrorCode.VALIDATION_ERROR, "the JSON value is too complex", type);
    } catch (IOException e) {
      if (e.getCause() instanceof KvException k) {
        throw k;
      }
      throw new KvException(
          ErrorCode.VALIDATION_ERROR,
          "the body is not valid JSON, as its Content-Type says it is",
          type);
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "an empty document";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> "this";
    };
  }
}
