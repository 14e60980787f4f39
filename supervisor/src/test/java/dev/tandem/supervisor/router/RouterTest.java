package dev.tandem.supervisor.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.Failures;
import dev.tandem.protocol.Json;
import dev.tandem.supervisor.config.PoolConfig;
import dev.tandem.supervisor.config.ServerConfig;
import dev.tandem.supervisor.config.Supervision;
import dev.tandem.supervisor.config.TraceConfig;
import dev.tandem.supervisor.pool.FakeWorkers;
import dev.tandem.supervisor.pool.FakeWorkers.Fake;
import dev.tandem.supervisor.pool.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing and the one retry on a death, against a real pool of fake workers. */
class RouterTest {

  private static final HostLink HOST =
      new HostLink() {
        @Override
        public void progress(ObjectNode params) {}

        @Override
        public void log(ObjectNode params) {}

        @Override
        public CompletableFuture<JsonNode> request(String method, ObjectNode params) {
          return CompletableFuture.failedFuture(new IllegalStateException("no host here"));
        }
      };

  private final FakeWorkers workers = new FakeWorkers();
  private Router router;

  @BeforeEach
  void serve() throws Exception {
    workers.tools = List.of("look", "write");
    workers.readOnly = Set.of("look");
    Supervision limits =
        new Supervision(
            4,
            8,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            Duration.ofSeconds(10),
            5,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1),
            0,
            0,
            0);
    PoolConfig config =
        new PoolConfig(
            "p", List.of(), List.of(), List.of("fake-server"), 2, Map.of(), null, limits);
    ServerConfig server =
        new ServerConfig("python3", 100, 1 << 22, Duration.ofSeconds(1), Path.of("."), false);
    router =
        new Router(
            List.of(
                new Pool(
                    config, server, new TraceConfig.Traces(null, null, Map.of()), null, workers)));
    CompletableFuture<Catalog> started = router.start();
    workers.get(0).ready();
    workers.get(1).ready();
    started.get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    router.shutdown(Duration.ofMillis(10));
  }

  private RoutedCall call(String tool) {
    return router.callTool(Json.object().put("name", tool).set("arguments", Json.object()), HOST);
  }

  private Fake runningOn() {
    return workers.created.stream()
        .filter(w -> w.waiting("tools/call") > 0)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aReadOnlyToolWhoseWorkerDiesIsRetriedOnceOnAnotherWorker() throws Exception {
    RoutedCall call = call("look");
    Fake first = runningOn();

    first.die(128 + 9);

    Fake second = runningOn();
    assertTrue(second != first, "the retry runs on another worker");
    second.answer("tools/call", Json.object().put("seen", true));
    assertTrue(call.answer().get(1, TimeUnit.SECONDS).path("seen").asBoolean());
    assertFalse(call.workerDied(), "answered by the retry: not a death's answer");
  }

  @Test
  void aToolNotAnnotatedSafeIsNotRetriedAndItsErrorNamesTheWorkerAndWhy() throws Exception {
    RoutedCall call = call("write");
    Fake first = runningOn();

    first.die(128 + 9);

    JsonNode answer = call.answer().get(1, TimeUnit.SECONDS);
    assertTrue(answer.path("isError").asBoolean());
    String text = answer.path("content").get(0).path("text").asText();
    assertTrue(
        text.contains("pool \"p\" worker " + first.index() + " (pid " + first.pid() + ")"), text);
    assertTrue(text.contains("SIGKILL"), text);
    assertTrue(text.contains("not annotated readOnlyHint or idempotentHint"), text);
    // The death is the task engine's to know, from the call; the host reads only the text.
    assertTrue(call.workerDied(), "the call knows its answer is a death's");
    assertTrue(answer.path("_meta").isMissingNode(), "no marker in what the host sees: " + answer);
    assertEquals(
        0,
        workers.created.stream().mapToLong(w -> w.waiting("tools/call")).sum(),
        "nothing was run again");
  }

  @Test
  void aRetryWhoseWorkerAlsoDiesIsNotRetriedAgain() throws Exception {
    RoutedCall call = call("look");
    runningOn().die(1);

    runningOn().die(1);

    String text =
        call.answer().get(1, TimeUnit.SECONDS).path("content").get(0).path("text").asText();
    assertTrue(text.contains("it was a retry, after"), text);
  }

  @Test
  void anUnknownToolIsAnInvalidParamsErrorNamingIt() {
    RoutedCall call = call("nope");

    Throwable failed = Failures.cause(call.answer().handle((r, f) -> f).join());
    CallFailed error = assertInstanceOf(CallFailed.class, failed);
    assertEquals(-32602, error.error().code());
    assertTrue(error.getMessage().contains("Unknown tool: \"nope\""), error.getMessage());
  }
}
