"""A stdlib MCP server over Streamable HTTP, strict about the wire the way
the spec is: Accept and Content-Type checked, sessions by Mcp-Session-Id
(400 without one, 404 once ended), MCP-Protocol-Version after initialize,
202 for notifications and responses, JSON or SSE answers to requests, DELETE
to end a session. The daemon's HTTP transport is to speak the same wire."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOOLS = [
    {"name": "echo", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}},
    {"name": "count", "inputSchema": {"type": "object"},
     "outputSchema": {"type": "object", "properties": {"result": {"type": "integer"}},
                      "required": ["result"]}},
    {"name": "stats", "inputSchema": {"type": "object"},
     "outputSchema": {"type": "object", "properties": {"words": {"type": "integer"}}}},
    {"name": "fail", "inputSchema": {"type": "object"}},
    {"name": "ask_host", "inputSchema": {"type": "object"}},
]


class FakeMcpServer:
    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}  # id → protocol version
        self.received: list[tuple[str, dict[str, str], Any]] = []
        self.reloads = 0
        self.answers_from_client: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                server._post(self)

            def do_DELETE(self) -> None:  # noqa: N802
                session = self.headers.get("Mcp-Session-Id")
                server.received.append(("DELETE", _lower(self.headers), None))
                if session not in server.sessions:
                    return _reply(self, 404)
                del server.sessions[session]
                _reply(self, 200)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/mcp"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def end_all_sessions(self) -> None:
        self.sessions.clear()

    def _post(self, h: BaseHTTPRequestHandler) -> None:
        accept = h.headers.get("Accept", "")
        if "application/json" not in accept or "text/event-stream" not in accept:
            wanted = "Accept must list application/json and text/event-stream"
            return _reply(h, 406, {"error": wanted})
        if h.headers.get_content_type() != "application/json":
            return _reply(h, 415)
        message = json.loads(h.rfile.read(int(h.headers.get("Content-Length", 0))))
        self.received.append(("POST", _lower(h.headers), message))
        method = message.get("method")
        if method == "initialize":
            session = uuid.uuid4().hex
            version = message["params"]["protocolVersion"]
            self.sessions[session] = version
            result = {"protocolVersion": version, "capabilities": {"tools": {}},
                      "serverInfo": {"name": "fake-tandem", "version": "0"}}
            return _reply(h, 200, _result(message, result), {"Mcp-Session-Id": session})
        session = h.headers.get("Mcp-Session-Id")
        if session is None:
            return _reply(h, 400, {"error": "Mcp-Session-Id required"})
        if session not in self.sessions:
            return _reply(h, 404)
        if h.headers.get("MCP-Protocol-Version") != self.sessions[session]:
            return _reply(h, 400, {"error": "bad MCP-Protocol-Version"})
        if "id" not in message or "method" not in message:
            if "method" not in message:
                self.answers_from_client.append(message)
            return _reply(h, 202)
        self._answer(h, message)

    def _answer(self, h: BaseHTTPRequestHandler, message: dict[str, Any]) -> None:
        method, params = message["method"], message.get("params") or {}
        if method == "tools/list":
            # Two pages, to make the client follow nextCursor.
            if params.get("cursor") == "page-2":
                return _reply(h, 200, _result(message, {"tools": TOOLS[2:]}))
            return _reply(h, 200, _result(message, {"tools": TOOLS[:2], "nextCursor": "page-2"}))
        if method == "tandem/reload":
            self.reloads += 1
            # The shape the daemon answers (dev.tandem.supervisor.router.PoolReloads).
            pool = {"name": "examples", "generation": 2, "ms": 420, "oldPids": [101, 102],
                    "newPids": [201, 202], "draining": 0,
                    "tools": {"before": 5, "after": 5, "added": [], "removed": []},
                    "prompts": {"before": 0, "after": 0}, "resources": {"before": 0, "after": 0}}
            return _reply(h, 200, _result(message, {"reloaded": ["examples"], "pools": [pool]}))
        if method != "tools/call":
            error = {"code": -32601, "message": f"Method not found: {method}"}
            return _reply(h, 200, {"jsonrpc": "2.0", "id": message["id"], "error": error})
        name, args = params.get("name"), params.get("arguments") or {}
        token = (params.get("_meta") or {}).get("progressToken")
        if name == "echo":
            return _reply(h, 200, _result(message, _text_result(args.get("text", ""))))
        if name == "stats":
            data = {"words": 2}
            content = [{"type": "text", "text": json.dumps(data)}]
            return _reply(h, 200, _result(message, {"content": content,
                                                    "structuredContent": data}))
        if name == "fail":
            failed = {**_text_result("ValueError: boom"), "isError": True}
            return _reply(h, 200, _result(message, failed))
        if name == "count":
            events = [{"jsonrpc": "2.0", "method": "notifications/progress",
                       "params": {"progressToken": token, "progress": n, "total": 2}}
                      for n in (1, 2)]
            events.append({"jsonrpc": "2.0", "method": "notifications/message",
                           "params": {"level": "info", "data": "counted"}})
            events.append(_result(message, {"content": [{"type": "text", "text": "2"}],
                                            "structuredContent": {"result": 2}}))
            return _stream(h, events)
        if name == "ask_host":
            ask = {"jsonrpc": "2.0", "id": "w-1", "method": "sampling/createMessage",
                   "params": {"messages": [], "maxTokens": 1}}
            return _stream(h, [ask, _result(message, _text_result("asked"))])
        _reply(h, 200, {"jsonrpc": "2.0", "id": message["id"],
                        "error": {"code": -32602, "message": f"Unknown tool: {name}"}})


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _result(message: dict[str, Any], result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


def _text_result(text: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}]}


def _reply(h: BaseHTTPRequestHandler, status: int, body: Any = None,
           headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode() if body is not None else b""
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    if body is not None:
        h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _stream(h: BaseHTTPRequestHandler, messages: list[dict[str, Any]]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Cache-Control", "no-cache")
    h.send_header("Connection", "close")
    h.end_headers()
    # A priming event with an id and no data, as resumable servers send first.
    h.wfile.write(b"id: 0\ndata: \n\n")
    for n, message in enumerate(messages, 1):
        h.wfile.write(f"id: {n}\nevent: message\ndata: {json.dumps(message)}\n\n".encode())
        h.wfile.flush()
    h.close_connection = True
