package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A host session's interest in the catalog: its lists changed, or a resource it may watch did. */
public interface CatalogObserver {

  /** {@code notifications/tools/list_changed} or its prompts and resources siblings. */
  void listChanged(String notification);

  /** {@code notifications/resources/updated} params; the session sends it if it subscribed. */
  void resourceUpdated(ObjectNode params);
}
