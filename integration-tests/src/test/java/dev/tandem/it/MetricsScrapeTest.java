package dev.tandem.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator scrapes: after a few calls /metrics parses as Prometheus text (format 0.0.4) and
 * its counters moved by exactly those calls; /healthz, /readyz and /status answer too.
 */
class MetricsScrapeTest {

  @Test
  void countersMoveWithCallsAndTheScrapeParses(@TempDir Path dir) throws Exception {
    try (HttpDaemon daemon =
        HttpDaemon.serve(Tandem.config(dir, Tandem.examplesPool("metered", 1))).awaitReady()) {
      assertEquals("ok\n", daemon.get("/healthz").body());
      assertEquals(200, daemon.get("/readyz").statusCode());
      // Ready means one serving worker; the warm spare may still be starting, and the scrape
      // below counts both.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Scrape.parse(daemon.get("/metrics").body())
                          .getOrDefault(
                              "tandem_pool_workers{pool=\"metered\",state=\"ready\"}", 0.0)
                      == 2.0);
      Map<String, Double> before = Scrape.parse(daemon.get("/metrics").body());
      assertEquals(0.0, before.getOrDefault("tandem_tool_calls_total{tool=\"echo\"}", 0.0));

      McpHttpClient client = daemon.client();
      client.initialize();
      var json = DaemonProcess.JSON;
      for (int i = 0; i < 3; i++)
        client.callTool("e" + i, "echo", json.createObjectNode().put("text", "hi"), null);
      client.callTool("f", "fail", json.createObjectNode().put("message", "boom"), null);
      client.callTool("u", "no_such_tool", json.createObjectNode(), null);

      HttpResponse<String> r = daemon.get("/metrics");
      assertEquals(200, r.statusCode());
      assertEquals(
          "text/plain; version=0.0.4; charset=utf-8",
          r.headers().firstValue("Content-Type").orElse(""));
      Map<String, Double> m = Scrape.parse(r.body());
      assertEquals(3.0, m.get("tandem_tool_calls_total{tool=\"echo\"}"), r.body());
      assertEquals(1.0, m.get("tandem_tool_calls_total{tool=\"fail\"}"), r.body());
      assertEquals(
          1.0, m.get("tandem_tool_errors_total{kind=\"tool_error\",tool=\"fail\"}"), r.body());
      assertEquals(
          1.0,
          m.get("tandem_tool_errors_total{kind=\"rpc_error\",tool=\"(unknown)\"}"),
          "an unknown tool is one label: " + r.body());
      assertEquals(3.0, m.get("tandem_tool_call_duration_seconds_count{tool=\"echo\"}"), r.body());
      assertEquals(
          3.0,
          m.get("tandem_tool_call_duration_seconds_bucket{tool=\"echo\",le=\"+Inf\"}"),
          r.body());
      assertTrue(m.get("tandem_tool_call_duration_seconds_sum{tool=\"echo\"}") > 0, r.body());
      assertEquals(0.0, m.get("tandem_tool_calls_in_flight"), r.body());
      // One replica and the default warm spare.
      assertEquals(2.0, m.get("tandem_pool_workers{pool=\"metered\",state=\"ready\"}"), r.body());
      assertEquals(0.0, m.get("tandem_pool_restarts_total{pool=\"metered\"}"), r.body());
      assertEquals(0.0, m.get("tandem_pool_queue_depth{pool=\"metered\"}"), r.body());
      assertEquals(1.0, m.get("tandem_pool_state{pool=\"metered\",state=\"serving\"}"), r.body());
      assertEquals(1.0, m.get("tandem_pool_up{pool=\"metered\"}"), r.body());
      assertEquals(1.0, m.get("tandem_http_sessions"), r.body());

      JsonNode status = DaemonProcess.JSON.readTree(daemon.get("/status").body());
      assertTrue(status.get("ready").asBoolean(), status.toString());
      assertTrue(status.at("/pools/0/workers/0/pid").asLong() > 0, status.toString());
      assertTrue(status.at("/pools/0/workers/0/callsServed").asLong() >= 4, status.toString());
    }
  }

  /**
   * A strict reader of the text format: every line is HELP, TYPE or a sample of a declared family.
   */
  static final class Scrape {
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");
    private static final Pattern TYPE =
        Pattern.compile(
            "# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE =
        Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})? (\\S+)");

    static Map<String, Double> parse(String text) {
      assertTrue(text.endsWith("\n"), "the exposition ends with a newline");
      Map<String, String> types = new HashMap<>();
      Set<String> helped = new HashSet<>();
      Map<String, Double> samples = new HashMap<>();
      Map<String, Double> lastBucket = new HashMap<>();
      for (String line : text.split("\n")) {
        Matcher m;
        if ((m = HELP.matcher(line)).matches()) {
          assertTrue(helped.add(m.group(1)), "one HELP per family: " + line);
        } else if ((m = TYPE.matcher(line)).matches()) {
          assertTrue(types.put(m.group(1), m.group(2)) == null, "one TYPE per family: " + line);
        } else if ((m = SAMPLE.matcher(line)).matches()) {
          String name = m.group(1);
          String family =
              types.containsKey(name) ? name : name.replaceFirst("_(bucket|sum|count)$", "");
          assertTrue(types.containsKey(family), "a sample of an undeclared family: " + line);
          double value =
              m.group(3).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(3));
          if (name.endsWith("_bucket")) {
            String series = line.replaceFirst(",?le=\"[^\"]*\"", "").replaceFirst(" \\S+$", "");
            Double previous = lastBucket.put(series, value);
            assertTrue(previous == null || previous <= value, "buckets are cumulative: " + line);
          }
          samples.put(name + (m.group(2) == null ? "" : m.group(2)), value);
        } else {
          throw new AssertionError("not Prometheus text format 0.0.4: \"" + line + "\"");
        }
      }
      return samples;
    }
  }
}
