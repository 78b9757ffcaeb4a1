package io.kvgate.config;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/** The OpenAPI document's header: what the service is and the two ways to authenticate. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "kvgate",
            version = "0.1.0",
            description =
                "Key-value gateway over Redis: the quiva.ai /storage/kv dialect with revisions,"
                    + " compare-and-set, history and TTL"),
    security = {
      @SecurityRequirement(name = "bearerAuth"),
      @SecurityRequirement(name = "apiKeyAuth")
    })
@SecuritySchemes({
  @SecurityScheme(
      securitySchemeName = "bearerAuth",
      type = SecuritySchemeType.HTTP,
      scheme = "bearer",
      bearerFormat = "JWT",
      description = "A JWT (RS256 or ES256), or an API key sent as a bearer token"),
  @SecurityScheme(
      securitySchemeName = "apiKeyAuth",
      type = SecuritySchemeType.APIKEY,
      in = SecuritySchemeIn.HEADER,
      apiKeyName = "X-Api-Key",
      description = "An API key: kvg_ and 40 letters or digits")
})
public class OpenApiDocument extends Application {}
