package dev.tandem.supervisor.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.protocol.Json;
import dev.tandem.protocol.RpcError;
import dev.tandem.supervisor.router.CallFailed;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class CallMetricsTest {

  @Test
  void outcomesAreCountedByKindAndUnknownToolsShareOneLabel() {
    MetricsRegistry r = new MetricsRegistry();
    CallMetrics m = new CallMetrics(r, "echo"::equals);
    m.started("echo");
    m.finished("echo", Json.object(), null, 1_000_000);
    m.started("echo");
    m.finished("echo", Json.object().put("isError", true), null, 1_000_000);
    m.started("typo1");
    m.finished("typo1", null, new CallFailed(RpcError.invalidParams("Unknown tool")), 1_000);
    m.started("typo2");
    m.finished("typo2", null, new CallFailed(RpcError.invalidParams("Unknown tool")), 1_000);
    m.started("echo");
    m.finished("echo", null, new CancellationException(), 1_000);
    String text = r.scrape();
    assertEquals(2, value(text, "tandem_tool_calls_total{tool=\"echo\"}"));
    assertEquals(1, value(text, "tandem_tool_errors_total{kind=\"tool_error\",tool=\"echo\"}"));
    assertEquals(2, value(text, "tandem_tool_errors_total{kind=\"rpc_error\",tool=\"(unknown)\"}"));
    assertEquals(1, value(text, "tandem_tool_cancelled_total{tool=\"echo\"}"));
    assertEquals(0, value(text, "tandem_tool_calls_in_flight"));
  }

  private static long value(String text, String series) {
    return text.lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(series + " not in\n" + text));
  }
}
