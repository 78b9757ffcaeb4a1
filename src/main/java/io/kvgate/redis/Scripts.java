package io.kvgate.redis;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua scripts of {@code src/main/resources/redis}, each bucket script behind the prelude. */
@Singleton
public class Scripts {
  final Script get = bucketScript("get");
  final Script put = bucketScript("put");
  final Script delete = bucketScript("delete");
  final Script history = bucketScript("history");
  final Script list = bucketScript("list");
  final Script listKeys = bucketScript("list_keys");
  final Script touch = bucketScript("touch");
  final Script getMany = bucketScript("get_many");
  final Script batch = bucketScript("batch");
  final Script deletePrefix = bucketScript("delete_prefix");
  final Script searchKeys = bucketScript("search_keys");
  final Script bucketCreate = bucketScript("bucket_create");
  final Script bucketInfo = bucketScript("bucket_info");
  final Script bucketUpdate = bucketScript("bucket_update");
  final Script bucketDrop = bucketScript("bucket_drop");
  final Script bucketPurge = bucketScript("bucket_purge");
  final Script reap = bucketScript("reap");
  final Script tenantClaim = Script.of("tenant_claim", read("tenant_claim"));
  final Script tenantRelease = Script.of("tenant_release", read("tenant_release"));
  final Script rateAdd = Script.of("rate_add", read("rate_add"));

  private static Script bucketScript(String name) {
    return Script.of(name, read("prelude") + "\n" + read(name));
  }

  private static String read(String name) {
    String path = "redis/" + name + ".lua";
    try (InputStream in = Scripts.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
