package dev.tandem.supervisor.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.Router;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What tandem offers a host, the same in both eras: its capabilities and instructions (in a 2025
 * {@code initialize} result and a 2026-07-28 {@code server/discover}) and a page of a list. {@link
 * Session} and {@link StatelessServer} differ only in the envelope around these.
 */
final class ServerSurface {

  static final String INSTRUCTIONS = "Tools served by tandem from supervised Python workers.";

  private ServerSurface() {}

  /** Puts {@code capabilities} and {@code instructions} into an initialize or discover result. */
  static void describe(ObjectNode result) {
    ObjectNode capabilities = result.putObject("capabilities");
    capabilities.putObject("tools").put("listChanged", true);
    capabilities.putObject("prompts").put("listChanged", true);
    capabilities.putObject("resources").put("subscribe", true).put("listChanged", true);
    capabilities.putObject("completions");
    capabilities.putObject("logging");
    result.put("instructions", INSTRUCTIONS);
  }

  /**
   * One page of a list ({@code tools/list} and the others): {@code {key: [...], nextCursor?}}, or a
   * {@link CallFailed} for a cursor that is not one tandem gave, or when tandem is not serving.
   */
  static CompletableFuture<ObjectNode> page(
      Router router,
      String method,
      JsonNode params,
      Function<Catalog, Listing> which,
      String key,
      int pageSize) {
    JsonNode cursor = params == null ? null : params.get("cursor");
    if (cursor != null && !cursor.isTextual() && !cursor.isNull()) {
      return CompletableFuture.failedFuture(
          new CallFailed(
              RpcError.invalidParams(
                  method + " params.cursor must be a string from a previous nextCursor")));
    }
    String from = cursor == null || cursor.isNull() ? null : cursor.asText();
    return router
        .catalog()
        .handle(
            (catalog, failure) -> {
              if (failure != null) {
                throw new CallFailed(
                    RpcError.internal(
                        "tandem is not serving: " + Failures.cause(failure).getMessage()));
              }
              Listing.Page page;
              try {
                page = which.apply(catalog).page(from, pageSize);
              } catch (IllegalArgumentException e) {
                throw new CallFailed(RpcError.invalidParams(e.getMessage()));
              }
              ObjectNode result = Json.object();
              result.putArray(key).addAll(page.items());
              if (page.nextCursor() != null) result.put("nextCursor", page.nextCursor());
              return result;
            });
  }
}
