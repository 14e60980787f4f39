"""Check and convert JSON arguments against the hints `schema.py` describes.

Exact JSON types are tried first; only then the lenient conversions a model's
arguments often need ("5" for an int, 2.0 for an int, "true" for a bool).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import re
import typing
from typing import Any

from .schema import is_union, is_typed_dict, object_fields, strip_annotated

_INTEGER = re.compile(r"^[+-]?\d+$")
SCALARS = frozenset({str, int, float, bool})


class InvalidArgument(ValueError):
    """An argument that does not fit its parameter's type; the message names both."""


def coerce(value: Any, hint: Any, path: str) -> Any:
    """`value` converted to what `hint` describes, or InvalidArgument naming `path`."""
    # The common case, a JSON scalar of exactly the declared type, needs no conversion.
    if type(value) is hint and hint in SCALARS:
        return value
    try:
        return _convert(value, hint, path, strict=True)
    except InvalidArgument:
        return _convert(value, hint, path, strict=False)


def describe(hint: Any) -> str:
    """A short human name for a hint, as used in error messages."""
    hint, _ = strip_annotated(hint)
    if hint is Any or hint is object:
        return "any value"
    if hint is None or hint is type(None):
        return "null"
    names = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if hint in names:
        return names[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if is_union(hint):
        return " or ".join(describe(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(json.dumps(a) for a in args)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "one of " + ", ".join(json.dumps(m.value, default=str) for m in hint)
    if hint is list or origin is list:
        return f"array of {describe(args[0])}" if args else "array"
    if hint is dict or origin is dict:
        return "object"
    if isinstance(hint, type):
        return f"{hint.__name__} object"
    return repr(hint)


def show(value: Any) -> str:
    """A value as the caller sent it (JSON), cut short for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(value: Any, hint: Any, path: str) -> typing.NoReturn:
    raise InvalidArgument(f"argument '{path}': expected {describe(hint)}, got {show(value)}")


def _convert(value: Any, hint: Any, path: str, strict: bool) -> Any:
    hint, _ = strip_annotated(hint)
    if hint is Any or hint is object:
        return value
    if hint is None or hint is type(None):
        if value is None:
            return None
        _fail(value, hint, path)
    if hint in (str, bool, int, float):
        return _primitive(value, hint, path, strict)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if is_union(hint):
        return _union(value, hint, args, path, strict)
    if origin is typing.Literal:
        for option in args:
            if type(option) is type(value) and option == value:
                return option
        _fail(value, hint, path)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(value, hint, path, strict)
    if hint is list or origin is list:
        if not isinstance(value, list):
            _fail(value, hint, path)
        if not args:
            return list(value)
        return [_convert(v, args[0], f"{path}[{i}]", strict) for i, v in enumerate(value)]
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            _fail(value, hint, path)
        if not args:
            return dict(value)
        return {k: _convert(v, args[1], f"{path}.{k}", strict) for k, v in value.items()}
    if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or is_typed_dict(hint)):
        return _object(value, hint, path, strict)
    _fail(value, hint, path)


def _primitive(value: Any, hint: type, path: str, strict: bool) -> Any:
    # bool is an int in Python but never a number in JSON.
    if hint is bool:
        if isinstance(value, bool):
            return value
        if not strict and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif hint is str:
        if isinstance(value, str):
            return value
    elif isinstance(value, bool):
        pass
    elif hint is int:
        if isinstance(value, int):
            return value
        if not strict and isinstance(value, float) and value.is_integer():
            return int(value)
        if not strict and isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(value)
    elif hint is float:
        if isinstance(value, float):
            return value
        if isinstance(value, int):
            return float(value)
        if not strict and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                pass
            else:
                if math.isfinite(number):
                    return number
    _fail(value, hint, path)


def _union(value: Any, hint: Any, args: tuple[Any, ...], path: str, strict: bool) -> Any:
    if value is None and type(None) in args:
        return None
    for option in args:
        if option is type(None):
            continue
        try:
            return _convert(value, option, path, strict)
        except InvalidArgument:
            continue
    _fail(value, hint, path)


def _enum(value: Any, cls: type[enum.Enum], path: str, strict: bool) -> Any:
    if isinstance(value, cls):
        return value
    for member in cls:
        if type(member.value) is type(value) and member.value == value:
            return member
    if not strict:
        for member in cls:
            try:
                if _primitive(value, type(member.value), path, strict=False) == member.value:
                    return member
            except InvalidArgument:
                continue
    _fail(value, cls, path)


def _object(value: Any, cls: type, path: str, strict: bool) -> Any:
    if dataclasses.is_dataclass(cls) and isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        _fail(value, cls, path)
    fields = object_fields(cls)
    known = {f.name for f in fields}
    unknown = [k for k in value if k not in known]
    if unknown:
        raise InvalidArgument(
            f"argument '{path}': unknown field '{unknown[0]}' for {cls.__name__} "
            f"(fields: {', '.join(sorted(known))})"
        )
    converted = {}
    for f in fields:
        if f.name in value:
            converted[f.name] = _convert(value[f.name], f.hint, f"{path}.{f.name}", strict)
        elif f.required:
            raise InvalidArgument(f"argument '{path}': missing required field '{f.name}'")
    return converted if is_typed_dict(cls) else cls(**converted)
