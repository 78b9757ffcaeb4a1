package io.kvgate.quiva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvgate.core.Precondition;
import io.kvgate.error.ErrorCode;
import io.kvgate.error.KvException;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Pure rules of the dialect's request parsing, with known vectors. */
class RulesTest {

  @Nested
  class GoDurations {
    @Test
    void nanosecondsMicrosecondsMillisecondsAndSeconds() {
      assertEquals("850ns", Durations.format(850));
      assertEquals("412µs", Durations.format(412_000));
      assertEquals("3ms", Durations.format(3_000_000));
      assertEquals("3.25ms", Durations.format(3_250_000));
      assertEquals("1.5s", Durations.format(1_500_000_000));
    }
  }

  @Nested
  class EntityTags {
    @Test
    void quotedBareAndWeakTagsAreRevisions() {
      assertEquals(List.of(7L, 9L, 11L), Requests.revisions("If-Match", "\"7\", 9, W/\"11\""));
    }

    @Test
    void starMeansAnyRevision() {
      Precondition p = Requests.precondition("*", null);
      assertTrue(p.ifMatchAny());
      assertTrue(p.ifMatch().isEmpty());
      assertFalse(p.ifNoneMatchAny());
    }

    @Test
    void ifNoneMatchStarIsCreateOnly() {
      Precondition p = Requests.precondition(null, "*");
      assertTrue(p.ifNoneMatchAny());
      assertFalse(p.isNone());
    }

    @Test
    void noHeadersIsNoPrecondition() {
      assertTrue(Requests.precondition(null, " ").isNone());
    }

    @Test
    void aTagThatIsNotARevisionIs400() {
      KvException e =
          assertThrows(KvException.class, () -> Requests.revisions("If-Match", "\"abc\""));
      assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
      assertThrows(KvException.class, () -> Requests.revisions("If-Match", "\"0\""));
    }

    @Test
    void etagIsTheQuotedRevision() {
      assertEquals("\"42\"", Requests.etag(42));
    }
  }

  @Nested
  class QueryIntegers {
    @Test
    void absentGivesTheDefault() {
      assertEquals(10, Requests.intParam("limit", null, 1, 1000, 10));
    }

    @Test
    void boundsAreInclusive() {
      assertEquals(1, Requests.intParam("limit", "1", 1, 1000, 10));
      assertEquals(1000, Requests.intParam("limit", "1000", 1, 1000, 10));
    }

    @Test
    void outOfRangeOrNotANumberIs400() {
      for (String bad : List.of("0", "1001", "-5", "ten", "1.5", "99999999999999999999")) {
        assertThrows(KvException.class, () -> Requests.intParam("limit", bad, 1, 1000, 10), bad);
      }
    }
  }
}
