package io.kvgate.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs atomic batches. Puts and deletes go to the store as they are; an increment is turned into a
 * put of the entry's new value, computed from the value it had, and the batch then also checks that
 * the entry is still at the revision it was read at. When another write came in between, the batch
 * is computed again from fresh values (optimistic concurrency), so increments are never lost.
 */
@Singleton
public class Batches {
  /** How often a batch is recomputed when increments meet concurrent writes. */
  private static final int MAX_ATTEMPTS = 50;

  /** The longest pause, in ms, before a batch is recomputed: contention backs off with jitter. */
  private static final int MAX_BACKOFF_MS = 50;

  private final KvStore store;
  private final ObjectMapper mapper;

  Batches(KvStore store, ObjectMapper mapper) {
    this.store = store;
    this.mapper = mapper;
  }

  public Uni<Batch.Result> run(BucketRef ref, Batch batch) {
    return attempt(ref, batch, 1);
  }

  private Uni<Batch.Result> attempt(BucketRef ref, Batch batch, int attempt) {
    List<String> incremented = new ArrayList<>();
    for (Batch.Mutation m : batch.mutations()) {
      if (m.op() == Batch.Op.INCREMENT && !incremented.contains(m.key())) {
        incremented.add(m.key());
      }
    }
    Uni<List<Entry>> read =
        incremented.isEmpty() ? Uni.createFrom().item(List.of()) : store.getMany(ref, incremented);
    return read.chain(
        entries -> {
          Map<String, Entry> current = new HashMap<>();
          for (int i = 0; i < incremented.size(); i++) {
            current.put(incremented.get(i), entries.get(i));
          }
          Plan plan = plan(batch, current);
          return store
              .apply(ref, plan.checks, plan.writes, Entry.JSON)
              .onFailure(KvException.CheckFailed.class)
              .recoverWithUni(
                  failure -> {
                    KvException.CheckFailed f = (KvException.CheckFailed) failure;
                    if (f.index() < batch.checks().size()) {
                      return Uni.createFrom().failure(f);
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                      return Uni.createFrom()
                          .failure(
                              new KvException(
                                  ErrorCode.UNAVAILABLE,
                                  "the batch's increments kept meeting concurrent writes; retry"));
                    }
                    long pause =
                        ThreadLocalRandom.current()
                            .nextLong(1, Math.min(MAX_BACKOFF_MS, 1L << Math.min(attempt, 6)) + 1);
                    return Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(Duration.ofMillis(pause))
                        .chain(() -> attempt(ref, batch, attempt + 1));
                  });
        });
  }

  /** The checks and writes of one attempt, increments computed from {@code current}. */
  private record Plan(List<Batch.Check> checks, List<Batch.Write> writes) {}

  private Plan plan(Batch batch, Map<String, Entry> current) {
    List<Batch.Check> checks = new ArrayList<>(batch.checks());
    List<Batch.Write> writes = new ArrayList<>(batch.mutations().size());
    // What each key holds so far in this batch: a JSON object, or null once deleted.
    Map<String, ObjectNode> state = new LinkedHashMap<>();
    for (Batch.Mutation m : batch.mutations()) {
      switch (m.op()) {
        case PUT -> {
          writes.add(new Batch.Write(m.key(), m.value(), ttlMs(m.ttlSeconds())));
          putState(state, m.key(), m.value());
        }
        case DELETE -> {
          state.put(m.key(), null);
          writes.add(new Batch.Write(m.key(), null, -1));
        }
        case INCREMENT -> {
          ObjectNode doc;
          if (state.containsKey(m.key())) {
            doc = state.get(m.key());
            doc = doc == null ? mapper.createObjectNode() : doc;
          } else {
            Entry e = current.get(m.key());
            checks.add(new Batch.Check(m.key(), e == null ? 0L : e.revision()));
            doc = e == null ? mapper.createObjectNode() : object(m.key(), e);
          }
          increment(doc, m);
          state.put(m.key(), doc);
          writes.add(new Batch.Write(m.key(), bytes(doc), -2));
        }
      }
    }
    return new Plan(checks, writes);
  }

  private void putState(Map<String, ObjectNode> state, String key, byte[] value) {
    try {
      state.put(key, (ObjectNode) mapper.readTree(value));
    } catch (IOException | ClassCastException e) {
      throw KvException.validation("the value of '" + key + "' is not a JSON object");
    }
  }

  private ObjectNode object(String key, Entry e) {
    if (e.isJson() && !Encodings.isEncoded(e.contentEncoding())) {
      try {
        JsonNode node = mapper.readTree(e.value());
        if (node instanceof ObjectNode o) {
          return o;
        }
      } catch (IOException ignored) {
        // answered below
      }
    }
    throw KvException.validation("'" + key + "' does not hold a JSON object, so it has no fields");
  }

  /** Adds {@code by} to the number at the dotted path, creating missing objects and a zero. */
  private static void increment(ObjectNode doc, Batch.Mutation m) {
    String[] path = m.field().split("\\.", -1);
    ObjectNode at = doc;
    for (int i = 0; i < path.length - 1; i++) {
      JsonNode next = at.get(path[i]);
      if (next == null || next.isNull()) {
        at = at.putObject(path[i]);
      } else if (next instanceof ObjectNode o) {
        at = o;
      } else {
        throw KvException.validation(
            "'" + m.field() + "' of '" + m.key() + "' does not lead through JSON objects");
      }
    }
    String last = path[path.length - 1];
    JsonNode old = at.get(last);
    BigDecimal value;
    if (old == null || old.isNull()) {
      value = BigDecimal.ZERO;
    } else if (old.isNumber()) {
      value = old.decimalValue();
    } else {
      throw KvException.validation("'" + m.field() + "' of '" + m.key() + "' is not a number");
    }
    BigDecimal sum = value.add(m.by());
    if (sum.scale() <= 0 && sum.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
      at.put(last, sum.longValueExact());
    } else {
      at.put(last, sum);
    }
  }

  private byte[] bytes(ObjectNode doc) {
    try {
      return mapper.writeValueAsBytes(doc);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long ttlMs(Long ttlSeconds) {
    return ttlSeconds == null ? -1 : ttlSeconds * 1000;
  }
}
