"""Every tools/call is recorded with its model calls, secrets never written;
traces rotate by size, load back as dicts, and replay against changed code."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Callable
from unittest import mock

from fake_providers import ProviderServer, openai_completion
from harness import DEADLINE_SECONDS, EXAMPLE_TOOLS, Worker

from tandem import recorder, traces
from tandem.models import FakeModel
from tandem.registry import Registry

KEY = "sk-trace-test-0123456789abcdef"
SUMMARY = '{"title": "Rain", "key_points": ["wet", "cold"], "sentiment": "negative"}'


class RecordingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-traces-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_worker_records_the_call_and_its_model_calls_without_the_key(self) -> None:
        server = ProviderServer(openai_completion(f"Sure:\n```json\n{SUMMARY}\n```", 40, 12))
        self.addCleanup(server.close)
        worker = Worker("reasoning", env={
            "TANDEM_TRACE_DIR": str(self.dir),
            "TANDEM_MODEL": "openai:gpt-test",
            "OPENAI_BASE_URL": f"{server.url}/v1",
            "OPENAI_API_KEY": KEY,
        })
        self.addCleanup(worker.stop)
        worker.initialize()
        result = worker.call_tool("summarize", {"text": f"It rained. {KEY}", "max_points": 2})
        self.assertEqual(result["result"]["structuredContent"]["title"], "Rain")
        worker.close_stdin()
        worker.wait_exit()

        raw = (self.dir / "calls.jsonl").read_text()
        self.assertNotIn(KEY, raw)
        [record] = traces.load(self.dir)
        self.assertEqual((record["v"], record["tool"], record["module"], record["function"]),
                         (1, "summarize", "reasoning", "summarize"))
        self.assertEqual(record["arguments"],
                         {"text": "It rained. [redacted $OPENAI_API_KEY]", "max_points": 2})
        self.assertEqual(record["result"], result["result"])
        self.assertEqual((record["isError"], record["outcome"]), (False, "ok"))
        self.assertGreater(record["durationMs"], 0)
        self.assertEqual(record["usage"], {"inputTokens": 40, "outputTokens": 12})
        [model] = record["models"]
        self.assertEqual((model["provider"], model["model"]), ("openai", "gpt-4o-mini-2024-07-18"))
        self.assertEqual(model["url"], f"{server.url}/v1/chat/completions")
        self.assertEqual(model["headers"]["Authorization"], "[redacted]")
        self.assertEqual(model["request"]["system"], "You write terse, factual summaries.")
        self.assertIn("Give at most 2 key points.", model["request"]["messages"][0]["content"])
        self.assertIn(SUMMARY, model["response"]["text"])
        self.assertEqual(model["usage"], {"inputTokens": 40, "outputTokens": 12})
        self.assertGreater(model["latencyMs"], 0)
        # The sent request carried the real key: only the record is redacted.
        self.assertEqual(server.received[0].headers["authorization"], f"Bearer {KEY}")

    def test_failed_model_call_is_recorded_with_its_error(self) -> None:
        writer = recorder.TraceWriter(self.dir)
        record = recorder.CallRecord("t", "m", "t", {}, 1)
        token = recorder.current_record.set(record)
        try:
            with self.assertRaises(ValueError):
                FakeModel([ValueError("boom")]).complete("hi")
        finally:
            recorder.current_record.reset(token)
        writer.append(record.to_json(None, "raised ValueError"))
        self.assertTrue(writer.close(DEADLINE_SECONDS))
        [entry] = traces.load(self.dir)[0]["models"]
        self.assertEqual(entry["error"], {"type": "ValueError", "message": "boom", "status": None})

    def test_rotation_keeps_a_bounded_number_of_files(self) -> None:
        writer = recorder.TraceWriter(self.dir, max_bytes=400, max_files=3)
        for n in range(40):
            writer.append({"v": 1, "tool": "t", "n": n, "pad": "x" * 50})
        self.assertTrue(writer.close(DEADLINE_SECONDS))
        names = sorted(p.name for p in self.dir.glob("*.jsonl"))
        self.assertEqual(names, ["calls.1.jsonl", "calls.2.jsonl", "calls.jsonl"])
        for path in self.dir.glob("*.jsonl"):
            self.assertLessEqual(path.stat().st_size, 400)
        numbers = [r["n"] for r in traces.load(self.dir)]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(numbers[-1], 39)
        self.assertLess(len(numbers), 40)

    def test_secret_values_from_the_environment_are_redacted_anywhere(self) -> None:
        with mock.patch.dict(os.environ, {"MY_SERVICE_TOKEN": "tok-abcdefgh-123",
                                          "SHORT_KEY": "abc"}):
            # Redacted on the writer thread, with the secrets of the environment then.
            writer = recorder.TraceWriter(self.dir)
            writer.append({"v": 1, "tool": "t", "arguments": {"q": ["see tok-abcdefgh-123", "abc"]}})
            self.assertTrue(writer.close(DEADLINE_SECONDS))
        [record] = traces.load(self.dir)
        self.assertEqual(record["arguments"]["q"], ["see [redacted $MY_SERVICE_TOKEN]", "abc"])

    def test_load_skips_a_line_cut_short_and_filters(self) -> None:
        lines = [{"v": 1, "tool": "a", "isError": False}, {"v": 1, "tool": "b", "isError": True},
                 {"v": 99, "tool": "a"}]
        text = "".join(json.dumps(r) + "\n" for r in lines) + '{"v": 1, "tool": "a", "argu'
        (self.dir / "calls.jsonl").write_text(text)
        self.assertEqual([r["tool"] for r in traces.load(self.dir)], ["a", "b"])
        self.assertEqual([r["tool"] for r in traces.load(self.dir, tool="a")], ["a"])
        self.assertEqual([r["tool"] for r in traces.load(self.dir, errors_only=True)], ["b"])
        self.assertEqual([r["tool"] for r in traces.load(self.dir, limit=1)], ["b"])

    def test_off_unless_a_directory_is_named(self) -> None:
        with mock.patch.dict(os.environ, {"TANDEM_TRACE_DIR": "off"}):
            self.assertIsNone(recorder.TraceWriter.from_env())
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": str(self.dir)}):
            # Unset: a worker run by hand, or embedded, records nothing...
            os.environ.pop("TANDEM_TRACE_DIR", None)
            self.assertIsNone(recorder.TraceWriter.from_env())
            # ...but readers still look where the daemon writes by default.
            self.assertEqual(traces._directory(), self.dir / "tandem" / "traces")
        with mock.patch.dict(os.environ, {"TANDEM_TRACE_DIR": str(self.dir / "t")}):
            self.assertEqual(recorder.TraceWriter.from_env().directory, self.dir / "t")
            self.assertEqual(traces._directory(), self.dir / "t")


class BackgroundWriterTest(unittest.TestCase):
    """Appending is a put on a bounded queue: a slow, stuck or failing trace
    directory costs records (counted), never a call's time or its answer."""

    CALLS = 40

    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-traces-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_a_full_queue_drops_and_counts_without_waiting(self) -> None:
        writer = recorder.TraceWriter(self.dir, queue_size=10)
        self.addCleanup(writer.close, 0.1)
        self.dir.mkdir(exist_ok=True)
        # Another writer holds the directory's lock: this one's thread waits on it.
        with open(self.dir / ".lock", "a") as held, \
                self.assertLogs("tandem.traces", "WARNING") as logs:
            fcntl.flock(held, fcntl.LOCK_EX)
            writer.append({"v": 1, "n": 0})
            _wait_until(writer._queue.empty, "the writer thread to take the first record")
            started = time.monotonic()
            for n in range(1, 16):
                writer.append({"v": 1, "n": n})
            elapsed = time.monotonic() - started
            # 10 fill the queue behind the blocked batch; the other 5 are dropped.
            self.assertEqual(writer.dropped, 5)
            self.assertLess(elapsed, 0.5, "append waited for the writer")
            fcntl.flock(held, fcntl.LOCK_UN)
            self.assertTrue(writer.close(DEADLINE_SECONDS))
        self.assertEqual([r["n"] for r in traces.load(self.dir)], list(range(11)))
        self.assertEqual(writer.dropped, 5)
        # One warning when dropping starts, one count at close.
        self.assertEqual([m.split(":")[2].split(" (")[0] for m in logs.output],
                         ["trace queue full", "5 trace records dropped in all"])

    def test_writers_sharing_a_directory_rotate_it_together(self) -> None:
        # Two writers (as two replicas would be) with their own files open: the lock
        # and the check of which file is live keep every line whole and every file bounded.
        writers = [recorder.TraceWriter(self.dir, max_bytes=3000, max_files=100) for _ in range(2)]
        for n in range(300):
            for w, writer in enumerate(writers):
                writer.append({"v": 1, "tool": "t", "w": w, "n": n, "pad": "x" * 40})
        for writer in writers:
            self.assertTrue(writer.close(DEADLINE_SECONDS))
        records = traces.load(self.dir)
        self.assertEqual(sorted((r["w"], r["n"]) for r in records),
                         [(w, n) for w in range(2) for n in range(300)])
        for w in range(2):
            self.assertEqual([r["n"] for r in records if r["w"] == w], list(range(300)))
        files = list(self.dir.glob("*.jsonl"))
        self.assertGreater(len(files), 5)
        for path in files:
            self.assertLessEqual(path.stat().st_size, 3000)
            self.assertEqual(path.stat().st_mode & 0o777, 0o600)
        self.assertEqual(self.dir.stat().st_mode & 0o777, 0o700)

    def test_directories_it_makes_are_private_parents_included(self) -> None:
        deep = self.dir / "cache" / "tandem" / "traces"
        writer = recorder.TraceWriter(deep)
        writer.append({"v": 1, "tool": "t"})
        self.assertTrue(writer.close(DEADLINE_SECONDS))
        for made in (self.dir / "cache", self.dir / "cache" / "tandem", deep):
            self.assertEqual(made.stat().st_mode & 0o777, 0o700, made)

    def test_an_unwritable_directory_fails_no_call_and_counts_the_drops(self) -> None:
        not_a_dir = self.dir / "file"
        not_a_dir.write_text("a regular file, so nothing can be made under it\n")
        worker = Worker(env={"TANDEM_TRACE_DIR": str(not_a_dir / "traces")})
        self.addCleanup(worker.stop)
        worker.initialize()
        self.assert_calls_answer_promptly(worker, self.CALLS)
        _wait_until(lambda: worker.call("tandem/stats")["result"]["tracesDropped"] == self.CALLS,
                    "tandem/stats to count every record as dropped")
        worker.wait_stderr("cannot write traces to")
        self.assertEqual(worker.stderr_text().count("cannot write traces to"), 1)
        self.assertEqual(worker.close_stdin(), None)
        self.assertEqual(worker.wait_exit(), 0)
        self.assertIn(f"{self.CALLS} trace records dropped in all", worker.stderr_text())

    def test_a_trace_file_nobody_reads_blocks_no_call(self) -> None:
        # Opening a fifo for writing waits for a reader that never comes: the writer
        # thread is stuck for good, the queue fills, and every call still answers.
        traces_dir = self.dir / "traces"
        traces_dir.mkdir()
        os.mkfifo(traces_dir / "calls.jsonl")
        calls = recorder.DEFAULT_QUEUE_SIZE + 200
        worker = Worker(env={"TANDEM_TRACE_DIR": str(traces_dir)})
        self.addCleanup(worker.stop)
        worker.initialize()
        self.assert_calls_answer_promptly(worker, calls)
        dropped = worker.call("tandem/stats")["result"]["tracesDropped"]
        # The first batch is held by the stuck writer, the queue is full, the rest dropped.
        self.assertGreater(dropped, 0)
        self.assertLessEqual(dropped, calls - recorder.DEFAULT_QUEUE_SIZE - 1)
        worker.wait_stderr("trace queue full")
        # Shutdown waits for the stuck writer only as long as it promised.
        started = time.monotonic()
        worker.close_stdin()
        self.assertEqual(worker.wait_exit(), 0)
        self.assertLess(time.monotonic() - started, DEADLINE_SECONDS)

    def assert_calls_answer_promptly(self, worker: Worker, count: int) -> None:
        started = time.monotonic()
        ids = [worker.start_tool("echo", {"text": f"call {n}"}) for n in range(count)]
        for n, request_id in enumerate(ids):
            answer = worker.response(request_id)
            self.assertEqual(answer["result"]["content"][0]["text"], f"call {n}")
        # All of them pipelined through one worker, well inside one deadline.
        self.assertLess(time.monotonic() - started, DEADLINE_SECONDS)


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)  # polling a condition, with a deadline


class ReplayTest(unittest.TestCase):
    """Replays a recorded call of a module that is then edited on disk."""

    def setUp(self) -> None:
        # The tool prints its progress, as a local Context does in a notebook.
        quiet = contextlib.redirect_stdout(io.StringIO())
        quiet.__enter__()
        self.addCleanup(quiet.__exit__, None, None, None)
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-replay-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        # A registry of its own: other tests import the example under its own name.
        registry = Registry()
        for target in ("tandem.tools.REGISTRY", "tandem.replay.REGISTRY"):
            patch = mock.patch(target, registry)
            patch.start()
            self.addCleanup(patch.stop)
        shutil.copytree(EXAMPLE_TOOLS / "prompts", self.dir / "prompts")
        source = (EXAMPLE_TOOLS / "reasoning.py").read_text()
        self.module = self.dir / "replayed_tools.py"
        self.module.write_text(source)
        sys.path.insert(0, str(self.dir))
        self.addCleanup(sys.path.remove, str(self.dir))
        self.addCleanup(sys.modules.pop, "replayed_tools", None)
        self.record = self.recorded_call()

    def recorded_call(self) -> dict:
        """A call made the way a worker makes it, recorded the way it records it."""
        import replayed_tools

        from tandem import Context
        from tandem.results import call_result

        record = recorder.CallRecord("summarize", "replayed_tools", "summarize",
                                     {"text": "It rained.", "max_points": 2}, 1)
        token = recorder.current_record.set(record)
        try:
            value = replayed_tools.summarize(
                "It rained.", 2, ctx=Context(model=FakeModel([SUMMARY])))
        finally:
            recorder.current_record.reset(token)
        return record.to_json(call_result(value, "object"), "ok")

    def test_unchanged_code_replays_to_the_same_result_offline(self) -> None:
        [row] = traces.replay(self.record)
        self.assertFalse(row.changed)
        self.assertFalse(row.prompts_changed)
        self.assertEqual(row.new["key_points"], ["wet", "cold"])

    def test_edited_code_and_prompt_show_old_vs_new(self) -> None:
        source = self.module.read_text().replace(
            "return answer.value",
            "answer.value.key_points = [p.upper() for p in answer.value.key_points]\n"
            "    return answer.value")
        self.module.write_text(source)
        prompt = self.dir / "prompts" / "summarize.tmpl"
        prompt.write_text(prompt.read_text().replace("busy reader", "child"))
        rows = traces.replay([self.record])
        [row] = rows
        self.assertTrue(row.changed)
        self.assertTrue(row.prompts_changed)
        self.assertEqual(row.old["key_points"], ["wet", "cold"])
        self.assertEqual(row.new["key_points"], ["WET", "COLD"])
        text = str(rows)
        self.assertIn("1 calls replayed, 1 changed", text)
        self.assertIn("changed, prompt changed", text)
        self.assertRegex(text, r'"wet",\s+\| +"WET",')
        self.assertIn("-  Summarize the text below for a busy reader.", text)
        self.assertIn("+  Summarize the text below for a child.", text)
        html = rows._repr_html_()
        self.assertIn("<table", html)
        self.assertIn("prompt changed", html)

    def test_a_live_model_gets_the_new_prompt(self) -> None:
        live = FakeModel(['{"title": "Live", "key_points": []}'])
        [row] = traces.replay(self.record, model=live)
        self.assertEqual(row.new["title"], "Live")
        self.assertIn("It rained.", live.requests[0].last_user_text())

    def test_more_model_calls_than_recorded_is_a_clear_error(self) -> None:
        record = {**self.record, "models": []}
        [row] = traces.replay(record)
        self.assertTrue(row.new_error)
        self.assertIn("the script ran out after 0 replies", row.new)

    def test_code_that_no_longer_imports_is_a_row_not_a_crash(self) -> None:
        self.module.write_text("def broken(:\n")
        [row] = traces.replay(self.record)
        self.assertTrue(row.new_error)
        self.assertIn("cannot import module 'replayed_tools': SyntaxError", row.new)


if __name__ == "__main__":
    unittest.main()
