"""The floor of `make bench`: a minimal MCP stdio server, one Python process, stdlib only.

What a competent person writes for a few tools without a framework: read a line, json.loads,
dispatch, json.dumps, write the line and flush. It serves echo and sleep from examples/tools/basics.py
with the tools/list entries and tools/call answers tandem's worker gives, as the bench's baseline.
echo runs inline. sleep is a coroutine, as in basics.py: time.sleep on the reading thread would
answer 1,000 x sleep(0.5) one after another and a thread per call means 10,000 threads in the
10,000-in-flight row, so one asyncio loop on a background thread runs it (run_coroutine_threadsafe).
"""

import asyncio
import json
import sys
import threading

VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
ANNOTATIONS = {"readOnlyHint": True, "idempotentHint": True}
TOOLS = [
    {"name": "echo", "description": "Say the text back, repeated.", "inputSchema": {"type": "object", "properties": {
        "text": {"type": "string", "description": "What to say back."},
        "times": {"type": "integer", "description": "How many times to repeat it, joined by spaces.", "default": 1}},
        "required": ["text"], "additionalProperties": False}, "annotations": ANNOTATIONS},
    {"name": "sleep", "description": "Wait without blocking the worker, then say how long.", "inputSchema": {
        "type": "object", "properties": {"seconds": {"type": "number", "description": "How long to wait.", "default": 0.2}},
        "additionalProperties": False}, "annotations": ANNOTATIONS},
]


def echo(text, times=1):
    return " ".join([text] * times)


async def sleep(seconds=0.2):
    await asyncio.sleep(seconds)
    return f"slept {seconds}s"


FUNCTIONS = {"echo": echo, "sleep": sleep}
loop = asyncio.new_event_loop()
out = sys.stdout.buffer
out_lock = threading.Lock()  # answers come from the reading thread (echo) and the loop's (sleep)


def send(message):
    line = json.dumps(message, separators=(",", ":")).encode() + b"\n"
    with out_lock:
        out.write(line)
        out.flush()


def answer(id, value):
    if isinstance(value, BaseException):  # bad arguments or a failing tool: a tool error, as MCP wants
        return {"jsonrpc": "2.0", "id": id, "result": {"content": [{"type": "text", "text": f"{value!r}"}], "isError": True}}
    return {"jsonrpc": "2.0", "id": id, "result": {"content": [{"type": "text", "text": value}]}}


def call(id, params):
    fn = FUNCTIONS.get(params.get("name"))
    if fn is None:
        return send({"jsonrpc": "2.0", "id": id, "error": {"code": -32602, "message": f"Unknown tool: {params.get('name')}"}})
    try:
        value = fn(**(params.get("arguments") or {}))
    except Exception as e:
        return send(answer(id, e))
    if asyncio.iscoroutine(value):
        future = asyncio.run_coroutine_threadsafe(value, loop)
        future.add_done_callback(lambda f: f.cancelled() or send(answer(id, f.exception() or f.result())))
    else:
        send(answer(id, value))


def handle(message):
    if not isinstance(message, dict):
        return send({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Invalid request"}})
    if "id" not in message or "method" not in message:
        return  # notifications/initialized and other notifications; answers to requests we never make
    id, method, params = message["id"], message["method"], message.get("params") or {}
    if method == "tools/call":
        return call(id, params)
    if method == "initialize":
        asked = params.get("protocolVersion")
        result = {"protocolVersion": asked if asked in VERSIONS else VERSIONS[0], "capabilities": {"tools": {}},
                  "serverInfo": {"name": "mcp-floor", "version": "1"}}
    elif method == "tools/list":
        result = {"tools": TOOLS}
    elif method == "ping":
        result = {}
    else:
        return send({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": f"Method not found: {method}"}})
    send({"jsonrpc": "2.0", "id": id, "result": result})


def main():
    threading.Thread(target=loop.run_forever, name="tools", daemon=True).start()
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError as e:  # also bytes that are not UTF-8
            send({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": f"Parse error: {e}"}})
            continue
        handle(message)
    loop.call_soon_threadsafe(loop.stop)  # EOF: the client has gone; calls still sleeping are dropped


if __name__ == "__main__":
    main()
