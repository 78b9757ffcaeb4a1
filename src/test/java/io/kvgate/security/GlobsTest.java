package io.kvgate.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bucket-name globs: {@code *} any run of characters (also none), {@code ?} exactly one. */
class GlobsTest {

  @Nested
  class KnownVectors {
    @ParameterizedTest(name = "{0} ~ \"{1}\" = {2}") // '' is the empty string
    @CsvSource(
        delimiter = '|',
        value = {
          "orders-*     | orders-1        | true",
          "orders-*     | orders-         | true",
          "orders-*     | orders-eu-west  | true",
          "orders-*     | orders          | false",
          "orders-*     | users-1         | false",
          "orders-*     | xorders-1       | false",
          "orders-*     | ORDERS-1        | false",
          "*            | anything        | true",
          "*            | ''              | true",
          "**           | x               | true",
          "?            | a               | true",
          "?            | ''              | false",
          "?            | ab              | false",
          "a?c          | abc             | true",
          "a?c          | ac              | false",
          "a?c          | abbc            | false",
          "*-prod       | users-prod      | true",
          "*-prod       | users-prod-2    | false",
          "*-prod       | -prod           | true",
          "a*b*c        | abc             | true",
          "a*b*c        | aXbYc           | true",
          "a*b*c        | acb             | false",
          "a*b*c        | abcabc          | true",
          "a*b*c        | abcab           | false",
          "*a*          | banana          | true",
          "*x*          | banana          | false",
          "users-??     | users-12        | true",
          "users-??     | users-1         | false",
          "users-??     | users-123       | false",
          "exact        | exact           | true",
          "exact        | exactly         | false",
          "exact        | exac            | false",
          "''           | ''              | true",
          "''           | a               | false",
          "[a]          | a               | false",
          "[a]          | [a]             | true",
          "a.c          | abc             | false",
          "a.c          | a.c             | true",
          "*?           | ''              | false",
          "*?           | a               | true",
          "?*?          | ab              | true",
          "?*?          | a               | false"
        })
    void matches(String glob, String name, boolean expected) {
      assertEquals(expected, Globs.matches(glob, name), glob + " ~ \"" + name + "\"");
    }
  }

  @Nested
  class Performance {
    @Test
    void manyStarsOverALongNameStayLinear() {
      String glob = "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
      String name = "a".repeat(10_000);
      assertTimeoutPreemptively(
          Duration.ofSeconds(5), () -> assertFalse(Globs.matches(glob, name)));
    }

    @Test
    void everyNameOfAListIsAnsweredQuickly() {
      List<String> names = List.of("a".repeat(63), "ab".repeat(31), "b".repeat(63));
      assertTimeoutPreemptively(
          Duration.ofSeconds(5),
          () -> {
            for (int i = 0; i < 10_000; i++) {
              for (String n : names) {
                Globs.matches("*a*a*a*a*a*a*b*", n);
              }
            }
          });
      assertTrue(Globs.matches("*a*a*a*a*a*a*b*", "ab".repeat(31)));
    }
  }
}
