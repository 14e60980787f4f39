"""Outside a worker a Context prints, so tools run unchanged in a notebook."""

import asyncio
import contextlib
import io
import os
import sys
import unittest
from pathlib import Path
from unittest import mock

from tandem import Context, models
from tandem.models import FakeModel

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "tools"))

import basics  # noqa: E402


class LocalContextTest(unittest.TestCase):
    def test_progress_and_log_are_printed(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            ctx = Context()
            asyncio.run(_use(ctx))
            ctx.progress(3)  # sync tools call it without await
        self.assertEqual(out.getvalue(), "progress 1/2: first\n[info] hello\nprogress 3\n")

    def test_asking_the_host_outside_a_worker_explains_why_not(self) -> None:
        with self.assertRaisesRegex(RuntimeError, "elicitation/create needs an MCP host"):
            Context().elicit("name?", {"type": "object", "properties": {}})
        with self.assertRaisesRegex(RuntimeError, "roots/list needs an MCP host"):
            Context().roots()

    def test_local_sampling_goes_to_the_configured_model(self) -> None:
        fake = FakeModel(["4"])
        answer = Context(model=fake).sample("2+2?", max_tokens=5, system_prompt="Be brief.")
        self.assertEqual(answer["content"], {"type": "text", "text": "4"})
        self.assertEqual(answer["stopReason"], "endTurn")
        self.assertEqual(fake.requests[0].system, "Be brief.")
        self.assertEqual(fake.requests[0].max_tokens, 5)

    def test_local_sampling_without_a_model_echoes_unless_one_is_in_use(self) -> None:
        with mock.patch.dict(os.environ, {"TANDEM_MODEL": ""}):
            self.assertEqual(Context().sample("hi")["content"]["text"], "hi")
            with models.use(FakeModel(["from use"])):
                self.assertEqual(Context().sample("hi")["content"]["text"], "from use")

    def test_local_sample_works_with_and_without_await(self) -> None:
        ctx = Context(model=FakeModel(["sync", "async"]))

        async def ask() -> dict:
            return await ctx.sample("q")

        self.assertEqual(ctx.sample("q")["content"]["text"], "sync")
        self.assertEqual(asyncio.run(ask())["content"]["text"], "async")

    def test_example_tools_run_as_plain_functions(self) -> None:
        self.assertEqual(basics.echo("hi", times=2), "hi hi")
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(asyncio.run(basics.count(2)), "counted to 2")
        self.assertEqual(basics.text_stats("a b\nc"), basics.TextStats(5, 3, 2))

    def test_log_rejects_unknown_levels(self) -> None:
        with self.assertRaisesRegex(ValueError, "log level 'loud'"):
            Context().log("loud", "x")


async def _use(ctx: Context) -> None:
    await ctx.progress(1, total=2, message="first")
    await ctx.log("info", "hello")


if __name__ == "__main__":
    unittest.main()
