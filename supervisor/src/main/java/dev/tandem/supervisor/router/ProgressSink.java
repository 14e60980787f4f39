package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where a call's progress goes: the session that made it, with the host's own token restored. */
@FunctionalInterface
public interface ProgressSink {
  void progress(ObjectNode params);
}
