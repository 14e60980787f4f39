"""Tool parameters mirrored into HTTP headers (SEP-2243, 2026-07-28 Streamable HTTP).

`Annotated[str, Header("Region")]` on a parameter puts `"x-mcp-header": "Region"` in its
schema: a 2026-07-28 client then sends the argument as `Mcp-Param-Region` too, so a proxy can
route on it, and the daemon refuses a request whose header and body disagree. A declaration the
specification forbids is refused when the tool is defined, never sent to a client, which would
drop the tool from its list.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Any

KEY = "x-mcp-header"

# RFC 9110 field-name token: 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PRIMITIVE = frozenset({"string", "integer", "boolean"})
# Everything a schema can nest under other than `properties`: a header there has no one path.
_NESTED = (
    "items", "prefixItems", "additionalProperties", "patternProperties", "contains",
    "anyOf", "oneOf", "allOf", "not", "if", "then", "else", "$defs", "definitions",
    "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "propertyNames",
)


@dataclass(frozen=True)
class Header:
    """`Annotated[str, Header("Region")]`: send this parameter as `Mcp-Param-Region` too."""

    name: str


def header_of(hint: Any) -> str | None:
    """The header name an `Annotated[..., Header(...)]` hint declares, or None."""
    if typing.get_origin(hint) is typing.Annotated:
        for extra in typing.get_args(hint)[1:]:
            if isinstance(extra, Header):
                return extra.name
    return None


class InvalidHeader(ValueError):
    """An `x-mcp-header` declaration the 2026-07-28 specification forbids."""


def check(tool: str, schema: Any) -> None:
    """Refuses, naming the tool and the parameter, any `x-mcp-header` in `schema` that is not
    a unique HTTP token on a string, integer or boolean property reachable through
    `properties` alone (streamable-http, "Custom Headers from Tool Parameters")."""
    seen: dict[str, str] = {}

    def fail(path: str, why: str) -> None:
        raise InvalidHeader(f"tool {tool!r}, parameter {path!r}: x-mcp-header {why}")

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        if KEY in node:
            name = node[KEY]
            where = path or "(the schema root)"
            if not path:
                fail(where, "must be on a parameter, not on the whole input schema")
            if not isinstance(name, str) or not name:
                fail(where, f"must be a non-empty header name, got {name!r}")
            if not _TOKEN.fullmatch(name):
                fail(where, f"{name!r} is not an HTTP header-name token "
                     "(letters, digits, !#$%&'*+-.^_`|~)")
            if node.get("type") not in _PRIMITIVE:
                kind = node.get("type", "an untyped value")
                fail(where, f"{name!r} needs a string, int or bool parameter, not {kind!r}")
            other = seen.get(name.lower())
            if other is not None:
                fail(where, f"{name!r} is already used by parameter {other!r} "
                     "(header names are case-insensitive)")
            seen[name.lower()] = where
        for key, sub in (node.get("properties") or {}).items():
            walk(sub, f"{path}.{key}" if path else key)
        for key in _NESTED:
            if key in node:
                _refuse_nested(node[key], f"{path or '(root)'}/{key}", fail)

    walk(schema, "")


def _refuse_nested(node: Any, path: str, fail: Any) -> None:
    if isinstance(node, dict):
        if KEY in node:
            fail(path, "is only allowed on properties reached through `properties` alone "
                       "(not under arrays, anyOf/oneOf/allOf, $defs or $ref)")
        for key, sub in node.items():
            _refuse_nested(sub, f"{path}/{key}", fail)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            _refuse_nested(sub, f"{path}/{i}", fail)
