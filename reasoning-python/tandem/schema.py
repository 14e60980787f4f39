"""Python type hints as JSON Schema (2020-12, the MCP default dialect).

One function per direction keeps the contract visible: `schema_for` says what a
hint accepts, `arguments.coerce` enforces the same rules on a call.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from typing import Any

JsonSchema = dict[str, Any]

_PRIMITIVES: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
}


class UnsupportedType(TypeError):
    """A hint tandem cannot describe as JSON Schema."""


def schema_for(hint: Any) -> JsonSchema:
    """The JSON Schema of values a parameter annotated `hint` accepts."""
    return _schema(hint, frozenset())


def is_optional(hint: Any) -> bool:
    """Whether `None` is one of the values `hint` allows."""
    return is_union(hint) and type(None) in typing.get_args(hint)


def strip_annotated(hint: Any) -> tuple[Any, str | None]:
    """`Annotated[X, "text"]` → (X, "text"): the string is a description."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *extras = typing.get_args(hint)
        text = next((e for e in extras if isinstance(e, str)), None)
        return base, text
    return hint, None


def is_typed_dict(hint: Any) -> bool:
    return isinstance(hint, type) and typing.is_typeddict(hint)


def is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _schema(hint: Any, seen: frozenset[type]) -> JsonSchema:
    hint, description = strip_annotated(hint)
    schema = _bare_schema(hint, seen)
    if description:
        schema = {**schema, "description": description}
    return schema


def _bare_schema(hint: Any, seen: frozenset[type]) -> JsonSchema:
    if hint is Any or hint is object:
        return {}
    if hint is None or hint is type(None):
        return {"type": "null"}
    if hint in _PRIMITIVES:
        return {"type": _PRIMITIVES[hint]}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if is_union(hint):
        return {"anyOf": [_schema(arg, seen) for arg in args]}
    if origin is typing.Literal:
        return _enum_schema(list(args))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"title": hint.__name__, **_enum_schema([m.value for m in hint])}
    if hint is list or origin is list:
        return {"type": "array", **({"items": _schema(args[0], seen)} if args else {})}
    if hint is dict or origin is dict:
        if args and args[0] is not str:
            raise UnsupportedType(f"dict keys must be str for JSON, got {hint!r}")
        extra = {"additionalProperties": _schema(args[1], seen)} if args else {}
        return {"type": "object", **extra}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _object_schema(hint, seen, _dataclass_fields(hint))
    if is_typed_dict(hint):
        return _object_schema(hint, seen, _typed_dict_fields(hint))
    raise UnsupportedType(
        f"type {hint!r} has no JSON Schema in tandem; use str, int, float, bool, "
        "list[...], dict[str, ...], Optional, Literal, an Enum, a dataclass or a TypedDict"
    )


def _enum_schema(values: list[Any]) -> JsonSchema:
    schema: JsonSchema = {"enum": values}
    kinds = {_PRIMITIVES.get(type(v)) for v in values}
    if len(kinds) == 1 and None not in kinds:
        schema = {"type": kinds.pop(), **schema}
    return schema


class Field(typing.NamedTuple):
    name: str
    hint: Any
    required: bool
    default: Any


def object_fields(cls: type) -> list[Field]:
    """The fields of a dataclass or TypedDict, hints resolved."""
    if is_typed_dict(cls):
        return _typed_dict_fields(cls)
    return _dataclass_fields(cls)


def _dataclass_fields(cls: type) -> list[Field]:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            fields.append(Field(f.name, hints[f.name], False, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append(Field(f.name, hints[f.name], False, dataclasses.MISSING))
        else:
            fields.append(Field(f.name, hints[f.name], True, dataclasses.MISSING))
    return fields


def _typed_dict_fields(cls: type) -> list[Field]:
    hints = typing.get_type_hints(cls, include_extras=True)
    required = getattr(cls, "__required_keys__", frozenset(hints))
    return [
        Field(name, _strip_required(hint), name in required, dataclasses.MISSING)
        for name, hint in hints.items()
    ]


def _strip_required(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Required, typing.NotRequired):
        return typing.get_args(hint)[0]
    return hint


def _object_schema(cls: type, seen: frozenset[type], fields: list[Field]) -> JsonSchema:
    # A self-referencing type would inline forever; past the first level it is
    # described as an open object and still validated on the way in.
    if cls in seen:
        return {"type": "object", "title": cls.__name__}
    seen = seen | {cls}
    properties = {}
    for f in fields:
        prop = _schema(f.hint, seen)
        default = jsonable_default(f.default)
        if default is not NO_DEFAULT:
            prop = {**prop, "default": default}
        properties[f.name] = prop
    schema: JsonSchema = {"type": "object", "title": cls.__name__, "properties": properties}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


NO_DEFAULT = object()


def jsonable_default(value: Any) -> Any:
    """A default as it can appear in a schema, or NO_DEFAULT if it cannot."""
    if value is dataclasses.MISSING or value is NO_DEFAULT:
        return NO_DEFAULT
    if isinstance(value, enum.Enum):
        return jsonable_default(value.value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        items = [jsonable_default(v) for v in value]
        return NO_DEFAULT if NO_DEFAULT in items else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = {k: jsonable_default(v) for k, v in value.items()}
        return NO_DEFAULT if NO_DEFAULT in items.values() else items
    return NO_DEFAULT
