package dev.tandem.supervisor.router;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.supervisor.pool.Pool;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools of every pool served as one list, in pool order, with the pool that serves each.
 * Two pools offering the same tool name is a configuration error: a host addresses tools by name
 * only, so one of them would be unreachable.
 */
public final class ToolCatalog {

  /** An opaque cursor that a client may not forge into something else: "tools:" + offset. */
  private static final String CURSOR_PREFIX = "tools:";

  private final Map<String, Entry> byName;
  private final List<Entry> ordered;

  public record Entry(String name, JsonNode tool, Pool pool) {}

  public record Page(List<JsonNode> tools, String nextCursor) {}

  private ToolCatalog(Map<String, Entry> byName) {
    this.byName = byName;
    this.ordered = List.copyOf(byName.values());
  }

  public static ToolCatalog of(List<Pool> pools) {
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (Pool pool : pools) {
      for (JsonNode tool : pool.tools()) {
        String name = tool.path("name").asText("");
        if (name.isEmpty()) throw new CatalogConflict("pool \"" + pool.name() + "\" lists a tool without a name");
        Entry clash = byName.get(name);
        if (clash != null) {
          throw new CatalogConflict(
              "tool \"" + name + "\" is served by both pool \"" + clash.pool().name() + "\" and pool \""
                  + pool.name() + "\"; rename one of them (@tool(name=...)) or drop it from one pool");
        }
        byName.put(name, new Entry(name, tool, pool));
      }
    }
    return new ToolCatalog(byName);
  }

  public Entry find(String name) {
    return byName.get(name);
  }

  public int size() {
    return ordered.size();
  }

  /** One page starting at the cursor; throws IllegalArgumentException for a cursor we never gave. */
  public Page page(String cursor, int pageSize) {
    int from = cursor == null ? 0 : decode(cursor);
    if (from > ordered.size()) throw new IllegalArgumentException("cursor is past the end of the list");
    int to = Math.min(ordered.size(), from + pageSize);
    List<JsonNode> tools = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) tools.add(ordered.get(i).tool());
    return new Page(tools, to < ordered.size() ? encode(to) : null);
  }

  private static String encode(int offset) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((CURSOR_PREFIX + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!raw.startsWith(CURSOR_PREFIX)) throw new IllegalArgumentException("not a tools/list cursor");
      int offset = Integer.parseInt(raw.substring(CURSOR_PREFIX.length()));
      if (offset < 0) throw new IllegalArgumentException("negative offset");
      return offset;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cursor \"" + cursor + "\": use a nextCursor from tools/list", e);
    }
  }

  /** Two pools claim one tool name, or a pool lists a tool that cannot be addressed. */
  public static final class CatalogConflict extends RuntimeException {
    public CatalogConflict(String message) {
      super(message);
    }
  }
}
