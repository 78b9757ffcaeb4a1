package io.kvgate.core;

import java.util.List;

/** One page of keys with their stored sizes; {@code nextAfter} is null on the last page. */
public record KeyPage(List<Key> keys, String nextAfter) {

  /** A live key and the size of its stored value in bytes (as stored, so compressed if it is). */
  public record Key(String key, long size) {}
}
