package dev.tandem.supervisor.session;

import dev.tandem.protocol.Message;

/** The way back to the host of one session; implemented by each transport. */
@FunctionalInterface
public interface Outbound {
  void send(Message message);
}
