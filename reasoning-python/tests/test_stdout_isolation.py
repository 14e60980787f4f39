"""Whatever user code writes to stdout becomes stderr, never a corrupt frame."""

from __future__ import annotations

import unittest

from harness import Worker


class StdoutIsolationTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("basics", "stdout_writers")
        self.addCleanup(self.worker.stop)
        self.worker.initialize()

    def test_print_in_tool_does_not_corrupt_wire(self) -> None:
        answer = self.worker.call_tool("shout", {"text": "hey"})
        self.assertEqual(answer["result"]["content"][0]["text"], "HEY")
        self.worker.wait_stderr("shouting 'hey'")
        self.assertEqual(self.worker.corrupt_lines, [])

    def test_fd1_sys_stdout_and_child_processes_write_to_stderr(self) -> None:
        answer = self.worker.call_tool("write_everywhere", {"text": "marker-7f3a"})
        self.assertEqual(answer["result"]["content"][0]["text"], "wrote")
        self.assertEqual(self.worker.call("ping")["result"], {})
        self.worker.close_stdin()
        self.worker.wait_exit()
        self.assertEqual(self.worker.stderr_text().count("marker-7f3a\n"), 4)
        self.assertEqual(self.worker.corrupt_lines, [])

    def test_child_process_cannot_read_the_wire(self) -> None:
        answer = self.worker.call_tool("read_stdin")
        self.assertEqual(answer["result"]["content"][0]["text"], "0")


if __name__ == "__main__":
    unittest.main()
