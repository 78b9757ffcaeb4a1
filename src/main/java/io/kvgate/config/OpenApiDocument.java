package io.kvgate.config;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Contact;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;
import org.eclipse.microprofile.openapi.annotations.servers.Server;

/** The OpenAPI document's header: what the service is and the two ways to authenticate. */
@OpenAPIDefinition(
    info =
        @Info(
            title = "kvgate",
            version = "0.1.0",
            contact = @Contact(name = "kvgate maintainers"),
            description =
                "Key-value gateway over Redis, in two dialects over one store: the quiva.ai"
                    + " /storage/kv API with revisions, compare-and-set, history and TTL, and the"
                    + " Apify /v2/key-value-stores API"),
    // Relative: the origin the document is served from, whatever the deployment's address.
    servers = @Server(url = "/", description = "this service"),
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
      description = "An API key: kvg_ and 40 letters or digits"),
  @SecurityScheme(
      securitySchemeName = "tokenQuery",
      type = SecuritySchemeType.APIKEY,
      in = SecuritySchemeIn.QUERY,
      apiKeyName = "token",
      description = "An API key or JWT as ?token=, on /v2 and watch routes only")
})
public class OpenApiDocument extends Application {}
