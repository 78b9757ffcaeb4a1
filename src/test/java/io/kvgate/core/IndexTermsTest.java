package io.kvgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pure rules of index terms: number order, words, dates and the blob the scripts read. */
class IndexTermsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void numbersSortAsStringsInTheOrderOfTheNumbers() {
    List<Double> values =
        new ArrayList<>(
            List.of(
                Double.NEGATIVE_INFINITY,
                -1e300,
                -5.5,
                -1.0,
                -Double.MIN_VALUE,
                0.0,
                -0.0,
                Double.MIN_VALUE,
                1.0,
                1.5,
                2.0,
                1e15,
                1e300,
                Double.POSITIVE_INFINITY));
    Random rng = new Random(1);
    for (int i = 0; i < 2000; i++) {
      values.add((rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(40) - 20));
    }
    for (double a : values) {
      for (int j = 0; j < 20; j++) {
        double b = values.get(rng.nextInt(values.size()));
        int byNumber = Double.compare(a == 0 ? 0.0 : a, b == 0 ? 0.0 : b);
        int byTerm = IndexTerms.number(a).compareTo(IndexTerms.number(b));
        assertEquals(Integer.signum(byNumber), Integer.signum(byTerm), a + " vs " + b);
      }
    }
    assertEquals(IndexTerms.number(0.0), IndexTerms.number(-0.0));
    assertEquals(16, IndexTerms.number(-3).length());
    assertEquals("8000000000000000", IndexTerms.number(0));
  }

  @Test
  void wordsAreDistinctLowerCaseRunsOfLettersAndDigits() {
    assertEquals(List.of("the", "quick", "fox", "42"), IndexTerms.words("The QUICK, fox! the 42"));
    assertEquals(List.of("straße", "münchen"), IndexTerms.words("Straße—MÜNCHEN"));
    assertEquals(List.of("ελληνικά"), IndexTerms.words("ΕΛΛΗΝΙΚΆ"));
    assertEquals(List.of("日本語"), IndexTerms.words("日本語"));
    assertEquals(List.of(), IndexTerms.words(" ,.;"));
    assertEquals(List.of("a", "b"), IndexTerms.words("a😀b"));
  }

  @Test
  void datesAreIsoStringsOrEpochMillis() throws Exception {
    assertEquals(0L, IndexTerms.dateMillis("1970-01-01T00:00:00Z"));
    assertEquals(0L, IndexTerms.dateMillis("1970-01-01"));
    assertEquals(0L, IndexTerms.dateMillis("1970-01-01T02:00:00+02:00"));
    assertEquals(1000L, IndexTerms.dateMillis("1970-01-01T00:00:01"));
    assertEquals(1234L, IndexTerms.dateMillis(JSON.readTree("1234")));
    assertNull(IndexTerms.dateMillis("yesterday"));
    assertNull(IndexTerms.dateMillis(JSON.readTree("true")));
  }

  @Test
  void theBlobListsEachTermOnceWithItsFieldAndFlagsWrongTypes() throws Exception {
    Indexing indexing =
        new Indexing(
            List.of(
                new Indexing.Mapping("n", Indexing.Type.NUMBER),
                new Indexing.Mapping("a.t", Indexing.Type.TEXT)),
            1,
            1,
            "file",
            null);
    IndexTerms.Terms t =
        IndexTerms.of(indexing, "k1", JSON.readTree("{\"n\":[2,2,\"x\"],\"a\":{\"t\":\"Hi hi\"}}"));
    assertTrue(t.unindexable());
    String blob = new String(t.blob(), StandardCharsets.UTF_8);
    String two = IndexTerms.number(2);
    assertEquals("1p3:N:n" + (two.length() + 3) + ":" + two + "\0k1" + "t5:T:a.t5:hi\0k1", blob);
    assertNull(IndexTerms.of(indexing, "k", JSON.readTree("{\"other\":1}")).blob());
    IndexTerms.Terms multi = IndexTerms.of(indexing, "k", JSON.readTree("{\"n\":[1,3]}"));
    assertFalse(multi.unindexable());
    assertTrue(new String(multi.blob(), StandardCharsets.UTF_8).startsWith("0m3:N:n0:"));
  }
}
