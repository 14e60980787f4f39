package dev.tandem.supervisor.transport.http;

import dev.tandem.protocol.Message;

/**
 * Where the messages of one host request go: its own SSE stream, or the single JSON response of a
 * client that asked for one. Thread-safe: a session offers from whatever thread completed the call.
 */
interface AnswerSink {

  /**
   * Takes a message to deliver, or returns false when this sink cannot carry it (a JSON response
   * carries only the answer) or its connection is gone; the session then looks elsewhere.
   */
  boolean offer(Message message);

  /** No more messages: the answer was sent, or there will be none (cancelled, session closed). */
  void end();
}
