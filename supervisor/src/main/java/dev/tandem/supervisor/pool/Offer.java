package dev.tandem.supervisor.pool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What a pool's workers serve, as their list methods answered: the pool's share of the catalog. */
public record Offer(
    List<JsonNode> tools,
    List<JsonNode> prompts,
    List<JsonNode> resources,
    List<JsonNode> resourceTemplates) {

  public static final Offer EMPTY = new Offer(List.of(), List.of(), List.of(), List.of());
}
