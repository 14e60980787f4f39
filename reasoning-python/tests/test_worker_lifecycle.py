"""The worker process: handshake, exit on stdin EOF, import failures, parent death."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import DEADLINE_SECONDS, EXAMPLE_TOOLS, PYTHON_ROOT, Worker


class HandshakeTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("basics")
        self.addCleanup(self.worker.stop)

    def test_initialize_answers_the_requested_known_version(self) -> None:
        for version in ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"):
            with self.subTest(version=version):
                result = self.worker.initialize(version)["result"]
                self.assertEqual(result["protocolVersion"], version)

    def test_initialize_answers_latest_for_an_unknown_version(self) -> None:
        result = self.worker.initialize("1999-01-01")["result"]
        self.assertEqual(result["protocolVersion"], "2025-11-25")
        self.assertEqual(result["serverInfo"]["name"], "tandem-worker")
        self.assertIn("basics", result["serverInfo"]["description"])
        self.assertEqual(result["capabilities"]["tools"], {"listChanged": True})
        self.assertIn("tandem", result["capabilities"]["experimental"])

    def test_initialize_reports_the_interpreter_running_the_worker(self) -> None:
        result = self.worker.initialize()["result"]
        python = result["capabilities"]["experimental"]["tandem"]["python"]
        self.assertEqual(python["executable"], sys.executable)
        self.assertEqual(python["version"], list(sys.version_info[:3]))

    def test_ping_is_answered_even_before_initialize(self) -> None:
        self.assertEqual(self.worker.call("ping")["result"], {})

    def test_tools_list_serves_the_example_tools(self) -> None:
        self.worker.initialize()
        tools = {t["name"]: t for t in self.worker.call("tools/list")["result"]["tools"]}
        self.assertEqual(set(tools), {"echo", "sleep", "text_stats", "fail", "shout", "count"})
        self.assertEqual(tools["echo"]["inputSchema"]["required"], ["text"])
        self.assertEqual(
            tools["text_stats"]["outputSchema"]["required"], ["characters", "words", "lines"]
        )
        self.assertNotIn("outputSchema", tools["echo"])
        self.assertNotIn("ctx", tools["count"]["inputSchema"]["properties"])

    def test_stats_reports_the_process(self) -> None:
        self.worker.initialize()
        self.worker.call_tool("echo", {"text": "x"})
        stats = self.worker.call("tandem/stats")["result"]
        self.assertEqual(stats["pid"], self.worker.process.pid)
        self.assertEqual(stats["inFlight"], 0)
        self.assertEqual(stats["callsServed"], 1)
        self.assertGreater(stats["rssBytes"], 1_000_000)


class ExitTest(unittest.TestCase):
    def test_stdin_eof_exits_zero_promptly_despite_calls_in_flight(self) -> None:
        worker = Worker("basics", "slow_tools")
        self.addCleanup(worker.stop)
        worker.initialize()
        blocked = worker.request("tools/call", {"name": "block_forever", "arguments": {}})
        waiting = worker.request("tools/call", {"name": "wait_forever", "arguments": {}})
        worker.wait_stderr(f"tools/call {blocked} block_forever: started")
        worker.wait_stderr(f"tools/call {waiting} wait_forever: started")
        started = time.monotonic()
        worker.close_stdin()
        self.assertEqual(worker.wait_exit(), 0)
        self.assertLess(time.monotonic() - started, 3.0)
        answered = [m.get("id") for m in list(worker.messages.queue) if m]
        self.assertNotIn(blocked, answered)
        self.assertNotIn(waiting, answered)

    def test_import_failure_exits_3_with_module_name_and_traceback(self) -> None:
        worker = Worker("basics", "broken_module")
        self.addCleanup(worker.stop)
        self.assertEqual(worker.wait_exit(), 3)
        stderr = worker.stderr_text()
        self.assertIn("tandem: failed to import module 'broken_module'", stderr)
        self.assertIn("Traceback (most recent call last)", stderr)
        self.assertIn("RuntimeError: this module is broken on purpose", stderr)
        self.assertEqual(worker.raw_lines, [], "nothing may be written to the wire")

    def test_missing_module_exits_3(self) -> None:
        worker = Worker("no_such_module_anywhere")
        self.addCleanup(worker.stop)
        self.assertEqual(worker.wait_exit(), 3)
        stderr = worker.stderr_text()
        self.assertIn("tandem: failed to import module 'no_such_module_anywhere'", stderr)
        self.assertIn("ModuleNotFoundError", stderr)

    def test_module_without_tools_warns_and_still_serves(self) -> None:
        worker = Worker("empty_module")
        self.addCleanup(worker.stop)
        self.assertEqual(worker.call("tools/list")["result"], {"tools": []})
        worker.wait_stderr("module 'empty_module' defines no @tool")


@unittest.skipUnless(sys.platform.startswith("linux"), "PR_SET_PDEATHSIG is Linux-only")
class OrphanTest(unittest.TestCase):
    def test_worker_dies_when_its_parent_is_killed(self) -> None:
        # The worker's stdin is a pipe this test keeps open, so stdin EOF cannot
        # be what ends it: only PR_SET_PDEATHSIG can.
        stdin_read, stdin_write = os.pipe()
        self.addCleanup(os.close, stdin_write)
        log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log")
        self.addCleanup(log.close)
        parent_code = (
            "import subprocess, sys\n"
            "argv = [sys.executable, '-m', 'tandem.worker', '--path', sys.argv[1], 'basics']\n"
            "w = subprocess.Popen(argv, stdin=int(sys.argv[2]), stdout=subprocess.PIPE,"
            " stderr=open(sys.argv[3], 'w'))\n"
            "print(w.pid, flush=True)\n"
            "w.wait()\n"
        )
        env = {**os.environ, "PYTHONPATH": str(PYTHON_ROOT)}
        parent = subprocess.Popen(
            [sys.executable, "-c", parent_code, str(EXAMPLE_TOOLS), str(stdin_read), log.name],
            stdout=subprocess.PIPE,
            env=env,
            pass_fds=(stdin_read,),
        )
        os.close(stdin_read)
        assert parent.stdout is not None
        with parent.stdout:
            worker_pid = int(parent.stdout.readline())
        self.addCleanup(_kill_quietly, worker_pid)
        _wait_until(lambda: "serving" in _read(log.name), "worker did not start")
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=DEADLINE_SECONDS)
        _wait_until(lambda: not _alive(worker_pid), "worker outlived its parent")
        self.assertNotIn("stdin closed", _read(log.name))


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_until(condition: object, message: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.01)  # polling interval, bounded by the deadline above


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


if __name__ == "__main__":
    unittest.main()
