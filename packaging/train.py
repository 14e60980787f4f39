"""Drives one short MCP session through a tandem tree, to record its AOT cache.

`train.py HOME [CACHE] [--http]` records the AOT cache of HOME/bin/tandem (the JVM writes it when
the daemon exits) at CACHE, by default HOME/libexec/tandem.aot (a staged distribution), from a
session on stdio, or with --http from one over Streamable HTTP (bin/tandem picks that cache for
`serve --http`);
`train.py HOME --measure` prints how many ms after exec `initialize` was answered.

The session is what a host does at start (initialize, list, call) and what a daemon does when
a worker dies (the pool promotes its spare, the call in flight is retried): code that runs for
the first time when a worker is killed would otherwise be loaded and linked during a failover.
Standard library only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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


def http_session(home: str, java_opts: str) -> None:
    """A host's first minutes over Streamable HTTP: both eras' calls and the admin pages. An
    HTTP daemon runs Netty, the metrics and the session store, ~1,300 classes stdio never loads:
    bin/tandem starts `serve --http` with the cache this records."""
    runtime = tempfile.mkdtemp()
    env = dict(os.environ, TANDEM_JAVA_OPTS=java_opts, XDG_RUNTIME_DIR=runtime)
    proc = subprocess.Popen(
        [os.path.join(home, "bin", "tandem"), "serve", "--http", "127.0.0.1:0", "--set", "http.token="],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    try:
        url = None
        for raw in proc.stderr:
            line = raw.decode(errors="replace")
            sys.stderr.write(line)
            if "listening on " in line:
                url = line.split("listening on ", 1)[1].split()[0]
                break
        if url is None:
            raise SystemExit("the daemon exited during training, before it listened")
        # The rest of its log still has to be read, or a full pipe would stop the daemon.
        threading.Thread(target=lambda: [sys.stderr.write(r.decode(errors="replace")) for r in proc.stderr],
                         daemon=True).start()
        host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=DEADLINE_S)
        base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

        def post(body: dict, headers: dict[str, str]) -> http.client.HTTPResponse:
            conn.request("POST", "/mcp", json.dumps(body), {**base, **headers})
            response = conn.getresponse()
            data = response.read()
            if response.status not in (200, 202) or b'"error"' in data:
                raise SystemExit(f"training over HTTP: {body.get('method')} answered {response.status}: {data[:300]!r}")
            return response

        def get(path: str) -> None:
            conn.request("GET", path)
            conn.getresponse().read()

        init = post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "train", "version": "1"}}}, {})
        session = {"Mcp-Session-Id": init.getheader("Mcp-Session-Id"), "MCP-Protocol-Version": "2025-11-25"}
        post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        post({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}, session)
        for i in range(3, 6):
            post({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                  "params": {"name": "echo", "arguments": {"text": "warm"}}}, session)
        modern = "2026-07-28"
        meta = {"io.modelcontextprotocol/protocolVersion": modern,
                "io.modelcontextprotocol/clientInfo": {"name": "train", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}}
        for i in range(6, 9):
            post({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                  "params": {"name": "echo", "arguments": {"text": "warm"}, "_meta": meta}},
                 {"MCP-Protocol-Version": modern, "Mcp-Method": "tools/call", "Mcp-Name": "echo"})
        for path in ("/healthz", "/readyz", "/metrics", "/status"):
            get(path)
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)  # the JVM writes the cache as it exits
        proc.wait(timeout=DEADLINE_S)
        shutil.rmtree(runtime, ignore_errors=True)


def main() -> None:
    home = sys.argv[1]
    if "--measure" in sys.argv:
        print(f"{min(session(home, '') for _ in range(3)):.0f}")
        return
    args = [a for a in sys.argv[2:] if not a.startswith("--")]
    cache = args[0] if args else os.path.join(home, "libexec", "tandem.aot")
    if os.path.exists(cache):
        os.remove(cache)  # else the launcher would start the training run with the old cache
    if "--http" in sys.argv:
        http_session(home, f"-XX:AOTCacheOutput={cache}")
    else:
        session(home, f"-XX:AOTCacheOutput={cache}", kill_a_worker=True)
    if not os.path.exists(cache):
        raise SystemExit("no AOT cache was written")


if __name__ == "__main__":
    main()
