package io.kvgate.core;

import java.util.List;

/** One offset page of a tenant's buckets and how many there are in all. */
public record StorePage(List<Bucket> buckets, long total) {}
