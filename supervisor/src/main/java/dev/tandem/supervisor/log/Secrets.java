package dev.tandem.supervisor.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The values no log line may show: the daemon's HTTP token, secrets from the config, and the values
 * of environment variables whose names say they hold a credential. {@link Log} replaces each with
 * {@code [redacted $NAME]} in every record it writes, whoever wrote the text (the daemon, a
 * worker's stderr, a worker's {@code notifications/message}), so a key a tool prints or puts in an
 * exception message reaches the host's log as the trace file has it.
 *
 * <p>Which names hold secrets is the same rule as the Python trace recorder's ({@code
 * tandem.recorder._SECRET_SUFFIXES}); {@code protocol/vectors/secret_names.jsonl} is the contract
 * both test suites replay, so the two cannot drift apart unnoticed.
 *
 * <p>Cost: with no secret known a record pays one array length check; otherwise one {@code indexOf}
 * per secret over the message, only for records that pass the level threshold. At {@code info} a
 * worker writes no line per call, so the hot path never pays it.
 */
public final class Secrets {

  /** Name suffixes (upper-cased) of variables that hold credentials by convention. */
  static final List<String> SECRET_SUFFIXES =
      List.of("_API_KEY", "_KEY", "_TOKEN", "_SECRET", "_PASSWORD");

  /** Shorter values are too likely to occur by accident ("1", "true", a port) to redact. */
  public static final int MIN_LENGTH = 8;

  private record Known(String value, String replacement) {}

  /** Longest first, so a secret that contains another is replaced whole. Copy on write. */
  private static volatile Known[] known = new Known[0];

  static {
    fromEnvironment(System.getenv());
  }

  private Secrets() {}

  /** Whether a variable of this name holds a credential by its name alone. */
  public static boolean isSecretName(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (String suffix : SECRET_SUFFIXES) {
      if (upper.endsWith(suffix)) return true;
    }
    return false;
  }

  /** Registers the value of every variable in {@code env} whose name says it is a secret. */
  public static void fromEnvironment(Map<String, String> env) {
    env.forEach(
        (name, value) -> {
          if (isSecretName(name)) add("$" + name, value);
        });
  }

  /**
   * Treats {@code value} as a secret from now on, shown as {@code [redacted WHAT]} where {@code
   * what} says where it came from ({@code $NAME}, {@code http.token}); a value shorter than {@link
   * #MIN_LENGTH} is ignored (a token that short is no protection anyway).
   */
  public static synchronized void add(String what, String value) {
    if (value == null || value.length() < MIN_LENGTH) return;
    Known[] now = known;
    for (Known k : now) {
      if (k.value().equals(value)) return;
    }
    Known[] more = Arrays.copyOf(now, now.length + 1);
    more[now.length] = new Known(value, "[redacted " + what + "]");
    Arrays.sort(more, Comparator.comparingInt((Known k) -> k.value().length()).reversed());
    known = more;
  }

  /** {@code text} with every known secret replaced; the same instance when none occurs. */
  public static String redact(String text) {
    Known[] now = known;
    if (now.length == 0 || text == null) return text;
    for (Known k : now) {
      if (text.contains(k.value())) text = text.replace(k.value(), k.replacement());
    }
    return text;
  }

  /** {@link #redact} of each line. */
  public static List<String> redact(List<String> lines) {
    if (known.length == 0) return lines;
    List<String> out = new ArrayList<>(lines.size());
    for (String line : lines) out.add(redact(line));
    return out;
  }

  /** For tests: forget everything registered. */
  static synchronized void clear() {
    known = new Known[0];
  }
}
