"""The worker's pipes: a daemon that stops reading slows the worker down instead of
growing its memory, and a worker whose wire is a file (run by hand) still serves."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unittest

from harness import DEADLINE_SECONDS, EXAMPLE_TOOLS, PYTHON_ROOT

CALLS = 20_000


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "tandem.worker", "--path", str(EXAMPLE_TOOLS), "basics"]


def worker_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PYTHON_ROOT), "TANDEM_TRACE_DIR": "off"}


def frame(message: dict) -> bytes:
    return json.dumps(message).encode() + b"\n"


INITIALIZE = frame(
    {"jsonrpc": "2.0", "id": "init", "method": "initialize",
     "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"}}}
)


def echo(i: int) -> bytes:
    return frame({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                  "params": {"name": "echo", "arguments": {"text": f"n{i}"}}})


def unread_bytes(fd: int) -> int:
    return int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)


class BackpressureTest(unittest.TestCase):
    def test_a_daemon_that_stops_reading_stops_the_worker_reading_and_loses_nothing(self) -> None:
        process = subprocess.Popen(
            worker_argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=worker_env(),
        )
        self.addCleanup(process.kill)
        assert process.stdin is not None and process.stdout is not None
        requests = INITIALIZE + b"".join(echo(i) for i in range(CALLS))
        writer = threading.Thread(target=lambda: (process.stdin.write(requests), process.stdin.flush()))
        writer.daemon = True
        writer.start()
        # Nobody reads the answers: once its stdout pipe is full the worker must stop
        # taking requests, so they pile up unread in its stdin pipe.
        deadline = time.monotonic() + DEADLINE_SECONDS
        while unread_bytes(process.stdin.fileno()) < 48 * 1024:
            self.assertLess(time.monotonic(), deadline, "the worker kept reading with nobody reading its answers")
            time.sleep(0.01)
        answers: dict[object, int] = {}
        while len(answers) < CALLS + 1:
            line = process.stdout.readline()
            self.assertTrue(line, "the worker closed stdout before answering every call")
            message = json.loads(line)
            answers[message["id"]] = answers.get(message["id"], 0) + 1
        self.assertEqual(set(answers.values()), {1})
        self.assertEqual(set(answers), {"init", *range(CALLS)})
        writer.join(DEADLINE_SECONDS)


class FileWireTest(unittest.TestCase):
    def test_requests_from_a_file_are_answered_into_a_file(self) -> None:
        # Pings, answered as they are read: end of input cancels calls still running.
        pings = b"".join(frame({"jsonrpc": "2.0", "id": i, "method": "ping"}) for i in (1, 2))
        with tempfile.TemporaryDirectory() as tmp:
            requests = os.path.join(tmp, "in.jsonl")
            with open(requests, "wb") as f:
                f.write(pings)
            with open(requests, "rb") as stdin, open(os.path.join(tmp, "out.jsonl"), "w+b") as stdout:
                code = subprocess.run(
                    worker_argv(), stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL,
                    env=worker_env(), timeout=DEADLINE_SECONDS,
                ).returncode
                stdout.seek(0)
                answers = [json.loads(line) for line in stdout]
        self.assertEqual(code, 0)
        self.assertEqual(answers, [{"jsonrpc": "2.0", "id": i, "result": {}} for i in (1, 2)])


if __name__ == "__main__":
    unittest.main()
