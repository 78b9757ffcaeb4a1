package io.kvgate.error;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Gives every documented error response the one error body, and every operation the errors any
 * request can meet (400, 500, 503), so the OpenAPI document says what clients really get.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ErrorResponsesFilter implements OASFilter {
  private static final String ERROR_REF = "#/components/schemas/ErrorResponse";
  private static final String APIFY_ERROR_REF = "#/components/schemas/ApifyError";

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    if (openAPI.getPaths() == null) {
      return;
    }
    for (Map.Entry<String, PathItem> item : openAPI.getPaths().getPathItems().entrySet()) {
      String ref = Dialect.of(item.getKey()) == Dialect.APIFY ? APIFY_ERROR_REF : ERROR_REF;
      for (Operation op : item.getValue().getOperations().values()) {
        addErrors(op, ref);
      }
    }
  }

  private static void addErrors(Operation operation, String ref) {
    APIResponses responses = operation.getResponses();
    if (responses == null) {
      return;
    }
    addIfMissing(responses, "400", "Invalid request");
    addIfMissing(responses, "401", "No credential, or a wrong, expired or revoked one");
    addIfMissing(responses, "403", "The credential does not allow this operation or bucket");
    addIfMissing(responses, "429", "Rate limit reached; Retry-After says when to come back");
    addIfMissing(responses, "500", "Internal error");
    addIfMissing(responses, "503", "Redis unreachable or too slow");
    for (Map.Entry<String, APIResponse> r : responses.getAPIResponses().entrySet()) {
      if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
        r.getValue()
            .setContent(
                OASFactory.createContent()
                    .addMediaType(
                        "application/json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ref))));
      }
    }
  }

  private static void addIfMissing(APIResponses responses, String code, String description) {
    if (!responses.hasAPIResponse(code)) {
      responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
    }
  }
}
