package io.kvgate.deploy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kvgate.support.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the service serves at {@code /q/openapi} lints clean with Spectral's OpenAPI
 * ruleset ({@code spectral:oas}, unchanged): no error, warning, info or hint.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
class OpenApiLintTest {
  private static final Path DOCUMENT =
      Path.of("target", "openapi-lint", "openapi.yaml").toAbsolutePath();

  @Test
  void servedDocumentLintsCleanWithSpectralsOpenApiRuleset() throws Exception {
    String yaml =
        given()
            .accept("application/yaml")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertFalse(yaml.isBlank(), "an empty OpenAPI document");
    Files.createDirectories(DOCUMENT.getParent());
    Files.writeString(DOCUMENT, yaml, StandardCharsets.UTF_8);

    Command.ensureNodeModules(List.of("@stoplight/spectral-cli"));
    Command.Result lint =
        Command.run(
            Command.CHECKS,
            Duration.ofMinutes(5),
            "node",
            "node_modules/@stoplight/spectral-cli/dist/index.js",
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--fail-severity",
            "hint",
            "--format",
            "text",
            DOCUMENT.toString());
    System.out.println("[spectral] " + lint.both().strip().replace("\n", "\n[spectral] "));
    assertEquals(
        0, lint.exit(), "Spectral finds problems in the OpenAPI document:\n" + lint.both());
  }
}
