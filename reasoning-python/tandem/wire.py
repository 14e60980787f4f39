"""Newline-delimited JSON-RPC 2.0, as MCP's stdio transport frames it.

`decode` is the contract replayed by protocol/vectors/decode.jsonl on both the
Java and the Python side: every frame decodes to exactly one message, nothing
(a blank line), or an `Invalid` that says which JSON-RPC error to answer.
"""

from __future__ import annotations

import json
import re
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, NamedTuple, Union

RequestId = Union[str, int]

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
RESOURCE_NOT_FOUND = -32002

MAX_FRAME_BYTES = 4 * 1024 * 1024

# The decoded messages are NamedTuples rather than frozen dataclasses: as
# immutable, and each costs a tenth as much to define, which every worker
# start pays (five frozen dataclasses took ~4 ms).


class Request(NamedTuple):
    id: RequestId
    method: str
    params: dict[str, Any] | None  # None: the frame had no "params"


class Notification(NamedTuple):
    method: str
    params: dict[str, Any] | None


class Result(NamedTuple):
    id: RequestId
    result: Any


class ErrorResponse(NamedTuple):
    id: RequestId | None
    error: dict[str, Any]


class Invalid(NamedTuple):
    """A frame that is not a JSON-RPC message; answer it with this error."""

    code: int
    id: RequestId | None
    message: str


Message = Union[Request, Notification, Result, ErrorResponse]


class RpcError(Exception):
    """A JSON-RPC error to answer a request with (or received as an answer)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_error(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class ProtocolError(RpcError):
    """Raised by a tool to answer its call with this JSON-RPC error rather than an isError
    result: the call failed in a way that is not the model's to read (a task then ends
    `failed`). Any other exception, an RpcError from the host included, is a tool error."""


def decode(line: bytes, max_bytes: int = MAX_FRAME_BYTES) -> Message | Invalid | None:
    """One frame (without its newline) → a message, None for a blank line, or Invalid."""
    if line[:1] == b"{" and len(line) <= max_bytes:
        # The frame peers write, one object and nothing around it, goes straight to the C
        # scanner: JSONDecoder.decode's Python layers (two regex matches, two frames) were
        # most of a small frame's decode. Anything else, errors included, takes the full path.
        try:
            text = line.decode("utf-8")
            obj, end = _SCAN(text, 0)
        except (ValueError, StopIteration, RecursionError):
            pass
        else:
            if end == len(text):
                return _message(obj)
    return _decode_in_full(line, max_bytes)


def _decode_in_full(line: bytes, max_bytes: int) -> Message | Invalid | None:
    if line.endswith(b"\r"):
        line = line[:-1]
    if len(line) > max_bytes:
        # The id when its first bytes name one, as the daemon's codec answers the same frame
        # (protocol/vectors/decode.jsonl): the request is answered, not left to time out.
        return Invalid(
            INVALID_REQUEST,
            salvage_id(line),
            f"message is larger than the {max_bytes:,}-byte limit ([server] max_frame_bytes)",
        )
    if not line.strip(b" \t\r\n"):
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return Invalid(PARSE_ERROR, None, "frame is not valid UTF-8")
    try:
        obj = _DECODER.decode(text)
    except ValueError as e:
        return Invalid(PARSE_ERROR, None, f"frame is not valid JSON: {e}")
    except RecursionError:
        return Invalid(PARSE_ERROR, salvage_id(line), "message nests JSON too deeply")
    if isinstance(obj, list):
        return Invalid(INVALID_REQUEST, None, "JSON-RPC batches are not supported")
    if not isinstance(obj, dict):
        return Invalid(INVALID_REQUEST, None, "a JSON-RPC message must be a JSON object")
    return _message(obj)


# A top-level "id" before anything nested, as JSON-RPC peers (the daemon among them) write it.
_LEADING_ID = re.compile(rb'^\s*\{[^{}\[\]]*?"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")\s*[,}]')


def salvage_id(line: bytes) -> RequestId | None:
    """The id of a message too deep or too large to decode, read from its first bytes
    (the same rule as the daemon's LeadingId), so the error can answer the request
    that caused it; None if it is not there."""
    match = _LEADING_ID.match(line[:512])
    if match is None:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None
    return value if _is_id(value) else None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# Made once: json.loads and json.dumps with options build a new coder at every call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_ASCII_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)
_SCAN = _DECODER.scan_once


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


# Decoded JSON holds exact types, so a type test stands for _is_id (bool is not int here).
_ID_TYPES = (str, int)
# A NamedTuple's own __new__ is a Python function; building the tuple directly skips its frame.
_new_tuple = tuple.__new__


def _message(obj: dict[str, Any]) -> Message | Invalid:
    # Most frames are requests with params, valid: those need no more than this.
    params = obj.get("params")
    method = obj.get("method")
    request_id = obj.get("id")
    if (
        type(params) is dict
        and type(method) is str
        and type(request_id) in _ID_TYPES
        and obj.get("jsonrpc") == "2.0"
    ):
        return _new_tuple(Request, (request_id, method, params))
    has_id = "id" in obj
    valid_id = has_id and type(obj["id"]) in _ID_TYPES
    echo = obj["id"] if valid_id else None
    if obj.get("jsonrpc") != "2.0":
        return Invalid(INVALID_REQUEST, echo, '"jsonrpc" must be "2.0"')
    if "method" in obj:
        if has_id and not valid_id:
            return Invalid(INVALID_REQUEST, None, "a request id must be a string or an integer")
        if not isinstance(obj["method"], str):
            return Invalid(INVALID_REQUEST, echo, '"method" must be a string')
        if "params" in obj and not isinstance(params, dict):
            return Invalid(INVALID_REQUEST, echo, '"params" must be an object')
        if has_id:
            return _new_tuple(Request, (obj["id"], obj["method"], params))
        return _new_tuple(Notification, (obj["method"], params))
    has_result, has_error = "result" in obj, "error" in obj
    if has_result == has_error:
        what = "both" if has_result else "neither"
        return Invalid(
            INVALID_REQUEST,
            echo,
            f'a message without "method" needs one of "result" and "error", not {what}',
        )
    if has_result:
        if not valid_id:
            return Invalid(INVALID_REQUEST, None, "a result needs a string or integer id")
        return Result(obj["id"], obj["result"])
    if not (valid_id or (has_id and obj["id"] is None)):
        return Invalid(INVALID_REQUEST, None, "an error response needs an id (null if unknown)")
    error = obj["error"]
    if not (
        isinstance(error, dict)
        and _is_int(error.get("code"))
        and isinstance(error.get("message"), str)
    ):
        return Invalid(
            INVALID_REQUEST,
            echo,
            '"error" must be an object with an integer "code" and a string "message"',
        )
    return ErrorResponse(echo, error)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


if c_make_encoder is not None:

    def encode(message: dict[str, Any]) -> bytes:
        """One frame, newline included. Unpaired surrogates (legal in JSON text,
        not in UTF-8) fall back to \\u escapes instead of failing the frame."""
        try:
            # What JSONEncoder.encode runs for an object, without its Python prelude (a
            # closure and a dozen attribute reads per call). A new C encoder each time, as
            # encode makes one: its circular-reference markers are per call, and any thread
            # may send.
            chunks = c_make_encoder(
                {}, _ENCODER.default, encode_basestring, None, ":", ",", False, False, False
            )(message, 0)
            return ("".join(chunks) + "\n").encode("utf-8")
        except UnicodeEncodeError:
            return (_ASCII_ENCODER.encode(message) + "\n").encode("ascii")

else:  # an interpreter without the _json accelerator

    def encode(message: dict[str, Any]) -> bytes:
        try:
            return (_ENCODER.encode(message) + "\n").encode("utf-8")
        except UnicodeEncodeError:
            return (_ASCII_ENCODER.encode(message) + "\n").encode("ascii")


def request(id: RequestId, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def result(id: RequestId, value: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id, "result": value}


def error(id: RequestId | None, code: int, message: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return {"jsonrpc": "2.0", "id": id, "error": body}


class FrameSplitter:
    """Cuts a byte stream into frames (lines without their newline), however it is chunked.

    A frame past the limit is cut to max_bytes + 2 bytes (still over the limit
    even after a trailing \\r is stripped) so `decode` rejects it, while memory
    stays bounded however long the line is.
    """

    __slots__ = ("_keep", "_pending")

    def __init__(self, max_bytes: int = MAX_FRAME_BYTES) -> None:
        self._keep = max_bytes + 2
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The frames that `data` completes, in order."""
        pending = self._pending
        if not pending and len(data) <= self._keep and data.endswith(b"\n"):
            # The common case, whole lines in one read: no copying through the buffer.
            return data.split(b"\n")[:-1]
        frames = []
        start = 0
        while True:
            newline = data.find(b"\n", start)
            end = len(data) if newline < 0 else newline
            room = self._keep - len(pending)
            if room > 0:
                pending += data[start : min(end, start + room)]
            if newline < 0:
                return frames
            frames.append(bytes(pending))
            pending.clear()
            start = newline + 1

    def finish(self) -> bytes | None:
        """A last line without a newline is still a frame."""
        if not self._pending:
            return None
        frame = bytes(self._pending)
        self._pending.clear()
        return frame

