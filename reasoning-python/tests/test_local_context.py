"""Outside a worker a Context prints, so tools run unchanged in a notebook."""

import asyncio
import contextlib
import io
import sys
import unittest
from pathlib import Path

from tandem import Context

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
        with self.assertRaisesRegex(RuntimeError, "sampling/createMessage needs an MCP host"):
            Context().sample("hi")

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
