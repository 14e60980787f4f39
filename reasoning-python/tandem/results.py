"""What a tool returned, as an MCP CallToolResult.

str → text; dict, dataclass or TypedDict → structuredContent plus the same
JSON as text (the spec's backwards-compatible form); other values (numbers,
booleans, lists) → structuredContent {"result": value}, because structured
content must be an object; None → no content; an exception → isError.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import sys
from typing import Any

from .tools import OutputKind


def to_jsonable(value: Any) -> Any:
    """`value` as plain JSON data; TypeError for what JSON cannot carry."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    # No date, time or path exists until some module imported datetime or pathlib: a worker
    # whose tools never do need not load them (~4 ms and ~5 ms of its start).
    dt = sys.modules.get("datetime")
    if dt is not None and isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    pathlib = sys.modules.get("pathlib")
    if pathlib is not None and isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"a {type(value).__name__} cannot be sent as JSON")


def dumps(value: Any) -> str:
    """JSON text for a content block; NaN and Infinity are not JSON, so they fail here."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def call_result(value: Any, output: OutputKind) -> dict[str, Any]:
    """The CallToolResult for a tool's return value."""
    if type(value) is str and output == "dynamic":
        return {"content": [{"type": "text", "text": value}]}  # the common answer, first
    # Only an instance of a tandem.content class is a content block, so until some module
    # imports it there is none to look for, and a worker need not load it.
    content = sys.modules.get("tandem.content")
    if content is not None and content.is_content(value):
        return {"content": content.blocks(value)}
    if output == "dynamic":
        if value is None:
            return {"content": []}
        if isinstance(value, str):
            return text_result(value)
        is_object = isinstance(value, dict) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        )
        output = "object" if is_object else "wrapped"
    data = to_jsonable(value)
    if output == "wrapped":
        return {"content": [_text(dumps(data))], "structuredContent": {"result": data}}
    if not isinstance(data, dict):
        raise TypeError(
            f"the tool declares an object result but returned a {type(value).__name__}"
        )
    return {"content": [_text(dumps(data))], "structuredContent": data}


def text_result(text: str) -> dict[str, Any]:
    return {"content": [_text(text)]}


def error_result(message: str) -> dict[str, Any]:
    """A tool execution error: the model sees it and can correct itself."""
    return {"content": [_text(message)], "isError": True}


def exception_result(exc: BaseException) -> dict[str, Any]:
    # An exception message that quotes a key (a failed request's URL, a config dump) was not
    # meant for the model or the host: redacted as the trace copy is. Only failing calls pay.
    from .recorder import redact_text

    return error_result(redact_text(f"{type(exc).__name__}: {exc}"))


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}
