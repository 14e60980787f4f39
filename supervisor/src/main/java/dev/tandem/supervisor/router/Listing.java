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
 * One list a host can page through (tools, prompts, resources or resource templates), each item
 * with the pool that serves it. Cursors are opaque to the host, as the pagination page asks, and
 * carry the list's kind so one list's cursor is refused by another.
 */
public final class Listing {

  public record Entry(String key, JsonNode item, Pool pool) {}

  public record Page(List<JsonNode> items, String nextCursor) {}

  private final String kind;
  private final Map<String, Entry> byKey;
  private final List<Entry> ordered;

  Listing(String kind, Map<String, Entry> byKey) {
    this.kind = kind;
    this.byKey = byKey;
    this.ordered = List.copyOf(byKey.values());
  }

  /**
   * Collects the items of every pool in pool order. A key served by two pools is a conflict: hosts
   * address items by key alone, so one of them would be unreachable.
   */
  static Listing collect(
      String kind,
      String keyField,
      List<Pool> pools,
      java.util.function.Function<Pool, List<JsonNode>> items) {
    Map<String, Entry> byKey = new LinkedHashMap<>();
    for (Pool pool : pools) {
      for (JsonNode item : items.apply(pool)) {
        String key = item.path(keyField).asText("");
        if (key.isEmpty()) {
          throw new Catalog.Conflict(
              "pool \"" + pool.name() + "\" lists a " + kind + " without a " + keyField);
        }
        Entry clash = byKey.get(key);
        if (clash != null) {
          throw new Catalog.Conflict(
              kind
                  + " \""
                  + key
                  + "\" is served by both pool \""
                  + clash.pool().name()
                  + "\" and pool \""
                  + pool.name()
                  + "\"; rename one of them or drop it from one pool");
        }
        byKey.put(key, new Entry(key, item, pool));
      }
    }
    return new Listing(kind, byKey);
  }

  public Entry find(String key) {
    return byKey.get(key);
  }

  public List<Entry> entries() {
    return ordered;
  }

  public int size() {
    return ordered.size();
  }

  /** One page from the cursor; IllegalArgumentException names a cursor this list never gave. */
  public Page page(String cursor, int pageSize) {
    int from = cursor == null ? 0 : decode(cursor);
    if (from > ordered.size())
      throw new IllegalArgumentException("invalid cursor: past the end of the " + kind + " list");
    int to = Math.min(ordered.size(), from + pageSize);
    List<JsonNode> items = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) items.add(ordered.get(i).item());
    return new Page(items, to < ordered.size() ? encode(to) : null);
  }

  private String encode(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((kind + ":" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private int decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!raw.startsWith(kind + ":"))
        throw new IllegalArgumentException("not a " + kind + " cursor");
      int offset = Integer.parseInt(raw.substring(kind.length() + 1));
      if (offset < 0) throw new IllegalArgumentException("negative offset");
      return offset;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid cursor \"" + cursor + "\": use a nextCursor from the " + kind + " list", e);
    }
  }
}
