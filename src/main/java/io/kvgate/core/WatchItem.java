package io.kvgate.core;

/** What a watch sends: a change, the end of its opening replay, a keep-alive, or its last word. */
public sealed interface WatchItem {

  /** A change; one of the opening replay is not a resume point. */
  record Event(Change change, boolean replay) implements WatchItem {}

  /** The opening replay is complete up to {@code revision}; live changes follow. */
  record ReplayComplete(long revision) implements WatchItem {}

  /** Nothing happened for a while. */
  record KeepAlive() implements WatchItem {}

  /** The watch ends, for this reason: an error code and a message for the client. */
  record End(String error, String message) implements WatchItem {}
}
