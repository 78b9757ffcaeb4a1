package io.kvgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Strict UTF-8 checking with known vectors (RFC 3629 and the Unicode well-formed table). */
class Utf8Test {

  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  @Test
  void emptyIsValid() {
    assertEquals(-1, Utf8.firstInvalid(new byte[0]));
  }

  @Test
  void everyAsciiByteIsValid() {
    byte[] ascii = new byte[128];
    for (int i = 0; i < 128; i++) {
      ascii[i] = (byte) i;
    }
    assertTrue(Utf8.isValid(ascii));
  }

  @Test
  void javaEncodedTextWithEveryLengthIsValid() {
    String text = "a \u00e9 \u07ff \u0800 \u20ac \ud7ff \ue000 \uffff \uD83D\uDE00 \uDBFF\uDFFF";
    assertTrue(Utf8.isValid(text.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "U+0080 first two-byte, C2 80",
    "U+07FF last two-byte, DF BF",
    "U+0800 first three-byte, E0 A0 80",
    "U+D7FF before the surrogates, ED 9F BF",
    "U+E000 after the surrogates, EE 80 80",
    "U+FFFD replacement character, EF BF BD",
    "U+FFFF noncharacter still well-formed, EF BF BF",
    "U+10000 first four-byte, F0 90 80 80",
    "U+10FFFF last code point, F4 8F BF BF",
    "byte order mark, EF BB BF"
  })
  void wellFormedSequences(String what, String bytes) {
    assertEquals(-1, Utf8.firstInvalid(hex(bytes)), what);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "byte FF, FF",
    "byte FE, FE",
    "overlong NUL, C0 80",
    "overlong two-byte C1, C1 BF",
    "overlong three-byte slash, E0 80 AF",
    "overlong three-byte U+07FF, E0 9F BF",
    "overlong four-byte, F0 80 80 80",
    "overlong four-byte U+FFFF, F0 8F BF BF",
    "high surrogate U+D800, ED A0 80",
    "low surrogate U+DFFF, ED BF BF",
    "surrogate pair as CESU-8, ED A0 BD ED B8 80",
    "above U+10FFFF, F4 90 80 80",
    "lead byte F5, F5 80 80 80",
    "five-byte form, F8 88 80 80 80",
    "lone continuation 80, 80",
    "lone continuation BF, BF",
    "two-byte cut short, C3",
    "three-byte cut short, E2 82",
    "four-byte cut short, F0 9F 98",
    "ASCII where a continuation belongs, C3 41",
    "second of three not a continuation, E2 28 A1",
    "third of three not a continuation, E2 82 28"
  })
  void malformedSequencesAreFoundAtTheirFirstByte(String what, String bytes) {
    assertEquals(0, Utf8.firstInvalid(hex(bytes)), what);
    assertFalse(Utf8.isValid(hex(bytes)), what);
  }

  @Test
  void reportsTheIndexOfTheFirstBadByte() {
    assertEquals(2, Utf8.firstInvalid(hex("61 62 FF 63")));
    assertEquals(2, Utf8.firstInvalid(hex("C3 A9 C0 80")));
    assertEquals(3, Utf8.firstInvalid(hex("E2 82 AC ED A0 80 FF")));
  }

  @Test
  void sequenceCutShortAtTheEndIsFoundAtItsLeadByte() {
    assertEquals(4, Utf8.firstInvalid(hex("7B 22 61 22 E2 82")));
  }
}
