package io.kvgate.support;

import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The public OpenAPI document of the quiva.ai storage API, kept verbatim in {@code
 * ../shared/reference}: responses of {@code /storage/kv} are checked against its schemas.
 */
public final class QuivaOpenApi {
  public static final Path DOCUMENT = Path.of("../shared/reference/quiva-storage-openapi.json");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static JsonNode document;

  private QuivaOpenApi() {}

  /** Asserts an error answer: status, code, a message, and the public ErrorResponse schema. */
  public static void assertError(Response r, int status, String code) {
    r.then()
        .statusCode(status)
        .contentType(startsWith("application/json"))
        .body("error", equalTo(code))
        .body("message", not(emptyOrNullString()));
    assertMatches("ErrorResponse", r.asString());
  }

  /** Asserts that {@code json} validates against the named schema of the document's components. */
  public static void assertMatches(String schemaName, String json) {
    try {
      ObjectNode root = MAPPER.createObjectNode();
      root.set("components", document().get("components"));
      root.put("$ref", "#/components/schemas/" + schemaName);
      JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(root);
      Set<ValidationMessage> errors = schema.validate(MAPPER.readTree(json));
      assertTrue(errors.isEmpty(), schemaName + " violated: " + errors + " in " + json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized JsonNode document() throws IOException {
    if (document == null) {
      if (!Files.exists(DOCUMENT)) {
        throw new IllegalStateException(
            DOCUMENT.toAbsolutePath() + " is missing: clone the project with ../shared beside it");
      }
      document = MAPPER.readTree(DOCUMENT.toFile());
    }
    return document;
  }
}
