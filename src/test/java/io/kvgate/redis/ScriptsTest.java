package io.kvgate.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each script carries the prelude functions it calls, through each other too, and no others. */
class ScriptsTest {

  @Test
  void getCarriesWhatItCallsAndWhatThoseCall() throws IOException {
    String prelude = Scripts.preludeFor(read("prelude"), read("get"));
    assertTrue(prelude.startsWith("-- Shared by every bucket script."));
    assertTrue(prelude.contains("local M, D, K, X, H, S, IT = KEYS[1]"));
    // rec_expires -> header
    for (String f : new String[] {"bucket", "now_ms", "rec_rev", "rec_expires", "header"}) {
      assertTrue(prelude.contains("local function " + f + "("), f);
    }
    // A read leaves the removal of an expired record to expire_key, and carries none of it; its
    // counting is ReadCounts' (a read writes nothing).
    for (String f :
        new String[] {
          "live",
          "expire_one",
          "hist_of",
          "emit",
          "index_drop",
          "write_entry",
          "reap",
          "hist_trim",
          "count_access"
        }) {
      assertFalse(prelude.contains("local function " + f + "("), f);
    }
    // Definitions keep the prelude's order, so each comes after the ones it calls.
    assertTrue(
        prelude.indexOf("local function header(") < prelude.indexOf("function rec_expires("));
  }

  @Test
  void expireKeyCarriesTheRemoval() throws IOException {
    String prelude = Scripts.preludeFor(read("prelude"), read("expire_key"));
    // expire_one -> index_drop, hist_of, emit, rec_size
    for (String f :
        new String[] {"expire_one", "index_drop", "hist_of", "emit", "rec_size", "now_ms"}) {
      assertTrue(prelude.contains("local function " + f + "("), f);
    }
    assertFalse(prelude.contains("local function write_entry("));
    assertTrue(prelude.indexOf("local function emit(") < prelude.indexOf("function expire_one("));
  }

  @Test
  void putCarriesTheWriteBookkeeping() throws IOException {
    String prelude = Scripts.preludeFor(read("prelude"), read("put"));
    for (String f :
        new String[] {
          "write_entry", "hist_trim", "hist_member", "reap", "cond_ok", "rec_created"
        }) {
      assertTrue(prelude.contains("local function " + f + "("), f);
    }
    assertFalse(prelude.contains("local function delete_entry("));
  }

  private static String read(String name) throws IOException {
    try (InputStream in =
        ScriptsTest.class.getClassLoader().getResourceAsStream("redis/" + name + ".lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
