"""A worker started as the daemon starts it loads nothing its first call does not need.

Every module a worker imports at start is paid again by every fresh replacement (a killed
worker with no spare) and by the host's first call. These are the ones that were once loaded
on every start and are now loaded only by the calls that use them.
"""

import tempfile
import unittest

from harness import Worker

# Only tracing needs these (the daemon starts workers with TANDEM_TRACE_DIR=off by default);
# argparse only a malformed command line; datetime only a tool that returns a date.
NOT_AT_START = ["tandem.recorder", "tandem.tracewriter", "tandem.redaction", "argparse", "datetime"]


class LeanStartTest(unittest.TestCase):
    def loaded_after_first_calls(self, env=None, extra_args=()):
        worker = Worker("basics", "loaded_modules", env=env, extra_args=extra_args)
        self.addCleanup(worker.stop)
        worker.initialize()
        worker.call("tools/list")
        self.assertEqual(worker.call_tool("echo", {"text": "hi"})["result"]["content"][0]["text"], "hi")
        result = worker.call_tool("loaded", {"names": NOT_AT_START})["result"]
        return result["structuredContent"]["result"]

    def test_a_worker_without_traces_never_loads_them(self):
        self.assertEqual(self.loaded_after_first_calls(), [])

    def test_all_the_daemons_options_are_read_without_argparse(self):
        loaded = self.loaded_after_first_calls(extra_args=("--threads", "4", "--max-frame-bytes", "65536"))
        self.assertNotIn("argparse", loaded)

    def test_a_traced_worker_loads_the_recorder(self):
        with tempfile.TemporaryDirectory() as traces:
            loaded = self.loaded_after_first_calls(env={"TANDEM_TRACE_DIR": traces})
        self.assertIn("tandem.recorder", loaded)


class PlainCommandLineTest(unittest.TestCase):
    """The hand parser reads what argparse reads, and leaves anything unusual to it."""

    def test_well_formed_command_lines_read_as_argparse_reads_them(self):
        from tandem.worker import _parse_plain, _parse_with_argparse

        for argv in (
            ["basics"],
            ["--max-frame-bytes", "4194304", "--path", "/a", "--path", "/b", "basics", "more"],
            ["basics", "--threads", "4", "--threads", "8"],
        ):
            with self.subTest(argv=argv):
                self.assertEqual(vars(_parse_plain(argv)), vars(_parse_with_argparse(argv)))

    def test_anything_else_goes_to_argparse(self):
        from tandem.worker import _parse_plain

        for argv in ([], ["--help"], ["--threads", "x", "m"], ["--threads", "-1", "m"],
                     ["--path=/a", "m"], ["--path"], ["m", "--threads", "²"]):
            with self.subTest(argv=argv):
                self.assertIsNone(_parse_plain(argv))


if __name__ == "__main__":
    unittest.main()
