"""The real `bin/tandem serve --http 127.0.0.1:0` for Python tests: started with its own
runtime and trace directories, its port read from the `listening on` line it logs, stopped
with SIGTERM as an operator would."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / "bin" / "tandem"
EXAMPLE_TOOLS = REPO / "examples" / "tools"
LISTENING = re.compile(r"listening on (http://\S+/mcp)")
START_SECONDS = 60.0


class Daemon:
    def __init__(self, config: Path, *, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        argv = [str(BIN), "serve", "--http", "127.0.0.1:0", "--config", str(config), *args]
        self.env = {**os.environ, **env}
        self.env.pop("TANDEM_HTTP_TOKEN", None)
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env=self.env, text=True)
        self.lines: list[str] = []
        self.url: str | None = None
        self._found = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._found.wait(START_SECONDS) or self.url is None:
            self.stop()
            raise AssertionError("tandem serve --http did not start:\n" + self.log())

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            match = LISTENING.search(line)
            if match and self.url is None:
                self.url = match.group(1)
                self._found.set()
        self._found.set()  # exited before listening

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def wait_for_log(self, pattern: str, seconds: float = 30.0) -> str:
        """The first log line matching `pattern`, waiting up to `seconds` for it."""
        deadline = time.monotonic() + seconds
        compiled = re.compile(pattern)
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if compiled.search(line):
                    return line
            time.sleep(0.05)  # polling the log a reader thread fills, until the deadline
        raise AssertionError(f"no log line matching {pattern!r} within {seconds} s:\n" + self.log())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def pool_config(directory: Path, tools: Path, *, modules: list[str], name: str = "notebook",
                env: dict[str, str] | None = None, replicas: int = 1) -> Path:
    """A tandem.toml with one Python pool, written into `directory`."""
    lines = ["[[pool]]", f'name = "{name}"', f"modules = {modules!r}".replace("'", '"'),
             f'path = "{tools}"', f"replicas = {replicas}"]
    if env:
        pairs = ", ".join(f'{k} = "{v}"' for k, v in env.items())
        lines.append(f"env = {{ {pairs} }}")
    config = directory / "tandem.toml"
    config.write_text("\n".join(lines) + "\n")
    return config
