package dev.tandem.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Json;
import dev.tandem.protocol.RawJson;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.config.ConfigException;
import dev.tandem.supervisor.config.TandemConfig;
import dev.tandem.supervisor.log.Log;
import dev.tandem.supervisor.router.CallFailed;
import dev.tandem.supervisor.router.HostLink;
import dev.tandem.supervisor.router.Listing;
import dev.tandem.supervisor.router.RoutedCall;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem call TOOL --arg k=v}: one tool call from a shell. The pools start in this process
 * (one worker each) and the call goes through the same router a host's would, so the answer, its
 * errors and its deadline are the ones a host gets; no daemon need be running.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Call one tool from the shell and print its answer: the text, or with --json the whole result.",
      "Exit 0 on an answer, 1 if the tool answered an error (isError), 2 if the call was refused."
    })
final class CallCommand implements Callable<Integer> {

  @Mixin ConfigOptions config;
  @Mixin LogOptions log;

  @Parameters(
      index = "0",
      paramLabel = "TOOL",
      description = "the tool's name, as tandem check lists it")
  String tool;

  @Option(
      names = {"-a", "--arg"},
      paramLabel = "NAME=VALUE",
      description =
          "an argument; repeatable. A VALUE for a string parameter is taken as it is; for"
              + " any other type it is read as JSON (3, true, [1,2], {\"k\":1})")
  List<String> args = new ArrayList<>();

  @Option(
      names = "--args",
      paramLabel = "JSON",
      description = "all arguments as one JSON object (--arg adds to it)")
  String argsJson;

  @Option(names = "--json", description = "print the whole tools/call result as JSON")
  boolean json;

  @Override
  public Integer call() {
    log.apply(Log.Level.ERROR);
    PrintStream out = Main.stdout;
    PrintStream err = System.err;
    TandemConfig loaded;
    try {
      loaded = config.load(Main.home());
    } catch (ConfigException e) {
      err.println("tandem call: " + e.getMessage());
      return 2;
    }
    try (TrialRun run = TrialRun.start(loaded)) {
      Listing.Entry entry = run.catalog.tools.find(tool);
      if (entry == null) {
        err.println(
            "tandem call: no tool \""
                + tool
                + "\" in "
                + loaded.source()
                + "; it serves: "
                + String.join(
                    ", ", run.catalog.tools.entries().stream().map(Listing.Entry::key).toList()));
        return 2;
      }
      ObjectNode arguments = arguments(entry.item().path("inputSchema"));
      ObjectNode params = Json.object().put("name", tool);
      params.set("arguments", arguments);
      params.putObject("_meta").put("progressToken", "tandem-call");
      RoutedCall call = run.router.callTool(params, terminal(err));
      // The router answers at call_timeout_ms itself; this only guards against a lost answer.
      long deadline = poolTimeout(loaded, entry.pool().name()) + 5_000;
      JsonNode result = RawJson.expand(call.answer().get(deadline, TimeUnit.MILLISECONDS));
      boolean isError = result.path("isError").asBoolean(false);
      if (json) {
        out.println(HostConfigFile.WRITER.writeValueAsString(result));
      } else {
        PrintStream to = isError ? err : out;
        for (JsonNode item : result.path("content")) {
          to.println(
              item.path("type").asText().equals("text")
                  ? item.path("text").asText()
                  : item.toString());
        }
      }
      return isError ? 1 : 0;
    } catch (TrialRun.Failed e) {
      err.println("tandem call: " + e.describe());
      return 2;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String message = cause instanceof CallFailed f ? f.error().message() : String.valueOf(cause);
      err.println("tandem call: " + tool + " was refused: " + message);
      return 2;
    } catch (TimeoutException e) {
      err.println("tandem call: " + tool + " did not answer in time (call_timeout_ms)");
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 2;
    } catch (java.io.IOException e) {
      err.println("tandem call: " + e.getMessage());
      return 2;
    }
  }

  /** --args, then each --arg, typed by the tool's input schema: strings stay text. */
  ObjectNode arguments(JsonNode schema) {
    ObjectNode out = Json.object();
    if (argsJson != null) {
      JsonNode parsed;
      try {
        parsed = Json.MAPPER.readTree(argsJson);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Main.UsageException("--args is not JSON: " + e.getOriginalMessage());
      }
      if (!(parsed instanceof ObjectNode o))
        throw new Main.UsageException("--args must be a JSON object, like {\"text\": \"hi\"}");
      out.setAll(o);
    }
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0)
        throw new Main.UsageException(
            "--arg \"" + a + "\" is not NAME=VALUE, like --arg text=hello");
      String name = a.substring(0, eq);
      String value = a.substring(eq + 1);
      JsonNode property = schema.path("properties").get(name);
      if (property == null
          && !schema.path("properties").isMissingNode()
          && schema.path("additionalProperties").asBoolean(true) == false) {
        throw new Main.UsageException(
            "--arg "
                + name
                + ": the tool has no parameter \""
                + name
                + "\"; its parameters are "
                + String.join(", ", iterable(schema.path("properties").fieldNames())));
      }
      out.set(name, typed(name, value, property));
    }
    return out;
  }

  private static JsonNode typed(String name, String value, JsonNode property) {
    if (property != null && acceptsOnlyString(property))
      return Json.MAPPER.getNodeFactory().textNode(value);
    try {
      return Json.MAPPER.readTree(value);
    } catch (java.io.IOException e) {
      if (property == null) return Json.MAPPER.getNodeFactory().textNode(value);
      throw new Main.UsageException(
          "--arg "
              + name
              + ": \""
              + value
              + "\" is not JSON, and the parameter's type is "
              + property.path("type")
              + "; write e.g. --arg "
              + name
              + "=3 or --arg "
              + name
              + "='[1, 2]'");
    }
  }

  private static boolean acceptsOnlyString(JsonNode property) {
    JsonNode type = property.get("type");
    if (type != null && type.isTextual()) return type.asText().equals("string");
    if (property.has("enum")) {
      for (JsonNode v : property.get("enum")) if (!v.isTextual()) return false;
      return true;
    }
    JsonNode anyOf = property.has("anyOf") ? property.get("anyOf") : property.get("oneOf");
    if (anyOf != null) {
      for (JsonNode alt : anyOf) {
        String t = alt.path("type").asText();
        if (!t.equals("string") && !t.equals("null")) return false;
      }
      return true;
    }
    return false;
  }

  private static long poolTimeout(TandemConfig config, String pool) {
    return config.pools().stream()
        .filter(p -> p.name().equals(pool))
        .findFirst()
        .map(p -> p.supervision().callTimeout().toMillis())
        .orElse(300_000L);
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  /** Progress and log lines go to stderr; the host's model or user cannot be asked from here. */
  private static HostLink terminal(PrintStream err) {
    return new HostLink() {
      @Override
      public void progress(ObjectNode p) {
        String total = p.has("total") ? "/" + p.get("total").asText() : "";
        String message = p.has("message") ? ": " + p.get("message").asText() : "";
        err.println("progress " + p.path("progress").asText() + total + message);
      }

      @Override
      public void log(ObjectNode p) {
        err.println(
            "["
                + p.path("level").asText("info")
                + "] "
                + (p.path("data").isTextual() ? p.path("data").asText() : p.path("data")));
      }

      @Override
      public CompletableFuture<JsonNode> request(String method, ObjectNode p) {
        return CompletableFuture.failedFuture(
            new CallFailed(
                new RpcError(
                    -32601,
                    "tandem call runs without a host, so it cannot answer "
                        + method
                        + "; call this tool from a host (or set TANDEM_MODEL for ctx.sample)",
                    null)));
      }
    };
  }
}
