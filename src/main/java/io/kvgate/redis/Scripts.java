package io.kvgate.redis;

import io.kvgate.config.KvgateConfig;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lua scripts of {@code src/main/resources/redis}, each bucket script behind the part of the
 * prelude it uses.
 */
@Singleton
public class Scripts {
  private final String prelude;
  final Script get;
  final Script expireKey;
  final Script readsAdd;
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
    expireKey = writeScript("expire_key");
    readsAdd = bucketScript("reads_add");
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
    String body = read(name);
    return Script.of(name, preludeFor(prelude, body) + "\n" + body);
  }

  private static final Pattern FUNCTION =
      Pattern.compile("^(?:--[^\n]*\n)*local function (\\w+)\\(", Pattern.MULTILINE);

  /**
   * The prelude's head (keys and constants) and the functions that body calls, directly or through
   * each other, in the prelude's order. Redis runs a script's whole chunk on every call, so each
   * function defined there costs each call a closure (measured: the whole prelude made a GET's
   * script about twice as slow as the same commands without it).
   */
  static String preludeFor(String prelude, String body) {
    Matcher m = FUNCTION.matcher(prelude);
    List<Integer> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      starts.add(m.start());
      names.add(m.group(1));
    }
    if (starts.isEmpty()) {
      return prelude;
    }
    List<String> blocks = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : prelude.length();
      blocks.add(prelude.substring(starts.get(i), end));
    }
    boolean[] used = new boolean[blocks.size()];
    String code = body;
    boolean grew = true;
    while (grew) {
      grew = false;
      for (int i = 0; i < blocks.size(); i++) {
        if (!used[i] && calls(code, names.get(i))) {
          used[i] = true;
          code = code + "\n" + blocks.get(i);
          grew = true;
        }
      }
    }
    StringBuilder out = new StringBuilder(prelude.substring(0, starts.get(0)));
    for (int i = 0; i < blocks.size(); i++) {
      if (used[i]) {
        out.append(blocks.get(i));
      }
    }
    return out.toString();
  }

  private static boolean calls(String code, String function) {
    return Pattern.compile("\\b" + function + "\\s*\\(").matcher(code).find();
  }

  /** A bucket script whose changes are acknowledged to the client (see {@link Script#writes}). */
  private Script writeScript(String name) {
    String body = read(name);
    return Script.of(name, preludeFor(prelude, body) + "\n" + body, true);
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
