"""Drives one short MCP session through a staged distribution.

`train.py STAGE` records the AOT cache (the JVM writes it when the daemon exits);
`train.py STAGE --measure` prints how many ms after exec `initialize` was answered.
Standard library only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def session(stage: str, java_opts: str) -> float:
    env = dict(os.environ, TANDEM_JAVA_OPTS=java_opts)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [os.path.join(stage, "bin", "tandem"), "serve"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        # The measuring runs' logs would bury the one line dist.sh prints; training keeps them.
        stderr=subprocess.DEVNULL if "--measure" in sys.argv else None,
    )

    def ask(msg_id: int, method: str, params: dict) -> dict:
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}) + "\n").encode())
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("the daemon exited during training")
            msg = json.loads(line)
            if msg.get("id") == msg_id:
                return msg

    ask(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "train", "version": "1"}})
    answered = (time.perf_counter() - started) * 1000
    ask(2, "tools/list", {})
    ask(3, "tools/call", {"name": "echo", "arguments": {"text": "warm"}})
    proc.stdin.close()
    proc.wait(timeout=60)
    return answered


def main() -> None:
    stage = sys.argv[1]
    if "--measure" in sys.argv:
        print(f"{min(session(stage, '') for _ in range(3)):.0f}")
        return
    cache = os.path.join(stage, "libexec", "tandem.aot")
    session(stage, f"-XX:AOTCacheOutput={cache}")
    if not os.path.exists(cache):
        raise SystemExit("no AOT cache was written")


if __name__ == "__main__":
    main()
