"""A real worker subprocess and a tiny MCP client speaking to it over pipes."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

PYTHON_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TOOLS = PYTHON_ROOT.parent / "examples" / "tools"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

DEADLINE_SECONDS = 10.0


class Worker:
    """`python -m tandem.worker` with stdout read on a thread into a queue."""

    def __init__(
        self,
        *modules: str,
        paths: tuple[Path, ...] = (EXAMPLE_TOOLS, FIXTURES),
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        argv = [sys.executable, "-m", "tandem.worker", *extra_args]
        for path in paths:
            argv += ["--path", str(path)]
        argv += list(modules or ("basics",))
        env = {
            **os.environ,
            "PYTHONPATH": str(PYTHON_ROOT),
            "PYTHONUNBUFFERED": "1",
            # Tests that want traces pass a directory; the rest keep ~/.cache clean.
            "TANDEM_TRACE_DIR": "off",
            # ctx.model is the host's unless a test names a provider.
            "TANDEM_MODEL": "",
            # Tests wait on the per-call lines, which are DEBUG.
            "TANDEM_LOG_LEVEL": "DEBUG",
            **(env or {}),
        }
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.raw_lines: list[bytes] = []
        self.stderr_lines: list[str] = []
        self._stderr_changed = threading.Condition()
        # Lines on stdout that were not JSON: a corrupted wire.
        self.corrupt_lines: list[bytes] = []
        # Messages skipped while waiting for another one, for later assertions.
        self.unmatched: list[dict[str, Any]] = []
        self._next_id = 0
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.raw_lines.append(line)
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                self.corrupt_lines.append(line)
        self.messages.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._stderr_changed:
                self.stderr_lines.append(line.decode("utf-8", "replace"))
                self._stderr_changed.notify_all()

    def wait_stderr(self, text: str, timeout: float = DEADLINE_SECONDS) -> str:
        """The first stderr line containing `text`, waiting up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self._stderr_changed:
            while True:
                for line in self.stderr_lines:
                    if text in line:
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no stderr line with {text!r} before the deadline; stderr:\n"
                        + "".join(self.stderr_lines[-20:])
                    )
                self._stderr_changed.wait(remaining)

    # -- sending ------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode() + b"\n")

    def request(self, method: str, params: dict[str, Any] | None = None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self._next_id

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def close_stdin(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    # -- receiving ----------------------------------------------------------

    def next_message(self, deadline: float) -> dict[str, Any] | None:
        """The next frame, or None at EOF; AssertionError past the deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no message from the worker before the deadline")
        try:
            return self.messages.get(timeout=remaining)
        except queue.Empty:
            raise AssertionError(
                "no message from the worker before the deadline; stderr:\n"
                + "".join(self.stderr_lines[-20:])
            ) from None

    def wait_for(
        self, matches: Callable[[dict[str, Any]], bool], timeout: float = DEADLINE_SECONDS
    ) -> dict[str, Any]:
        # Answers can come out of order (a quick call overtakes one on a thread), so one
        # skipped while waiting for another may be the one wanted now.
        for i, message in enumerate(self.unmatched):
            if matches(message):
                return self.unmatched.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            message = self.next_message(deadline)
            if message is None:
                raise AssertionError("worker closed stdout; stderr:\n" + "".join(self.stderr_lines))
            if matches(message):
                return message
            self.unmatched.append(message)

    def response(self, request_id: Any, timeout: float = DEADLINE_SECONDS) -> dict[str, Any]:
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.response(self.request(method, params))

    def initialize(
        self, protocol_version: str = "2025-11-25", capabilities: dict | None = None
    ) -> dict[str, Any]:
        answer = self.call(
            "initialize",
            {
                "protocolVersion": protocol_version,
                "capabilities": capabilities or {},
                "clientInfo": {"name": "tandem-tests", "version": "0"},
            },
        )
        self.notify("notifications/initialized")
        return answer

    def start_tool(self, name: str, arguments: dict[str, Any] | None = None, **params: Any) -> int:
        """Send a tools/call without waiting; its request id."""
        return self.request("tools/call", {"name": name, "arguments": arguments or {}, **params})

    def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.response(self.start_tool(name, arguments))

    def notifications(self, method: str) -> list[dict[str, Any]]:
        """Params of the notifications skipped so far with this method."""
        return [m["params"] for m in self.unmatched if m.get("method") == method and "id" not in m]

    def wait_exit(self, timeout: float = DEADLINE_SECONDS) -> int:
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=timeout)
        return code

    def stderr_text(self) -> str:
        return "".join(self.stderr_lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=DEADLINE_SECONDS)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
