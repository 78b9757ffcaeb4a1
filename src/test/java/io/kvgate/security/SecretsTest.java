package io.kvgate.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** API-key secrets: their format, how a bearer value is told from a JWT, hashing, comparison. */
class SecretsTest {

  @Nested
  class NewKeys {
    @Test
    void areKvgAndFortyBase62Characters() {
      for (int i = 0; i < 1000; i++) {
        String key = Secrets.newKey();
        assertTrue(key.matches("kvg_[0-9A-Za-z]{40}"), key);
        assertTrue(Secrets.isKeyFormat(key), key);
      }
    }

    @Test
    void areNeverTheSame() {
      Set<String> keys = new HashSet<>();
      for (int i = 0; i < 10_000; i++) {
        assertTrue(keys.add(Secrets.newKey()), "a key came twice");
      }
    }

    @Test
    void useEveryBase62Character() {
      Set<Character> seen = new HashSet<>();
      for (int i = 0; i < 2000; i++) {
        for (char c : Secrets.random(40).toCharArray()) {
          seen.add(c);
        }
      }
      assertEquals(62, seen.size(), "characters used: " + seen);
    }
  }

  @Nested
  class KeyFormat {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "kvg_01234567890123456789012345678901",
          "kvg_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        })
    void accepts(String key) {
      assertTrue(Secrets.isKeyFormat(key), key);
    }

    @Test
    void acceptsUpTo128Characters() {
      assertTrue(Secrets.isKeyFormat("kvg_" + "a".repeat(128)));
      assertFalse(Secrets.isKeyFormat("kvg_" + "a".repeat(129)));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "kvg_",
          "kvg_0123456789012345678901234567890",
          "KVG_01234567890123456789012345678901",
          "kvg-01234567890123456789012345678901",
          "xkvg_01234567890123456789012345678901",
          "kvg_0123456789012345678901234567890-",
          "kvg_0123456789012345678901234567890_",
          "kvg_01234567890123456789012345678901 ",
          " kvg_01234567890123456789012345678901",
          "kvg_01234567890123456789012345678901\n",
          "kvg_0123456789012345678901234567890é",
          "kvg_01234567890123456789012345678901.a.b"
        })
    void refuses(String key) {
      assertFalse(Secrets.isKeyFormat(key), key);
    }

    @Test
    void refusesNull() {
      assertFalse(Secrets.isKeyFormat(null));
    }
  }

  @Nested
  class LooksLikeJwt {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "a.b.c",
          "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
          "a.b.",
          "a.b.c.d.e",
          "!!!.###.$$$"
        })
    void yes(String value) {
      assertTrue(Secrets.looksLikeJwt(value), value);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "abc",
          "a.b",
          ".b.c",
          "a..c",
          "..",
          "kvg_01234567890123456789012345678901",
          "kvg_abc.def.ghi"
        })
    void no(String value) {
      assertFalse(Secrets.looksLikeJwt(value), value);
    }
  }

  @Nested
  class Hashing {
    @Test
    void isSha256OfTheUtf8Bytes() {
      assertEquals(
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
          Secrets.hex(Secrets.sha256("abc")));
      assertEquals(
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          Secrets.hex(Secrets.sha256("")));
    }

    @Test
    void hexIsLowerCaseTwoDigitsPerByte() {
      assertEquals("00ff0a", Secrets.hex(new byte[] {0, (byte) 0xff, 10}));
    }
  }

  @Nested
  class Same {
    final byte[] digest = Secrets.sha256("kvg_01234567890123456789012345678901");

    @Test
    void equalDigestsAreTheSame() {
      assertTrue(Secrets.same(digest, digest.clone()));
    }

    @Test
    void aDigestDifferingInOneBitIsNot() {
      for (int i = 0; i < digest.length; i++) {
        byte[] other = digest.clone();
        other[i] ^= 1;
        assertFalse(Secrets.same(digest, other), "byte " + i);
      }
    }

    @Test
    void digestsOfOtherLengthsAreNot() {
      assertFalse(Secrets.same(digest, Arrays.copyOf(digest, 31)));
      assertFalse(Secrets.same(digest, Arrays.copyOf(digest, 33)));
      assertFalse(Secrets.same(digest, new byte[0]));
    }

    @Test
    void nullIsNeverTheSame() {
      assertFalse(Secrets.same(null, digest));
      assertFalse(Secrets.same(digest, null));
      assertFalse(Secrets.same(null, null));
    }

    /**
     * The time of a comparison does not depend on where two inputs first differ. A comparison that
     * stops at the first difference is about a hundred times faster on a 4 KiB input differing at
     * its start than on one differing at its end; this allows three times.
     */
    @Test
    void takesAsLongWhereverTheInputsDiffer() {
      byte[] a = new byte[4096];
      Arrays.fill(a, (byte) 7);
      byte[] early = a.clone();
      early[0] = 8;
      byte[] late = a.clone();
      late[late.length - 1] = 8;
      for (int warm = 0; warm < 20_000; warm++) {
        Secrets.same(a, early);
        Secrets.same(a, late);
      }
      long earlyNs = Long.MAX_VALUE;
      long lateNs = Long.MAX_VALUE;
      for (int round = 0; round < 15; round++) {
        earlyNs = Math.min(earlyNs, time(a, early));
        lateNs = Math.min(lateNs, time(a, late));
      }
      double ratio = (double) Math.max(earlyNs, lateNs) / Math.min(earlyNs, lateNs);
      assertTrue(ratio < 3, "early " + earlyNs + " ns, late " + lateNs + " ns");
    }

    private long time(byte[] a, byte[] b) {
      boolean any = false;
      long start = System.nanoTime();
      for (int i = 0; i < 2000; i++) {
        any |= Secrets.same(a, b);
      }
      long ns = System.nanoTime() - start;
      assertFalse(any);
      return ns;
    }

    @Test
    void utf8IsHashedNotPlatformBytes() {
      assertArrayEquals(
          Secrets.sha256("é"),
          Secrets.sha256(new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }
  }
}
