package dev.tandem.supervisor.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which of the daemon's environment variables a worker inherits: an allow list, as the MCP SDKs
 * give a stdio server ({@code getDefaultEnvironment}: HOME, LOGNAME, PATH, SHELL, TERM, USER),
 * widened to what Python tools commonly need, plus a pool's {@code pass_env}. Whatever the daemon
 * was started with beyond that (a deploy key, a database password, {@code TANDEM_HTTP_TOKEN}) stays
 * with the daemon: tool code, and every library it imports, cannot read what it is not given.
 *
 * <p>API keys pass by default ({@code *_API_KEY}, and the {@code *_BASE_URL} that go with them): a
 * tool that calls a model is the common case, and {@code tandem.models} reads {@code
 * ANTHROPIC_API_KEY} / {@code OPENAI_API_KEY}; withholding them would break it at the first call
 * instead of at configuration. Anything else a tool needs is named in {@code pass_env} (or given a
 * value in the pool's {@code env}); the daemon logs the names it withheld, once per pool, so a
 * missing variable is never a silent mystery.
 *
 * <p>Patterns: {@code NAME} exactly, {@code PREFIX*}, {@code *SUFFIX}, or {@code *} for all. The
 * daemon's own {@code TANDEM_*} variables (config overrides, the HTTP token) match no pattern but
 * {@code TANDEM_LOG_LEVEL} and {@code TANDEM_MODEL}, which tools read: they pass only when named
 * exactly, so even {@code pass_env = ["*"]} keeps the token back.
 */
final class WorkerEnvironment {

  static final List<String> DEFAULT_PASS =
      List.of(
          // the session and the locale
          "PATH",
          "HOME",
          "USER",
          "LOGNAME",
          "SHELL",
          "TERM",
          "LANG",
          "LANGUAGE",
          "LC_*",
          "TZ",
          "TMPDIR",
          "TEMP",
          "TMP",
          "XDG_*",
          // the interpreter and its environment manager
          "PYTHON*",
          "VIRTUAL_ENV",
          "CONDA_*",
          "PYENV*",
          "UV_*",
          "LD_LIBRARY_PATH",
          // the network: proxies and certificate bundles (behind a TLS-inspecting proxy nothing
          // connects without them: requests, boto3, Node for a foreign server run by npx)
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "NO_PROXY",
          "ALL_PROXY",
          "http_proxy",
          "https_proxy",
          "no_proxy",
          "all_proxy",
          "SSL_CERT_FILE",
          "SSL_CERT_DIR",
          "*_CA_BUNDLE",
          "NODE_EXTRA_CA_CERTS",
          // model APIs, which tools call
          "*_API_KEY",
          "*_BASE_URL",
          "OLLAMA_HOST",
          "TANDEM_MODEL",
          "TANDEM_LOG_LEVEL");

  private WorkerEnvironment() {}

  /** The variables of {@code daemon} a worker of a pool with {@code passEnv} inherits. */
  static Map<String, String> inherited(Map<String, String> daemon, List<String> passEnv) {
    Map<String, String> out = new TreeMap<>();
    daemon.forEach(
        (name, value) -> {
          if (passes(name, passEnv)) out.put(name, value);
        });
    return out;
  }

  /** The names of {@code daemon}'s variables a worker does not get, sorted, for the log. */
  static List<String> withheld(Map<String, String> daemon, List<String> passEnv) {
    List<String> out = new ArrayList<>();
    for (String name : new TreeMap<>(daemon).keySet()) {
      if (!passes(name, passEnv)) out.add(name);
    }
    return out;
  }

  static boolean passes(String name, List<String> passEnv) {
    if (passEnv.contains(name)) return true; // named exactly: even one of the daemon's own
    if (name.startsWith("TANDEM_") && !DEFAULT_PASS.contains(name)) return false;
    return matchesAny(name, DEFAULT_PASS) || matchesAny(name, passEnv);
  }

  private static boolean matchesAny(String name, List<String> patterns) {
    for (String p : patterns) {
      if (p.equals("*")) return true;
      if (p.endsWith("*")
          ? name.startsWith(p.substring(0, p.length() - 1))
          : p.startsWith("*") ? name.endsWith(p.substring(1)) : name.equals(p)) {
        return true;
      }
    }
    return false;
  }
}
