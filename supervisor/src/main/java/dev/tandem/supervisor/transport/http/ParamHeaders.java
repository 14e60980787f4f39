package dev.tandem.supervisor.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Message;
import dev.tandem.supervisor.router.Catalog;
import dev.tandem.supervisor.router.Listing;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@code Mcp-Param-*} headers of a 2026-07-28 {@code tools/call} (SEP-2243): a tool's input
 * schema may mark a parameter {@code x-mcp-header: Name}, and the client then mirrors that argument
 * into {@code Mcp-Param-Name}. A proxy may route on the header while the tool runs on the body, so
 * they must agree: a header without the argument, the argument without its header, or different
 * values is a mismatch (transport page, "Server Validation"). Each tool's declarations are read
 * from its schema once per catalog.
 */
final class ParamHeaders {

  static final String PREFIX = "Mcp-Param-";

  /** One declared header: its name and the chain of {@code properties} keys to its argument. */
  record Declared(String name, List<String> path) {}

  private record Cache(Catalog catalog, Map<String, List<Declared>> byTool) {}

  private volatile Cache cache = new Cache(null, Map.of());

  /**
   * What is wrong with the request's {@code Mcp-Param-*} headers, or null; {@code header} reads a
   * header by name (case-insensitively).
   */
  String mismatch(Catalog catalog, Message.Request request, Function<String, String> header) {
    String tool = request.params().path("name").asText(null);
    if (tool == null) return null;
    List<Declared> declared = declaredBy(catalog, tool);
    if (declared.isEmpty()) return null;
    JsonNode arguments = request.params().path("arguments");
    for (Declared d : declared) {
      JsonNode value = arguments;
      for (String key : d.path) value = value.path(key);
      String raw = header.apply(PREFIX + d.name);
      String problem = compare(PREFIX + d.name, raw, value, String.join(".", d.path));
      if (problem != null) return problem;
    }
    return null;
  }

  private static String compare(String name, String raw, JsonNode value, String path) {
    boolean inBody = !value.isMissingNode() && !value.isNull();
    if (raw == null) {
      return inBody
          ? name + " header is missing (params.arguments." + path + " is in the body)"
          : null;
    }
    if (!inBody) {
      return name + " header is present but params.arguments." + path + " is not in the body";
    }
    String decoded = StatelessEndpoint.decode(raw.strip());
    if (decoded == null) return name + " header value is not valid =?base64?...?= encoding";
    boolean equal;
    if (value.isNumber()) {
      // "42.0" and 42 are one integer: compared as numbers (transport page, Server Validation).
      try {
        equal = new BigDecimal(decoded).compareTo(value.decimalValue()) == 0;
      } catch (NumberFormatException e) {
        equal = false;
      }
    } else if (value.isBoolean() || value.isTextual()) {
      equal = decoded.equals(value.asText());
    } else {
      return name
          + " mirrors params.arguments."
          + path
          + ", which is not a string, integer or"
          + " boolean";
    }
    return equal
        ? null
        : name + " header value '" + raw + "' does not match body value '" + value.asText() + "'";
  }

  private List<Declared> declaredBy(Catalog catalog, String tool) {
    Cache c = cache;
    if (c.catalog != catalog) {
      c = new Cache(catalog, new ConcurrentHashMap<>());
      cache = c;
    }
    List<Declared> known = c.byTool.get(tool);
    if (known != null) return known;
    // Only tools that exist are remembered: a client naming made-up tools must not grow this.
    Listing.Entry entry = catalog.tools.find(tool);
    if (entry == null) return List.of();
    return c.byTool.computeIfAbsent(tool, t -> read(entry));
  }

  private static List<Declared> read(Listing.Entry entry) {
    List<Declared> out = new ArrayList<>();
    collect(entry.item().path("inputSchema"), new ArrayList<>(), out);
    return List.copyOf(out);
  }

  /** Only through {@code properties}: a declaration anywhere else has no single argument path. */
  private static void collect(JsonNode schema, List<String> path, List<Declared> out) {
    JsonNode name = schema.get("x-mcp-header");
    if (!path.isEmpty() && name != null && name.isTextual() && !name.asText().isEmpty()) {
      out.add(new Declared(name.asText(), List.copyOf(path)));
    }
    JsonNode properties = schema.path("properties");
    if (!properties.isObject()) return;
    for (var field : properties.properties()) {
      path.add(field.getKey());
      collect(field.getValue(), path, out);
      path.remove(path.size() - 1);
    }
  }
}
