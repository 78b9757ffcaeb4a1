package io.kvgate.core;

/**
 * How a request names a bucket: by name within a tenant (both dialects) or by id (the /v2 dialect).
 * The tenant is always the bucket's owner; a bucket of another tenant is simply not found.
 */
public record BucketRef(String tenant, String name, String id) {

  public static BucketRef named(String tenant, String name) {
    return new BucketRef(tenant, name, null);
  }

  public static BucketRef byId(String tenant, String id) {
    return new BucketRef(tenant, null, id);
  }

  /** How the bucket is called in messages. */
  public String label() {
    return id != null ? id : name;
  }
}
