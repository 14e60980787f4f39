package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Message;

/**
 * The way back to the host of one session; implemented by each transport.
 *
 * <p>{@code relatedTo} is the id of the host request a message belongs to (its answer, its
 * progress, a server-to-client request it caused), or null for a message that belongs to none.
 * stdio ignores it; Streamable HTTP uses it to put the message on that request's own SSE stream, as
 * the transport page requires.
 */
@FunctionalInterface
public interface Outbound {
  void send(Message message, JsonNode relatedTo);
}
