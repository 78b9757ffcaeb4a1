package io.kvgate.core;

/**
 * One slice of a delete by prefix: how many entries it deleted, how many the whole delete has so
 * far, and whether entries with the prefix remain.
 */
public record PrefixSlice(long deleted, long deletedInAll, boolean more) {}
