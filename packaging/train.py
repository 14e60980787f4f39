"""Drives one short MCP session through a tandem tree, to record its AOT cache.

`train.py HOME [CACHE]` records the AOT cache of HOME/bin/tandem (the JVM writes it when the
daemon exits) at CACHE, by default HOME/libexec/tandem.aot (a staged distribution);
`train.py HOME --measure` prints how many ms after exec `initialize` was answered.

The session is what a host does at start (initialize, list, call) and what a daemon does when
a worker dies (the pool promotes its spare, the call in flight is retried): code that runs for
the first time when a worker is killed would otherwise be loaded and linked during a failover.
Standard library only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

DEADLINE_S = 60


def session(home: str, java_opts: str, *, kill_a_worker: bool = False) -> float:
    env = dict(os.environ, TANDEM_JAVA_OPTS=java_opts)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [os.path.join(home, "bin", "tandem"), "serve"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        # The measuring runs' logs would bury the one line dist.sh prints; training keeps them.
        stderr=subprocess.DEVNULL if "--measure" in sys.argv else None,
    )
    ids = iter(range(1, 1_000_000))

    def ask(method: str, params: dict) -> dict:
        msg_id = next(ids)
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}) + "\n").encode())
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("the daemon exited during training")
            msg = json.loads(line)
            if msg.get("id") == msg_id:
                return msg

    def echo() -> dict:
        return ask("tools/call", {"name": "echo", "arguments": {"text": "warm"}})

    ask("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "train", "version": "1"}})
    answered = (time.perf_counter() - started) * 1000
    ask("tools/list", {})
    echo()
    if kill_a_worker:
        kill_serving_worker_and_call_again(ask, echo)
    proc.stdin.close()
    proc.wait(timeout=DEADLINE_S)
    return answered


def kill_serving_worker_and_call_again(ask, echo) -> None:
    deadline = time.monotonic() + DEADLINE_S
    # The spare starts once the pool serves: wait for it, so the death takes the spare path.
    while True:
        workers = [w for p in ask("tandem/status", {})["result"]["pools"] for w in p["workers"]]
        if any(w["role"] == "spare" and w["state"] == "ready" for w in workers):
            break
        if time.monotonic() > deadline:
            raise SystemExit("training: no spare became ready")
        time.sleep(0.05)
    victim = next(w["pid"] for w in workers if w["role"] == "serving" and w["state"] == "ready")
    os.kill(victim, signal.SIGKILL)
    while True:
        answer = echo()
        if "result" in answer and not answer["result"].get("isError"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"training: no call was answered after a worker was killed: {answer}")
    for _ in range(20):
        echo()


def main() -> None:
    home = sys.argv[1]
    if "--measure" in sys.argv:
        print(f"{min(session(home, '') for _ in range(3)):.0f}")
        return
    cache = sys.argv[2] if len(sys.argv) > 2 else os.path.join(home, "libexec", "tandem.aot")
    if os.path.exists(cache):
        os.remove(cache)  # else the launcher would start the training run with the old cache
    session(home, f"-XX:AOTCacheOutput={cache}", kill_a_worker=True)
    if not os.path.exists(cache):
        raise SystemExit("no AOT cache was written")


if __name__ == "__main__":
    main()
