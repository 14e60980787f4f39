package dev.tandem.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The two servers every figure compares: {@code bin/tandem serve} with a config from bench/, and
 * the bare single-process Python stdio server a tandem worker is (the lower bound: the same tool
 * code and the same Python runtime, without a supervisor in front).
 *
 * <p>Both run with tracing off: writing a trace per call is Python-side work common to both, and
 * leaving it on would hide the cost of the hop this harness exists to measure.
 */
final class Servers {

  final Path home;
  final String python;
  final Path logs;

  Servers(Path home, String python, Path logs) {
    this.home = home;
    this.python = python;
    this.logs = logs;
  }

  Peer.Command tandem(String config) {
    return new Peer.Command(
        "tandem",
        List.of(home.resolve("bin/tandem").toString(), "serve", "--config", home.resolve("bench/configs").resolve(config).toString()),
        Map.of("TANDEM_PYTHON", python, "TANDEM_TRACE_DIR", "off"),
        logs.resolve("tandem-" + config.replace(".toml", "") + ".log"));
  }

  /** A staged distribution (make dist): its jlinked runtime and AOT cache, the same config. */
  Peer.Command dist(Path stage, String config) {
    return new Peer.Command(
        "tandem dist",
        List.of(stage.resolve("bin/tandem").toString(), "serve", "--config", home.resolve("bench/configs").resolve(config).toString()),
        Map.of("TANDEM_PYTHON", python, "TANDEM_TRACE_DIR", "off"),
        logs.resolve("dist-" + config.replace(".toml", "") + ".log"));
  }

  Peer.Command bare() {
    return new Peer.Command(
        "bare python",
        List.of(python, "-m", "tandem.worker", "--path", home.resolve("examples/tools").toString(), "basics"),
        // What tandem gives its workers (WorkerCommand), so the Python side runs the same way.
        Map.of("PYTHONPATH", home.resolve("reasoning-python").toString(), "PYTHONUNBUFFERED", "1", "TANDEM_TRACE_DIR", "off"),
        logs.resolve("bare.log"));
  }
}
