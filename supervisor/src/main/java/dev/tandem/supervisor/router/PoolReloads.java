package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.pool.Offer;
import dev.tandem.supervisor.pool.Pool;
import dev.tandem.supervisor.pool.ReloadFailed;
import dev.tandem.supervisor.pool.Reloaded;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code tandem/reload}: which pools to reload, reloading them in parallel (each replaces its own
 * workers one at a time), and the answer.
 *
 * <pre>
 * → {"method": "tandem/reload", "params": {"pools": ["examples"]}}      (params optional: every pool)
 * ← {"reloaded": ["examples"],
 *    "pools": [{"name": "examples", "generation": 2, "ms": 640,
 *               "oldPids": [4182, 4183], "newPids": [4250, 4251, 4252], "draining": 1,
 *               "tools": {"before": 3, "after": 4, "added": ["shout"], "removed": []},
 *               "prompts": {"before": 0, "after": 0}, "resources": {"before": 0, "after": 0}}]}
 * </pre>
 *
 * A pool whose new code does not start keeps its old workers, and the request fails with {@link
 * #RELOAD_FAILED}, a message naming the pool, the module and the traceback's last lines, and {@code
 * data}: {@code {"failed": [{"pool", "module", "traceback", "kept", "message"}], "reloaded":
 * [...pools that did reload, as above]}}.
 */
final class PoolReloads {

  /** JSON-RPC error code of a reload that failed (implementation-defined server error range). */
  static final int RELOAD_FAILED = -32050;

  private PoolReloads() {}

  static CompletableFuture<JsonNode> run(Router router, ObjectNode params) {
    List<Pool> chosen;
    try {
      chosen = choose(router.pools(), params);
    } catch (CallFailed e) {
      return CompletableFuture.failedFuture(e);
    }
    List<CompletableFuture<Reloaded>> each = chosen.stream().map(Pool::reload).toList();
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .handle((ignored, failure) -> answer(router, chosen, each));
  }

  private static List<Pool> choose(List<Pool> pools, ObjectNode params) {
    JsonNode names = params == null ? null : params.get("pools");
    if (names == null || names.isNull()) return pools;
    if (!names.isArray()) {
      throw new CallFailed(
          RpcError.invalidParams(
              "tandem/reload params.pools must be an array of pool names, or left out for every pool"));
    }
    Set<String> wanted = new LinkedHashSet<>();
    names.forEach(n -> wanted.add(n.asText()));
    List<Pool> out = new ArrayList<>();
    for (String name : wanted) {
      Pool pool =
          pools.stream()
              .filter(p -> p.name().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new CallFailed(
                          RpcError.invalidParams(
                              "tandem/reload: no pool named \""
                                  + name
                                  + "\"; the pools are "
                                  + pools.stream().map(Pool::name).toList())));
      out.add(pool);
    }
    return out;
  }

  private static JsonNode answer(
      Router router, List<Pool> pools, List<CompletableFuture<Reloaded>> each) {
    ArrayNode reloaded = Json.NODES.arrayNode();
    ArrayNode reports = Json.NODES.arrayNode();
    ArrayNode failed = Json.NODES.arrayNode();
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      CompletableFuture<Reloaded> f = each.get(i);
      if (!f.isCompletedExceptionally()) {
        Reloaded r = f.join();
        reloaded.add(r.pool());
        reports.add(report(r));
        continue;
      }
      Throwable cause = Failures.cause(f.handle((r, t) -> t).join());
      ObjectNode failure =
          failed.addObject().put("pool", pools.get(i).name()).put("message", cause.getMessage());
      if (cause instanceof ReloadFailed rf) {
        if (rf.module() != null) failure.put("module", rf.module());
        rf.traceback().forEach(failure.putArray("traceback")::add);
        rf.kept().forEach(failure.putArray("kept")::add);
      }
      messages.add(cause.getMessage());
    }
    String conflict = router.catalogConflict();
    if (conflict != null)
      messages.add("the reloaded lists conflict, so hosts keep the previous ones: " + conflict);
    if (messages.isEmpty()) {
      ObjectNode result = Json.object();
      result.set("reloaded", reloaded);
      result.set("pools", reports);
      return result;
    }
    ObjectNode data = Json.object();
    data.set("failed", failed);
    data.set("reloaded", reports);
    if (conflict != null) data.put("conflict", conflict);
    throw new CallFailed(new RpcError(RELOAD_FAILED, String.join("\n", messages), data));
  }

  private static ObjectNode report(Reloaded r) {
    ObjectNode pool =
        Json.object()
            .put("name", r.pool())
            .put("generation", r.generation())
            .put("ms", r.took().toMillis());
    r.oldPids().forEach(pool.putArray("oldPids")::add);
    r.newPids().forEach(pool.putArray("newPids")::add);
    pool.put("draining", r.draining());
    ObjectNode tools = counts(pool, "tools", r.before().tools(), r.after().tools());
    Set<String> before = names(r.before(), "name");
    Set<String> after = names(r.after(), "name");
    ArrayNode added = tools.putArray("added");
    after.stream().filter(n -> !before.contains(n)).forEach(added::add);
    ArrayNode removed = tools.putArray("removed");
    before.stream().filter(n -> !after.contains(n)).forEach(removed::add);
    counts(pool, "prompts", r.before().prompts(), r.after().prompts());
    counts(pool, "resources", r.before().resources(), r.after().resources());
    return pool;
  }

  private static ObjectNode counts(
      ObjectNode pool, String key, List<JsonNode> before, List<JsonNode> after) {
    return pool.putObject(key).put("before", before.size()).put("after", after.size());
  }

  private static Set<String> names(Offer offer, String field) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode tool : offer.tools()) out.add(tool.path(field).asText());
    return out;
  }
}
