"""Local HTTP servers that speak the model providers' real wire formats.

`ProviderServer` runs a stdlib http.server on 127.0.0.1, port 0, records each
request (path, headers, JSON body) and answers with the next scripted `Reply`.
The helpers below build replies exactly as OpenAI's chat completions and
Anthropic's Messages API send them: bodies, SSE streams and error bodies.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # For SSE: written and flushed one by one, as a streaming server does.
    chunks: list[bytes] | None = None


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ProviderServer:
    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                with server._lock:
                    server.received.append(
                        Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()},
                                 json.loads(raw) if raw else None)
                    )
                    reply = server.replies.pop(0) if server.replies else Reply(
                        500, {}, b'{"error": "the test scripted no more replies"}'
                    )
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunks is None:
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                # No length: the stream ends when the connection closes.
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in reply.chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the next poll.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"Content-Type": "application/json", **(headers or {})},
                 json.dumps(body).encode())


def _sse(lines: list[str]) -> Reply:
    return Reply(200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"},
                 chunks=[line.encode() for line in lines])


# -- OpenAI chat completions -----------------------------------------------


def openai_completion(text: str, prompt_tokens: int = 9, completion_tokens: int = 3,
                      model: str = "gpt-4o-mini-2024-07-18") -> Reply:
    return _json(200, {
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
        "system_fingerprint": "fp_test",
    })


def openai_stream(pieces: list[str], usage: tuple[int, int] | None = (9, 3),
                  model: str = "gpt-4o-mini-2024-07-18") -> Reply:
    def chunk(choices: list[Any], usage_value: Any = None) -> str:
        body = {"id": "chatcmpl-abc123", "object": "chat.completion.chunk",
                "created": 1_700_000_000, "model": model, "system_fingerprint": "fp_test",
                "choices": choices}
        if usage is not None:
            body["usage"] = usage_value
        return f"data: {json.dumps(body)}\n\n"

    lines = [chunk([{"index": 0, "delta": {"role": "assistant", "content": ""},
                     "logprobs": None, "finish_reason": None}])]
    lines += [chunk([{"index": 0, "delta": {"content": p}, "logprobs": None,
                      "finish_reason": None}]) for p in pieces]
    lines.append(chunk([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]))
    if usage is not None:
        lines.append(chunk([], {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                                "total_tokens": sum(usage)}))
    lines.append("data: [DONE]\n\n")
    return _sse(lines)


def openai_error(status: int, message: str, type_: str, code: str | None,
                 headers: dict[str, str] | None = None) -> Reply:
    return _json(status, {"error": {"message": message, "type": type_, "param": None,
                                    "code": code}}, headers)


# -- Anthropic Messages ----------------------------------------------------


def anthropic_message(text: str, input_tokens: int = 12, output_tokens: int = 4,
                      model: str = "claude-sonnet-4-5-20250929",
                      stop_reason: str = "end_turn") -> Reply:
    return _json(200, {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    })


def anthropic_stream(pieces: list[str], input_tokens: int = 12, output_tokens: int = 4,
                     model: str = "claude-sonnet-4-5-20250929",
                     error: dict[str, str] | None = None) -> Reply:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n"

    lines = [
        event("message_start", {"type": "message_start", "message": {
            "id": "msg_01", "type": "message", "role": "assistant", "content": [],
            "model": model, "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1}}}),
        event("content_block_start", {"type": "content_block_start", "index": 0,
                                      "content_block": {"type": "text", "text": ""}}),
        event("ping", {"type": "ping"}),
    ]
    lines += [event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                            "delta": {"type": "text_delta", "text": p}})
              for p in pieces]
    if error is not None:
        lines.append(event("error", {"type": "error", "error": error}))
        return _sse(lines)
    lines += [
        event("content_block_stop", {"type": "content_block_stop", "index": 0}),
        event("message_delta", {"type": "message_delta",
                                 "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                 "usage": {"output_tokens": output_tokens}}),
        event("message_stop", {"type": "message_stop"}),
    ]
    return _sse(lines)


def anthropic_error(status: int, type_: str, message: str,
                    headers: dict[str, str] | None = None) -> Reply:
    return _json(status, {"type": "error", "error": {"type": type_, "message": message}},
                 {"request-id": "req_011CSHoEeqs5C35K2UUqR7Fy", **(headers or {})})
