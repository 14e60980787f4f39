package dev.tandem.supervisor.transport.http;

import dev.tandem.supervisor.session.Outbound;
import dev.tandem.supervisor.session.Session;

/** Opens the MCP session behind one HTTP session; every one shares the daemon's one router. */
@FunctionalInterface
public interface SessionFactory {
  Session open(String label, Outbound out);
}
