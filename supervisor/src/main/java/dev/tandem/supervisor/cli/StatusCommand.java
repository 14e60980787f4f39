package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem status}: what a running daemon is doing, from its {@code /status} endpoint. The
 * daemon is found by {@code --url}, else {@code $TANDEM_URL}, else the runtime file that {@code
 * serve --http} writes.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Show the pools and workers of a running daemon (one started with serve --http).",
      "Exit 0 if it answered, 1 if no daemon could be reached."
    })
final class StatusCommand implements Callable<Integer> {

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "the daemon's MCP URL (http://HOST:PORT/mcp) or base URL; default: $TANDEM_URL, else the runtime file")
  String url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "bearer token (default: $TANDEM_HTTP_TOKEN, else the one the runtime file names)")
  String token;

  @Option(names = "--json", description = "print the daemon's /status JSON as it is")
  boolean json;

  @Override
  public Integer call() {
    PrintStream out = Main.stdout;
    PrintStream err = System.err;
    Map<String, String> env = System.getenv();
    String where = url != null ? "--url" : env.containsKey("TANDEM_URL") ? "TANDEM_URL" : null;
    String target = url != null ? url : env.get("TANDEM_URL");
    DaemonAddress file = null;
    if (target == null) {
      file = DaemonAddress.find(env);
      if (file == null) {
        err.println(
            "tandem status: no running tandem daemon found (no runtime file at "
                + String.join(
                    " or ", DaemonAddress.candidates(env).stream().map(Object::toString).toList())
                + "); start one with 'tandem serve --http' (it writes that file), or pass its address with --url http://HOST:PORT/mcp");
        return 1;
      }
      target = file.url();
      where = file.path().toString();
    }
    URI statusUri;
    try {
      statusUri = statusUri(target);
    } catch (IllegalArgumentException e) {
      err.println(
          "tandem status: "
              + where
              + " gives \""
              + target
              + "\", which is not an http:// URL; "
              + e.getMessage());
      return 1;
    }
    String bearer = token != null ? token : env.get("TANDEM_HTTP_TOKEN");
    if ((bearer == null || bearer.isBlank()) && file != null) bearer = file.token();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(statusUri).timeout(Duration.ofSeconds(10)).GET();
    if (bearer != null && !bearer.isBlank()) request.header("Authorization", "Bearer " + bearer);
    HttpResponse<String> response;
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      String stale =
          file != null && !file.processAlive()
              ? "; "
                  + file.path()
                  + " names pid "
                  + file.pid()
                  + ", which is not running: the daemon is gone (remove the file)"
              : "";
      err.println(
          "tandem status: nothing answers at "
              + statusUri
              + " (connection refused)"
              + stale
              + "; start one with 'tandem serve --http'");
      return 1;
    } catch (IOException e) {
      err.println("tandem status: GET " + statusUri + " failed: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    if (response.statusCode() == 401) {
      err.println(
          "tandem status: "
              + statusUri
              + " wants a bearer token (401): "
              + (bearer == null || bearer.isBlank() ? "" : "the one sent is not the daemon's; ")
              + "pass --token or set TANDEM_HTTP_TOKEN to the daemon's [http] token");
      return 1;
    }
    if (response.statusCode() != 200) {
      err.println(
          "tandem status: GET "
              + statusUri
              + " answered "
              + response.statusCode()
              + ": "
              + response.body().strip());
      return 1;
    }
    JsonNode status;
    try {
      status = Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      err.println("tandem status: " + statusUri + " did not answer JSON: " + e.getMessage());
      return 1;
    }
    if (json) {
      out.println(status.toPrettyString());
    } else {
      render(out, target, status);
    }
    return 0;
  }

  /**
   * http://h:p/mcp, http://h:p/ or http://h:p all mean the daemon at h:p; /status is beside /mcp.
   */
  static URI statusUri(String url) {
    URI u = URI.create(url.trim());
    if (u.getScheme() == null
        || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
        || u.getHost() == null) {
      throw new IllegalArgumentException("write it like http://127.0.0.1:8765/mcp");
    }
    String path = u.getPath() == null ? "" : u.getPath();
    if (path.endsWith("/mcp")) path = path.substring(0, path.length() - 4);
    if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    return u.resolve(path + "/status");
  }

  /** The status document's key for the number of tasks in {@code status}: tasksInputRequired. */
  static String taskCountKey(String status) {
    StringBuilder key = new StringBuilder("tasks");
    for (String part : status.split("_"))
      key.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    return key.toString();
  }

  /** A short table; fields the daemon does not report are left out rather than guessed. */
  static void render(PrintStream out, String url, JsonNode status) {
    StringBuilder head = new StringBuilder("tandem at " + url);
    if (status.has("pid")) head.append(", pid ").append(status.get("pid").asText());
    if (status.has("uptimeMs"))
      head.append(", up ").append(duration(status.get("uptimeMs").asLong()));
    if (status.has("ready"))
      head.append(status.get("ready").asBoolean() ? ", ready" : ", NOT ready");
    if (status.has("httpSessions"))
      head.append(", ").append(status.get("httpSessions").asInt()).append(" HTTP session(s)");
    out.println(head);
    if (status.has(taskCountKey("working"))) {
      StringBuilder tasks = new StringBuilder("tasks:");
      String sep = " ";
      for (String st :
          new String[] {"working", "input_required", "completed", "failed", "cancelled"}) {
        tasks.append(sep).append(status.path(taskCountKey(st)).asInt()).append(' ').append(st);
        sep = ", ";
      }
      out.println(tasks);
    }
    for (JsonNode pool : status.path("pools")) {
      StringBuilder p = new StringBuilder("pool \"" + pool.path("name").asText() + "\"");
      append(p, pool, "state", "");
      if (pool.has("ready") && pool.has("replicas")) {
        p.append(", ")
            .append(pool.get("ready").asInt())
            .append("/")
            .append(pool.get("replicas").asInt())
            .append(" ready");
      }
      append(p, pool, "tools", " tools");
      append(p, pool, "inFlight", " in flight");
      append(p, pool, "queueDepth", " queued");
      append(p, pool, "restarts", " restarts");
      append(p, pool, "callsServed", " calls served");
      out.println(p);
      if (pool.has("openBecause"))
        out.println("  open because: " + pool.get("openBecause").asText());
      printWorkers(out, pool.path("workers"));
    }
  }

  /** One row per worker; a column the daemon reports for no worker is left out. */
  private static void printWorkers(PrintStream out, JsonNode workers) {
    String[] heads = {
      "id", "pid", "role", "state", "uptime", "restarts", "inflight", "served", "rss"
    };
    java.util.List<String[]> rows = new java.util.ArrayList<>();
    for (JsonNode w : workers) {
      rows.add(
          new String[] {
            w.path("id").asText(""),
            w.path("pid").asText(""),
            w.path("role").asText(""),
            w.path("state").asText(""),
            w.has("uptimeMs") ? duration(w.get("uptimeMs").asLong()) : "",
            w.path("restarts").asText(""),
            w.path("inFlight").asText(""),
            w.path("callsServed").asText(""),
            w.has("rssBytes") ? (w.get("rssBytes").asLong() >> 20) + " MiB" : ""
          });
    }
    StringBuilder format = new StringBuilder("  ");
    java.util.List<String> shown = new java.util.ArrayList<>();
    boolean[] keep = new boolean[heads.length];
    for (int c = 0; c < heads.length; c++) {
      int width = heads[c].length();
      for (String[] r : rows) {
        if (!r[c].isEmpty()) keep[c] = true;
        width = Math.max(width, r[c].length());
      }
      if (keep[c]) {
        format.append("%-").append(width).append("s  ");
        shown.add(heads[c]);
      }
    }
    out.println(String.format(format.toString(), shown.toArray()).stripTrailing());
    for (String[] r : rows) {
      java.util.List<String> cells = new java.util.ArrayList<>();
      for (int c = 0; c < heads.length; c++) if (keep[c]) cells.add(r[c]);
      out.println(String.format(format.toString(), cells.toArray()).stripTrailing());
    }
  }

  private static void append(StringBuilder b, JsonNode node, String field, String suffix) {
    if (node.has(field)) b.append(", ").append(node.get(field).asText()).append(suffix);
  }

  private static String duration(long ms) {
    long s = ms / 1000;
    if (s < 60) return s + "s";
    if (s < 3600) return (s / 60) + "m" + (s % 60) + "s";
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
