package dev.tandem.supervisor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed reads out of one config file's tree, each failing with a message that names the file (or
 * the variable or flag that overrode the value), the table and the key: what a person fixing it
 * needs. One instance per {@link ConfigLoader#load} call.
 */
final class ConfigFields {

  final Path source;

  /** The overrides applied to the file being loaded, by {@code where.key}, for error messages. */
  private final Map<String, Overrides.Setting> applied;

  ConfigFields(Path source, Map<String, Overrides.Setting> applied) {
    this.source = source;
    this.applied = applied;
  }

  /** An error in {@code where} of this file: "FILE: [table]: what". */
  ConfigException error(String where, String what) {
    return new ConfigException(source + ": " + where + ": " + what);
  }

  /** "WHERE: key why", WHERE the file or the variable or flag that set the key. */
  ConfigException invalid(String where, String key, String why) {
    return new ConfigException(at(where, key) + " " + why);
  }

  /** A value that has the right type but is wrong: "FILE: [table]: key \"value\" why". */
  ConfigException badValue(String where, String key, String value, String why) {
    return error(where, key + " \"" + value + "\" " + why);
  }

  /** {@code value} if it matches {@code pattern}, else the error "key \"value\" why". */
  String matching(String where, String key, String value, Pattern pattern, String why) {
    if (!pattern.matcher(value).matches()) throw badValue(where, key, value, why);
    return value;
  }

  void requireTable(String where, JsonNode node) {
    if (!node.isObject()) throw new ConfigException(source + ": " + where + " must be a table");
  }

  void checkKeys(String where, JsonNode node, Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new ConfigException(
            source
                + ": "
                + where
                + ": unknown key \""
                + key
                + "\""
                + suggestion(key, allowed)
                + "; known keys are "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  String string(String where, String key, JsonNode value) {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new ConfigException(at(where, key) + " must be a non-empty string, got " + value);
    }
    return value.asText();
  }

  List<String> strings(String where, String key, JsonNode value) {
    if (value == null) return List.of();
    if (!value.isArray()) {
      throw new ConfigException(
          at(where, key) + " must be a list of strings, like [\"a\", \"b\"]; got " + value);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : value) out.add(string(where, key + " item", item));
    return List.copyOf(out);
  }

  boolean bool(String where, JsonNode node, String key, boolean dflt) {
    JsonNode value = node.get(key);
    if (value == null) return dflt;
    if (!value.isBoolean()) {
      throw new ConfigException(
          source + ": " + where + ": " + key + " must be true or false, got " + value);
    }
    return value.booleanValue();
  }

  int intIn(String where, JsonNode node, String key, int dflt, int min, int max) {
    JsonNode value = node.get(key);
    if (value == null) return dflt;
    if (!value.isIntegralNumber()
        || !value.canConvertToInt()
        || value.intValue() < min
        || value.intValue() > max) {
      throw new ConfigException(
          at(where, key) + " must be an integer from " + min + " to " + max + ", got " + value);
    }
    return value.intValue();
  }

  Duration millis(String where, JsonNode node, String key, Duration dflt, int min, int max) {
    return Duration.ofMillis(intIn(where, node, key, (int) dflt.toMillis(), min, max));
  }

  /**
   * Where a value came from, as an error names it: the file and table, or the variable or flag that
   * overrode it (the file would be the wrong place to look for the mistake).
   */
  private String at(String where, String key) {
    String base = key.endsWith(" item") ? key.substring(0, key.length() - 5) : key;
    Overrides.Setting s = applied.get(where + "." + base);
    if (s == null) return source + ": " + where + ": " + key;
    return s.origin() + " (overriding " + where + " " + base + " of " + source + "): " + key;
  }

  /** "; did you mean \"replicas\"?" for a key two edits from a known one, or a part of it. */
  static String suggestion(String key, Set<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = key.length() >= 4 && (k.startsWith(key) || key.startsWith(k)) ? 1 : distance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best == null ? "" : "; did you mean \"" + best + "\"?";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
