"""A 30-second tour of tandem on the bundled examples: `make run` runs it.

It starts the real daemon (bin/tandem serve) the way a host does, speaks MCP to it over a pipe,
shows what it serves and a few calls, then prints how to add tandem to a host. Standard library
only, like everything on tandem's Python side.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time

HOME = pathlib.Path(__file__).resolve().parent.parent
BIN = HOME / "bin" / "tandem"


class Daemon:
    """bin/tandem serve on pipes, answering one request at a time (plus a burst below)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(BIN), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0

    def send(self, method: str, params: dict | None = None) -> int:
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()
        return self.next_id

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("tandem exited early; run `bin/tandem serve < /dev/null` to see why")
        return json.loads(line)

    def call(self, method: str, params: dict | None = None) -> dict:
        wanted = self.send(method, params)
        while True:
            msg = self.read()
            if msg.get("id") == wanted:
                if "error" in msg:
                    raise SystemExit(f"{method} failed: {msg['error']}")
                return msg["result"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def signature(tool: dict) -> str:
    props = tool.get("inputSchema", {}).get("properties", {})
    required = set(tool.get("inputSchema", {}).get("required", []))
    args = [name if name in required else f"{name}={json.dumps(p.get('default'))}" for name, p in props.items()]
    return f"{tool['name']}({', '.join(args)})"


def show(result: dict) -> str:
    if "structuredContent" in result:
        text = json.dumps(result["structuredContent"])
    else:
        text = " ".join(c.get("text", "") for c in result.get("content", []))
    return ("error: " if result.get("isError") else "") + text


def main() -> None:
    started = time.perf_counter()
    d = Daemon()
    init = d.call(
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "tour", "version": "1"}},
    )
    d.proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    tools = d.call("tools/list")["tools"]
    ready = time.perf_counter() - started
    info = init["serverInfo"]
    print(f"\n{info['name']} {info['version']} serves {len(tools)} tools from examples/tandem.toml "
          f"(ready in {ready:.2f} s)\n")
    width = max(len(signature(t)) for t in tools)
    for t in tools:
        print(f"  {signature(t):<{width}}  {t.get('description', '')}")
    print()
    for name, args in [
        ("echo", {"text": "hello", "times": 2}),
        ("text_stats", {"text": "one two\nthree"}),
        ("fail", {"message": "this is what a tool error looks like"}),
    ]:
        print(f"  → {name} {json.dumps(args)}")
        print(f"  ← {show(d.call('tools/call', {'name': name, 'arguments': args}))}")
    n, seconds = 100, 0.5
    t0 = time.perf_counter()
    ids = {d.send("tools/call", {"name": "sleep", "arguments": {"seconds": seconds}}) for _ in range(n)}
    while ids:
        ids.discard(d.read().get("id"))
    print(f"  → {n} × sleep({seconds}) at once\n  ← all answered in {time.perf_counter() - t0:.2f} s\n")
    d.close()

    print("Add tandem to a host:\n")
    print(f"  Claude Code:     claude mcp add tandem -- {BIN} serve\n")
    snippet = {"mcpServers": {"tandem": {"command": str(BIN), "args": ["serve"]}}}
    print("  Claude Desktop (claude_desktop_config.json), Cursor (.cursor/mcp.json):\n")
    print("\n".join("    " + line for line in json.dumps(snippet, indent=2).splitlines()))
    print(f"\n  Or let tandem write the entry (a backup is kept): {BIN} install-host claude-desktop")
    print("\n  Your own tools: write a tandem.toml like examples/tandem.toml and add"
          " \"--config\", \"/path/to/tandem.toml\" to args;")
    print(f"  {BIN} check --config /path/to/tandem.toml says what it would serve.\n")


if __name__ == "__main__":
    sys.exit(main())
