package io.kvgate.core;

/** A partial change of a bucket's mutable settings; null fields stay as they are. */
public record BucketUpdate(String description, Long maxBytes, Long maxValueSize, Long ttlSeconds) {}
