package io.kvgate.core;

import java.util.List;

/**
 * Conditions a write checks atomically against the current revision of its key: {@code ifMatch}
 * (the entry exists at one of these revisions; empty list with {@code ifMatchAny} = exists at all)
 * and {@code ifNoneMatch} (the entry is absent, or not at one of these revisions).
 */
public record Precondition(
    List<Long> ifMatch, boolean ifMatchAny, List<Long> ifNoneMatch, boolean ifNoneMatchAny) {

  public static final Precondition NONE = new Precondition(List.of(), false, List.of(), false);

  public boolean isNone() {
    return ifMatch.isEmpty() && !ifMatchAny && ifNoneMatch.isEmpty() && !ifNoneMatchAny;
  }
}
