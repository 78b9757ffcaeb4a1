package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua scripts of {@code src/main/resources/redis}, each bucket script behind the prelude. */
@Singleton
public class Scripts {
  private final String prelude;
  final Script get;
  final Script put;
  final Script delete;
  final Script history;
  final Script list;
  final Script listKeys;
  final Script touch;
  final Script getMany;
  final Script batch;
  final Script deletePrefix;
  final Script searchKeys;
  final Script bucketCreate;
  final Script bucketInfo;
  final Script bucketUpdate;
  final Script bucketDrop;
  final Script bucketPurge;
  final Script reap;
  final Script tenantClaim;
  final Script tenantRelease;
  final Script rateAdd;
  final Script watchOpen;
  final Script watchPage;
  final Script indexSet;
  final Script indexScan;
  final Script indexFill;
  final Script search;
  final Script searchFuzzy;

  Scripts(KvgateConfig config) {
    this.prelude =
        read("prelude")
            .replace("__STREAM_KEEP__", Integer.toString(config.watch().streamLength()))
            .replace(
                "__STREAM_VALUE_MAX__",
                Long.toString(config.watch().streamValueMax().asLongValue()));
    get = bucketScript("get");
    put = writeScript("put");
    delete = writeScript("delete");
    history = bucketScript("history");
    list = bucketScript("list");
    listKeys = bucketScript("list_keys");
    touch = writeScript("touch");
    getMany = bucketScript("get_many");
    batch = writeScript("batch");
    deletePrefix = writeScript("delete_prefix");
    searchKeys = bucketScript("search_keys");
    bucketCreate = writeScript("bucket_create");
    bucketInfo = bucketScript("bucket_info");
    bucketUpdate = writeScript("bucket_update");
    bucketDrop = writeScript("bucket_drop");
    bucketPurge = writeScript("bucket_purge");
    reap = bucketScript("reap");
    tenantClaim = Script.of("tenant_claim", read("tenant_claim"), true);
    tenantRelease = Script.of("tenant_release", read("tenant_release"), true);
    rateAdd = Script.of("rate_add", read("rate_add"));
    watchOpen = bucketScript("watch_open");
    watchPage = bucketScript("watch_page");
    indexSet = bucketScript("index_set");
    indexScan = bucketScript("index_scan");
    indexFill = bucketScript("index_fill");
    search = bucketScript("search");
    searchFuzzy = bucketScript("search_fuzzy");
  }

  private Script bucketScript(String name) {
    return Script.of(name, prelude + "\n" + read(name));
  }

  /** A bucket script whose changes are acknowledged to the client (see {@link Script#writes}). */
  private Script writeScript(String name) {
    return Script.of(name, prelude + "\n" + read(name), true);
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
