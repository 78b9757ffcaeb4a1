package io.kvgate.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kvgate.core.Entry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The stored record format of prelude.lua, read back. */
class RecordsTest {

  @Test
  void readsHeaderAndValue() {
    byte[] rec =
        "12\n1700000000000\n1700000001000\n0\napplication/json\n\n{\"a\":\"x\\ny\"}"
            .getBytes(StandardCharsets.UTF_8);
    Entry e = Records.parse("k", rec);
    assertEquals(12, e.revision());
    assertEquals(Instant.ofEpochMilli(1700000000000L), e.created());
    assertEquals(Instant.ofEpochMilli(1700000001000L), e.updated());
    assertNull(e.expiresAt());
    assertEquals("application/json", e.contentType());
    assertNull(e.contentEncoding());
    assertArrayEquals("{\"a\":\"x\\ny\"}".getBytes(StandardCharsets.UTF_8), e.value());
  }

  @Test
  void valueMayHoldNewlinesAndBinaryBytes() {
    byte[] head = "3\n1\n2\n99\napplication/octet-stream\ngzip\n".getBytes(StandardCharsets.UTF_8);
    byte[] value = {'\n', 0, (byte) 0xff, '\n'};
    byte[] rec = new byte[head.length + value.length];
    System.arraycopy(head, 0, rec, 0, head.length);
    System.arraycopy(value, 0, rec, head.length, value.length);
    Entry e = Records.parse("k", rec);
    assertEquals(Instant.ofEpochMilli(99), e.expiresAt());
    assertEquals("gzip", e.contentEncoding());
    assertArrayEquals(value, e.value());
  }
}
