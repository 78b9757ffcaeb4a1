package io.kvgate.core;

import java.util.List;

/**
 * One page of entries in key order. {@code nextAfter} is the key to continue after, null on the
 * last page; {@code total} is the bucket's live entry count.
 */
public record Page(List<Entry> entries, String nextAfter, long total) {}
