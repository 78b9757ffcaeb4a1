package io.kvgate.core;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The naming rules of the model with known vectors: bucket names, keys, prefixes and globs. */
class NamesTest {

  @Nested
  class BucketNames {
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a", "Z", "0", "orders", "my-bucket", "my_bucket", "A1-b2_C3", "9-_"})
    void valid(String name) {
      assertTrue(Names.isBucketName(name));
      assertEquals(name, Names.requireBucketName(name));
    }

    @Test
    void sixtyThreeCharactersAreValid() {
      assertTrue(Names.isBucketName("a".repeat(63)));
    }

    @Test
    void sixtyFourCharactersAreInvalid() {
      assertFalse(Names.isBucketName("a".repeat(64)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
        strings = {
          "-a",
          "_a",
          "a.b",
          "a b",
          " a",
          "a ",
          "a/b",
          "a:b",
          "caf\u00e9",
          "a\n",
          "a\u0000",
          "\u00e9"
        })
    void invalid(String name) {
      assertFalse(Names.isBucketName(name));
      KvException e = assertThrows(KvException.class, () -> Names.requireBucketName(name));
      assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
      assertThat(e.getMessage(), containsString("invalid bucket name"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void absentIsRequired(String name) {
      KvException e = assertThrows(KvException.class, () -> Names.requireBucketName(name));
      assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
      assertThat(e.getMessage(), containsString("required"));
    }
  }

  @Nested
  class Keys {
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
        strings = {
          "a",
          "user:42",
          "a/b",
          "a/b/c",
          "a.b",
          ".a",
          "a.",
          "...",
          "a/.b",
          "a/..b",
          "a/b.",
          "!'()*-_.=:@~",
          "x=1",
          "me@host",
          "~tilde"
        })
    void valid(String key) {
      assertNull(Names.keyProblem(key));
      assertEquals(key, Names.requireKey(key));
    }

    @Test
    void fiveHundredTwelveCharactersAreValid() {
      assertNull(Names.keyProblem("k".repeat(512)));
    }

    @Test
    void fiveHundredTwelveCharactersInSegmentsAreValid() {
      String key = ("abc/".repeat(128)).substring(0, 511) + "z";
      assertEquals(512, key.length());
      assertNull(Names.keyProblem(key));
    }

    @Test
    void fiveHundredThirteenCharactersAreTooLong() {
      assertThat(Names.keyProblem("k".repeat(513)), containsString("longer than 512"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void absentIsRequired(String key) {
      assertThat(Names.keyProblem(key), containsString("required"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"/a", "/", "a/", "a/b/", "//a"})
    void leadingOrTrailingSlashIsInvalid(String key) {
      assertThat(Names.keyProblem(key), containsString("start or end with /"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a//b", "a///b"})
    void emptySegmentIsInvalid(String key) {
      assertThat(Names.keyProblem(key), containsString("segment"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {".", "./a", "a/./b", "a/."})
    void dotSegmentIsInvalid(String key) {
      assertThat(Names.keyProblem(key), containsString("segment"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"..", "../a", "a/../b", "a/.."})
    void dotDotSegmentIsInvalid(String key) {
      assertThat(Names.keyProblem(key), containsString("segment"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
        strings = {
          "a b",
          "a$b",
          "a,b",
          "a;b",
          "a%b",
          "a+b",
          "a#b",
          "a?b",
          "a\"b",
          "a\\b",
          "a<b",
          "a|b",
          "a\nb",
          "a\tb",
          "a\u0000b",
          "caf\u00e9",
          "\u20ac",
          "\uD83D\uDE00"
        })
    void characterOutsideTheSetIsInvalid(String key) {
      assertThat(Names.keyProblem(key), containsString("characters outside"));
    }

    @Test
    void requireKeyThrowsAValidationError() {
      KvException e = assertThrows(KvException.class, () -> Names.requireKey("a/../b"));
      assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
      assertEquals(400, e.code().status());
    }
  }

  @Nested
  class Prefixes {
    @Test
    void absentIsTheEmptyPrefix() {
      assertEquals("", Names.requirePrefix(null));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "a", "users/", "a/b/", "/", "."})
    void anyRunOfKeyCharactersIsAPrefix(String prefix) {
      assertEquals(prefix, Names.requirePrefix(prefix));
    }

    @Test
    void fiveHundredTwelveCharactersAreAPrefix() {
      assertEquals(512, Names.requirePrefix("p".repeat(512)).length());
    }

    @Test
    void fiveHundredThirteenCharactersAreNot() {
      assertThrows(KvException.class, () -> Names.requirePrefix("p".repeat(513)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a b", "a?", "a%", "caf\u00e9"})
    void otherCharactersAreNot(String prefix) {
      assertThrows(KvException.class, () -> Names.requirePrefix(prefix));
    }
  }

  @Nested
  class Globs {
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"user*", "*", "?", "a?c", "*/x/*"})
    void valid(String glob) {
      assertEquals(glob, Names.requireGlob(glob));
    }

    @Test
    void fiveHundredTwelveCharactersAreValid() {
      assertEquals(512, Names.requireGlob("k".repeat(511) + "*").length());
    }

    @ParameterizedTest
    @NullAndEmptySource
    void absentIsRequired(String glob) {
      KvException e = assertThrows(KvException.class, () -> Names.requireGlob(glob));
      assertThat(e.getMessage(), containsString("required"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a b", "a[b]", "caf\u00e9*"})
    void otherCharactersAreInvalid(String glob) {
      assertThrows(KvException.class, () -> Names.requireGlob(glob));
    }

    @Test
    void fiveHundredThirteenCharactersAreInvalid() {
      assertThrows(KvException.class, () -> Names.requireGlob("k".repeat(513)));
    }

    @Test
    void literalPrefixStopsAtTheFirstWildcard() {
      assertEquals("user", Names.globPrefix("user*"));
      assertEquals("a", Names.globPrefix("a?b*"));
      assertEquals("", Names.globPrefix("*x"));
      assertEquals("", Names.globPrefix("?"));
      assertEquals("exact", Names.globPrefix("exact"));
    }
  }
}
