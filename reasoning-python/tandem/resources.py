"""`@resource(uri)`: a function that reads a resource. A URI with `{name}`
parts is a template (RFC 6570 level 1, plus `{+name}` for values with '/');
each part is a parameter of the function."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from .params import Signature, read_signature
from .registry import REGISTRY
from .results import dumps, to_jsonable

F = TypeVar("F", bound=Callable[..., Any])

_VARIABLE = re.compile(r"\{(\+?)(\w+)\}")


def updated(uri: str) -> None:
    """Tell subscribed hosts that the resource at `uri` changed (notifications/resources/updated)."""
    REGISTRY.resource_updated(uri)


@dataclass(frozen=True)
class Resource:
    fn: Callable[..., Any]
    uri: str
    name: str
    title: str | None
    description: str | None
    mime_type: str | None
    signature: Signature
    pattern: re.Pattern[str] | None

    @property
    def is_template(self) -> bool:
        return self.pattern is not None

    def definition(self) -> dict[str, Any]:
        """The MCP `Resource` (or `ResourceTemplate`) object for listing."""
        out: dict[str, Any] = {"uriTemplate" if self.is_template else "uri": self.uri}
        out["name"] = self.name
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        if self.mime_type:
            out["mimeType"] = self.mime_type
        return out

    def match(self, uri: str) -> dict[str, str] | None:
        """The template's variables for `uri`, or None if it is not this resource."""
        if self.pattern is None:
            return {} if uri == self.uri else None
        found = self.pattern.fullmatch(uri)
        if found is None:
            return None
        # Here, not at the top: only a template match unquotes, and urllib.parse
        # (with ipaddress) is not cheap to load.
        import urllib.parse

        return {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}

    def contents(self, uri: str, value: Any) -> list[dict[str, Any]]:
        """The function's return value as ReadResourceResult contents."""
        if isinstance(value, (bytes, bytearray)):
            blob = base64.b64encode(value).decode("ascii")
            mime = self.mime_type or "application/octet-stream"
            return [{"uri": uri, "mimeType": mime, "blob": blob}]
        if isinstance(value, str):
            return [{"uri": uri, "mimeType": self.mime_type or "text/plain", "text": value}]
        text = dumps(to_jsonable(value))
        return [{"uri": uri, "mimeType": self.mime_type or "application/json", "text": text}]


def resource(
    uri: str,
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    mime_type: str | None = None,
) -> Callable[[F], F]:
    """Serve a function as an MCP resource at `uri`; the function is returned unchanged."""
    if not isinstance(uri, str):
        raise TypeError("@resource needs the resource URI: @resource(\"scheme://...\")")

    def register(f: F) -> F:
        signature = read_signature(f)
        variables = [m.group(2) for m in _VARIABLE.finditer(uri)]
        _check_parameters(f, uri, signature, variables)
        entry = Resource(
            fn=f,
            uri=uri,
            name=name or f.__name__,
            title=title,
            description=description or signature.doc.summary,
            mime_type=mime_type,
            signature=signature,
            pattern=_template_pattern(uri) if variables else None,
        )
        REGISTRY.resources.add(uri, entry)
        return f

    return register


def _check_parameters(
    f: Callable[..., Any], uri: str, signature: Signature, variables: list[str]
) -> None:
    params = {p.name for p in signature.params}
    required = {p.name for p in signature.params if p.required}
    missing = [v for v in variables if v not in params]
    unfilled = sorted(required - set(variables))
    if missing or unfilled:
        raise TypeError(
            f"resource {uri!r} ({f.__qualname__}): URI variables {variables} must match the "
            f"function's parameters; missing parameters {missing}, parameters not in the "
            f"URI {unfilled}"
        )


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = []
    position = 0
    for m in _VARIABLE.finditer(template):
        parts.append(re.escape(template[position : m.start()]))
        parts.append(f"(?P<{m.group(2)}>{'.+' if m.group(1) else '[^/]+'})")
        position = m.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))
