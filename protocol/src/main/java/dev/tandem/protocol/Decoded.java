package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one frame off the wire turned out to be: a message, a blank line to ignore, or something a
 * receiver must answer with a JSON-RPC error. The verdicts are the contract in {@code
 * protocol/vectors/decode.jsonl}, which the Python codec replays too.
 */
public sealed interface Decoded permits Message, Decoded.Blank, Decoded.Invalid {

  /** A blank or whitespace-only line, which newline-delimited peers may send between frames. */
  record Blank() implements Decoded {}

  /**
   * A frame that is not a usable message. {@code id} is the request id the receiver can still echo
   * (JSON null when there is none), so the sender can match the error to its call.
   */
  record Invalid(int code, String reason, JsonNode id) implements Decoded {
    public Message.Failure toFailure() {
      return new Message.Failure(id, new RpcError(code, reason, null));
    }
  }
}
