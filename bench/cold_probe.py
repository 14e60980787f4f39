"""Times tandem's cold start the way a host sees it, alternating between trees.

`cold_probe.py [-n N] [--http] [--config FILE] [--env [LABEL:]K=V ...] LABEL=HOME ...` execs
HOME/bin/tandem serve with the bench's echo config, writes initialize the moment the process
exists, then notifications/initialized and one tools/call, and prints, per tree, the median, min
and max ms from exec to each answer. With --http the daemon serves Streamable HTTP on a free
port and the requests are posted as soon as the log says where. The trees take turns start by start (machine noise here is
±20-40 ms a start, so only alternating runs compare). `make bench --only cold` is the judge; this
is the quick tool for deciding whether a change helps. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PY = os.environ.get("TANDEM_PYTHON", sys.executable)


def once(home: str, config: str, extra_env: dict[str, str], marks: list | None = None) -> tuple[float, float]:
    env = dict(os.environ, TANDEM_PYTHON=PY, **extra_env)
    init = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "probe", "version": "1"}}}) + "\n"
    err = tempfile.TemporaryFile() if marks is not None else subprocess.DEVNULL
    wall = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen([os.path.join(home, "bin", "tandem"), "serve", "--config", config],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, env=env)
    try:
        proc.stdin.write(init.encode())
        proc.stdin.flush()
        initialized = answer(proc, 1) - started
        proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "echo", "arguments": {"text": "hello"}}}) + "\n").encode())
        proc.stdin.flush()
        called = answer(proc, 2) - started
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    if marks is not None:
        err.seek(0)
        for line in err.read().decode(errors="replace").splitlines():
            if "CPUMS " in line:  # the daemon's CPU time so far, at a named point
                name, ms = line.split("CPUMS ", 1)[1].split()[:2]
                marks.append(("cpu@" + name, float(ms) + wall * 1000 - wall * 1000))
            elif "MARK " in line:
                name, ms = line.split("MARK ", 1)[1].split()[:2]
                if name not in {n for n, _ in marks}:  # the first: a spare starts later
                    marks.append((name, int(ms) - wall * 1000))
        marks.append(("initialize", initialized * 1000))
        marks.append(("call", called * 1000))
    return initialized * 1000, called * 1000


def once_http(home: str, config: str, extra_env: dict[str, str], marks: list | None = None) -> tuple[float, float]:
    """The same over Streamable HTTP: exec until the port is bound (the log says where), then
    initialize and the first call in one session, on one connection."""
    runtime = tempfile.mkdtemp()
    env = dict(os.environ, TANDEM_PYTHON=PY, XDG_RUNTIME_DIR=runtime, **extra_env)
    started = time.perf_counter()
    proc = subprocess.Popen([os.path.join(home, "bin", "tandem"), "serve", "--config", config,
                             "--http", "127.0.0.1:0", "--set", "http.token="],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        while True:
            line = proc.stderr.readline().decode(errors="replace")
            if not line:
                raise SystemExit("the daemon exited before listening")
            if "listening on " in line:
                url = line.split("listening on ", 1)[1].split()[0]
                break
        host_port = url.split("//", 1)[1].split("/", 1)[0]
        conn = http.client.HTTPConnection(*host_port.split(":"))
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

        def post(body: dict, extra: dict[str, str]) -> http.client.HTTPResponse:
            conn.request("POST", "/mcp", json.dumps(body), {**headers, **extra})
            response = conn.getresponse()
            data = response.read()
            if response.status != 200 or b'"error"' in data or b'"isError":true' in data:
                raise SystemExit(f"HTTP {response.status}: {data[:300]!r}")
            return response

        init = post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "probe", "version": "1"}}}, {})
        initialized = time.perf_counter() - started
        session = {"Mcp-Session-Id": init.getheader("Mcp-Session-Id"), "MCP-Protocol-Version": "2025-06-18"}
        conn.request("POST", "/mcp", '{"jsonrpc":"2.0","method":"notifications/initialized"}', {**headers, **session})
        conn.getresponse().read()
        post({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "echo", "arguments": {"text": "hello"}}}, session)
        called = time.perf_counter() - started
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(runtime, ignore_errors=True)
    return initialized * 1000, called * 1000


def answer(proc: subprocess.Popen, msg_id: int) -> float:
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the daemon exited before answering")
        msg = json.loads(line)
        if msg.get("id") == msg_id:
            if "error" in msg or msg.get("result", {}).get("isError"):
                raise SystemExit(f"request {msg_id} failed: {msg}")
            return time.perf_counter()


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=7)
    parser.add_argument("--config", default=os.path.join(here, "configs", "echo.toml"))
    parser.add_argument("--env", action="append", default=[], help="LABEL:K=V for one tree, or K=V for all")
    parser.add_argument("--http", action="store_true", help="serve Streamable HTTP instead of stdio")
    parser.add_argument("--marks", action="store_true",
                        help="also print, per tree, the median ms after exec of each 'MARK NAME EPOCH_MS' stderr line"
                             " (from a throwaway patch that prints them)")
    parser.add_argument("trees", nargs="+", help="LABEL=HOME")
    args = parser.parse_args()
    trees = [t.split("=", 1) for t in args.trees]
    envs: dict[str, dict[str, str]] = {label: {} for label, _ in trees}
    for e in args.env:
        target, _, kv = e.partition(":") if ":" in e.split("=", 1)[0] else ("", "", e)
        k, v = kv.split("=", 1)
        for label in envs:
            if not target or target == label:
                envs[label][k] = v
    results = {label: ([], []) for label, _ in trees}
    marks: dict[str, dict[str, list[float]]] = {label: {} for label, _ in trees}
    for i in range(args.n):
        for k in range(len(trees)):
            label, home = trees[(i + k) % len(trees)]
            seen: list | None = [] if args.marks else None
            if args.http:
                a, b = once_http(home, args.config, envs[label])
            else:
                a, b = once(home, args.config, envs[label], seen)
            for name, ms in seen or []:
                marks[label].setdefault(name, []).append(ms)
            results[label][0].append(a)
            results[label][1].append(b)
    for label, (inits, calls) in results.items():
        print(f"{label:>12}: initialize {statistics.median(inits):4.0f} ({min(inits):.0f}-{max(inits):.0f})"
              f"  first call {statistics.median(calls):4.0f} ({min(calls):.0f}-{max(calls):.0f}) ms")
        if marks[label]:
            print("              " + "  ".join(f"{name} {statistics.median(ms):.0f}" for name, ms in
                                            sorted(marks[label].items(), key=lambda kv: statistics.median(kv[1]))))


if __name__ == "__main__":
    main()
