package io.kvgate.quiva;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvgate.core.Batch;
import io.kvgate.core.Batches;
import io.kvgate.core.BucketRef;
import io.kvgate.core.JsonValues;
import io.kvgate.core.Names;
import io.kvgate.error.KvException;
import io.kvgate.quiva.QuivaDtos.BatchBody;
import io.kvgate.quiva.QuivaDtos.BatchResponse;
import io.kvgate.quiva.QuivaDtos.BatchResult;
import io.kvgate.quiva.QuivaDtos.Metadata;
import io.kvgate.security.Access;
import io.kvgate.security.Permission;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The atomic batch extension of /storage/kv: checks and mutations, all or nothing. */
@Path("/storage/kv/{bucket}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "KV Entries")
@Authenticated
public class BatchResource {
  private final Batches batches;
  private final JsonValues json;
  private final Access access;
  private final ObjectMapper mapper;

  BatchResource(Batches batches, JsonValues json, Access access, ObjectMapper mapper) {
    this.batches = batches;
    this.json = json;
    this.access = access;
    this.mapper = mapper;
  }

  @POST
  @Path("/batch")
  @Operation(
      operationId = "batchKVEntries",
      description =
          "Checks revisions or absence of keys, then applies puts, deletes and increments in one atomic step: either every mutation is applied or none is (412 naming the failed check). Needs kv:write.",
      summary = "Apply checks and mutations atomically, all or nothing (extension)")
  @RequestBody(
      required = true,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = QuivaDtos.BatchRequest.class)))
  @APIResponse(
      responseCode = "200",
      description = "Every check held and every mutation is applied",
      content = @Content(schema = @Schema(implementation = BatchResponse.class)))
  @APIResponse(responseCode = "400", description = "A malformed batch, over 1000 operations")
  @APIResponse(responseCode = "404", description = "No such bucket")
  @APIResponse(
      responseCode = "412",
      description = "A check failed (failed_check, key); nothing is applied")
  public Uni<BatchResponse> batch(
      @PathParam("bucket") String bucket, HttpHeaders headers, byte[] body) {
    String tenant = access.require(Permission.WRITE, bucket).tenant();
    Names.requireBucketName(bucket);
    Requests.requireJsonContentType(headers);
    Batch batch = parse(json.requireObject(body));
    return batches
        .run(BucketRef.named(tenant, bucket), batch)
        .map(
            result -> {
              List<BatchResult> results = new ArrayList<>(batch.mutations().size());
              for (int i = 0; i < batch.mutations().size(); i++) {
                Batch.Mutation m = batch.mutations().get(i);
                results.add(
                    new BatchResult(
                        m.op().name().toLowerCase(Locale.ROOT),
                        m.key(),
                        result.revisions().get(i)));
              }
              return new BatchResponse(
                  new BatchBody(result.revision(), results),
                  new Metadata(bucket, null, null, null, null, null));
            });
  }

  private Batch parse(byte[] body) {
    JsonNode req;
    try {
      req = mapper.readTree(body);
    } catch (IOException e) {
      throw KvException.validation("malformed JSON");
    }
    JsonNode checks = req.path("checks");
    JsonNode mutations = req.get("mutations");
    if (!checks.isMissingNode() && !checks.isNull() && !checks.isArray()) {
      throw KvException.validation("'checks' must be a list");
    }
    if (mutations == null || !mutations.isArray() || mutations.isEmpty()) {
      throw KvException.validation("'mutations' must be a list of at least one mutation");
    }
    int total = (checks.isArray() ? checks.size() : 0) + mutations.size();
    if (total > Batch.MAX_OPERATIONS) {
      throw KvException.validation(
          "a batch holds at most " + Batch.MAX_OPERATIONS + " checks and mutations, not " + total);
    }
    List<Batch.Check> outChecks = new ArrayList<>();
    if (checks.isArray()) {
      for (int i = 0; i < checks.size(); i++) {
        outChecks.add(check(checks.get(i), i));
      }
    }
    List<Batch.Mutation> outMutations = new ArrayList<>(mutations.size());
    for (int i = 0; i < mutations.size(); i++) {
      outMutations.add(mutation(mutations.get(i), i));
    }
    return new Batch(outChecks, outMutations);
  }

  private static Batch.Check check(JsonNode c, int i) {
    String where = "check " + i;
    String key = key(c, where);
    boolean absent = c.path("absent").asBoolean(false) && c.path("absent").isBoolean();
    JsonNode revision = c.get("revision");
    if (absent == (revision != null)) {
      throw KvException.validation(where + " needs either \"absent\": true or a \"revision\"");
    }
    if (absent) {
      return new Batch.Check(key, null);
    }
    if (!revision.canConvertToExactIntegral() || revision.asLong() < 1) {
      throw KvException.validation(where + ": 'revision' must be a whole number of at least 1");
    }
    return new Batch.Check(key, revision.asLong());
  }

  private Batch.Mutation mutation(JsonNode m, int i) {
    String where = "mutation " + i;
    if (!m.isObject()) {
      throw KvException.validation(where + " must be an object");
    }
    String key = key(m, where);
    String op = m.path("op").asText("");
    return switch (op) {
      case "put" -> {
        JsonNode value = m.get("value");
        if (value == null || !value.isObject()) {
          throw KvException.validation(where + ": a put's 'value' must be a JSON object");
        }
        yield new Batch.Mutation(Batch.Op.PUT, key, bytes(value), ttl(m, where), null, null);
      }
      case "delete" -> new Batch.Mutation(Batch.Op.DELETE, key, null, null, null, null);
      case "increment" -> {
        JsonNode field = m.get("field");
        if (field == null
            || !field.isTextual()
            || field.asText().isEmpty()
            || field.asText().startsWith(".")
            || field.asText().endsWith(".")
            || field.asText().contains("..")) {
          throw KvException.validation(where + ": 'field' must be a field name or dotted path");
        }
        JsonNode by = m.get("by");
        if (by == null || !by.isNumber()) {
          throw KvException.validation(where + ": 'by' must be a number");
        }
        BigDecimal amount = by.decimalValue();
        yield new Batch.Mutation(Batch.Op.INCREMENT, key, null, null, field.asText(), amount);
      }
      default -> throw KvException.validation(where + ": 'op' must be put, delete or increment");
    };
  }

  private static String key(JsonNode node, String where) {
    JsonNode key = node.get("key");
    if (key == null || !key.isTextual()) {
      throw KvException.validation(where + " needs a 'key'");
    }
    return Names.requireKey(key.asText());
  }

  private static Long ttl(JsonNode m, String where) {
    JsonNode ttl = m.get("ttl");
    if (ttl == null || ttl.isNull()) {
      return null;
    }
    if (!ttl.canConvertToExactIntegral()
        || ttl.asLong() < 0
        || ttl.asLong() > Limits.MAX_TTL_SECONDS) {
      throw KvException.validation(
          where + ": 'ttl' must be whole seconds from 0 to " + Limits.MAX_TTL_SECONDS);
    }
    return ttl.asLong();
  }

  private byte[] bytes(JsonNode value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException e) {
      throw KvException.validation("the value cannot be written as JSON");
    }
  }
}
