"""Every tools/call is recorded with its model calls, secrets never written;
traces rotate by size, load back as dicts, and replay against changed code."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from fake_providers import ProviderServer, openai_completion
from harness import EXAMPLE_TOOLS, Worker

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
        [entry] = traces.load(self.dir)[0]["models"]
        self.assertEqual(entry["error"], {"type": "ValueError", "message": "boom", "status": None})

    def test_rotation_keeps_a_bounded_number_of_files(self) -> None:
        writer = recorder.TraceWriter(self.dir, max_bytes=400, max_files=3)
        for n in range(40):
            writer.append({"v": 1, "tool": "t", "n": n, "pad": "x" * 50})
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
            recorder.TraceWriter(self.dir).append(
                {"v": 1, "tool": "t", "arguments": {"q": ["see tok-abcdefgh-123", "abc"]}})
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

    def test_off_means_off(self) -> None:
        with mock.patch.dict(os.environ, {"TANDEM_TRACE_DIR": "off"}):
            self.assertIsNone(recorder.TraceWriter.from_env())
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": str(self.dir)}):
            os.environ.pop("TANDEM_TRACE_DIR", None)
            self.assertEqual(recorder.TraceWriter.from_env().directory,
                             self.dir / "tandem" / "traces")


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
