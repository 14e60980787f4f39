"""Content blocks a tool can return when text or JSON is not the answer: images,
audio and embedded resources, alone or mixed with text in a list.

    from tandem.content import Image

    @tool
    def chart(data: list[float]) -> list:
        return ["The chart:", Image(render_png(data), "image/png")]
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any


def _b64(data: bytes | str) -> str:
    # A str is taken as already base64, the form MCP carries binary in.
    return data if isinstance(data, str) else base64.b64encode(data).decode("ascii")


class Content:
    """A value that is an MCP content block, not data to serialize."""

    def block(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Text(Content):
    text: str

    def block(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


@dataclasses.dataclass(frozen=True)
class Image(Content):
    data: bytes | str
    mime_type: str = "image/png"

    def block(self) -> dict[str, Any]:
        return {"type": "image", "data": _b64(self.data), "mimeType": self.mime_type}


@dataclasses.dataclass(frozen=True)
class Audio(Content):
    data: bytes | str
    mime_type: str = "audio/wav"

    def block(self) -> dict[str, Any]:
        return {"type": "audio", "data": _b64(self.data), "mimeType": self.mime_type}


@dataclasses.dataclass(frozen=True)
class EmbeddedResource(Content):
    """A resource's contents carried inline: `text` for text, `blob` (bytes) for binary."""

    uri: str
    text: str | None = None
    blob: bytes | str | None = None
    mime_type: str | None = None

    def block(self) -> dict[str, Any]:
        resource: dict[str, Any] = {"uri": self.uri}
        if self.mime_type:
            resource["mimeType"] = self.mime_type
        if self.blob is not None:
            resource["blob"] = _b64(self.blob)
        else:
            resource["text"] = self.text or ""
        return {"type": "resource", "resource": resource}


def is_content(value: Any) -> bool:
    """A content block, or a list with at least one (the rest strings or blocks)."""
    if isinstance(value, Content):
        return True
    return isinstance(value, list) and any(isinstance(v, Content) for v in value)


def blocks(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Content):
            out.append(item.block())
        elif isinstance(item, str):
            out.append({"type": "text", "text": item})
        else:
            raise TypeError(
                f"item {i} of a content list is a {type(item).__name__}; use str or a "
                "tandem.content block (Text, Image, Audio, EmbeddedResource)"
            )
    return out
