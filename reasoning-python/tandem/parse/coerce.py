"""Fitting a parsed value to a type hint, forgiving what a model gets wrong
but meant right: "7" for 7, "yes" for true, one item for a list of them,
"Key Points" for key_points, a missing optional field, a wrapper object."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import re
import typing
from typing import Any

from ..schema import is_typed_dict, is_union, object_fields, strip_annotated

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
# Strings that mean "nothing" where a value is optional.
_NOTHING = {"", "null", "none", "n/a", "na", "nil", "undefined"}
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*\S)\s*$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


class Mismatch(ValueError):
    """A value that does not fit; `path` is where, like $.items[2].score."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


def show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def coerce(value: Any, hint: Any, path: str = "$") -> Any:
    hint, _ = strip_annotated(hint)
    if hint is Any or hint is object:
        return value
    if hint is None or hint is type(None):
        if value is None or (isinstance(value, str) and value.strip().lower() in _NOTHING):
            return None
        raise Mismatch(path, f"expected null, got {show(value)}")
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if is_union(hint):
        return _union(value, args, path)
    if hint in (str, int, float, bool):
        return _primitive(value, hint, path)
    if origin is typing.Literal:
        return _choice(value, list(args), args, path)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        member_values = [m.value for m in hint]
        chosen = _choice(value, member_values, [m.name for m in hint], path)
        return hint(chosen)
    if hint is list or origin in (list, tuple, set, frozenset):
        item = args[0] if args else Any
        return _list(value, item, path)
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            raise Mismatch(path, f"expected an object, got {show(value)}")
        item = args[1] if len(args) == 2 else Any
        return {str(k): coerce(v, item, f"{path}.{k}") for k, v in value.items()}
    if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or is_typed_dict(hint)):
        return _object(value, hint, path)
    raise Mismatch(path, f"cannot parse into {hint!r}")


def _union(value: Any, args: tuple[Any, ...], path: str) -> Any:
    optional = type(None) in args
    if value is None and optional:
        return None
    options = [a for a in args if a is not type(None)]
    # An exact type match first, so 3 stays an int in int | str.
    for option in options:
        if isinstance(option, type) and type(value) is option:
            return value
    errors = []
    for option in options:
        try:
            return coerce(value, option, path)
        except Mismatch as e:
            errors.append(e)
    if optional and isinstance(value, str) and value.strip().lower() in _NOTHING:
        return None
    raise errors[0] if len(errors) == 1 else Mismatch(
        path, "no alternative fits: " + "; ".join(str(e).split(": ", 1)[1] for e in errors)
    )


def _primitive(value: Any, hint: type, path: str) -> Any:
    if hint is str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
    elif hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
    elif isinstance(value, bool):
        pass  # true is not a number, whatever Python thinks
    elif hint is int:
        number = _as_number(value)
        if number is not None and float(number).is_integer():
            return int(number)
    elif hint is float:
        number = _as_number(value)
        if number is not None:
            return float(number)
    raise Mismatch(path, f"expected {_name(hint)}, got {show(value)}")


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, (int, float)):
        return value if not (isinstance(value, float) and math.isnan(value)) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _GROUPED_NUMBER.match(text):
        text = text.replace(",", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _choice(value: Any, values: list[Any], names: Any, path: str) -> Any:
    for option in values:
        if type(option) is type(value) and option == value:
            return option
    for option, name in zip(values, names):
        if isinstance(value, str) and value.strip().lower() in (
            str(option).lower(), str(name).lower()
        ):
            return option
        if not isinstance(option, str) and not isinstance(value, bool):
            number = _as_number(value)
            if number is not None and number == option:
                return option
    raise Mismatch(path, f"expected one of {', '.join(show(v) for v in values)}, got {show(value)}")


def _list(value: Any, item: Any, path: str) -> list[Any]:
    if isinstance(value, str) and item is not str:
        # A model may quote a whole array: "[1, 2]".
        from .lenient import JsonSyntax, loads

        try:
            inner = loads(value)
        except JsonSyntax:
            inner = None
        if isinstance(inner, list):
            value = inner
    if isinstance(value, str):
        bullets = [_BULLET.match(line) for line in value.splitlines() if line.strip()]
        if len(bullets) > 1 and all(bullets):
            value = [b.group(1) for b in bullets if b]
    if not isinstance(value, (list, tuple)):
        if value is None:
            raise Mismatch(path, "expected an array, got null")
        # One item where a list was asked for.
        value = [value]
    return [coerce(v, item, f"{path}[{i}]") for i, v in enumerate(value)]


def _object(value: Any, cls: type, path: str) -> Any:
    if dataclasses.is_dataclass(cls) and isinstance(value, cls):
        return value
    if isinstance(value, str):
        from .lenient import JsonSyntax, loads

        try:
            value = loads(value)  # an object sent as a JSON string
        except JsonSyntax:
            pass
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict):
        raise Mismatch(path, f"expected a {cls.__name__} object, got {show(value)}")
    fields = object_fields(cls)
    by_key = _match_keys(value, [f.name for f in fields])
    if not by_key and len(value) == 1:
        # A wrapper the prompt did not ask for: {"summary": {...the fields...}}.
        [(key, inner)] = value.items()
        if isinstance(inner, dict):
            return _object(inner, cls, f"{path}.{key}")
    converted: dict[str, Any] = {}
    missing = []
    for f in fields:
        if f.name in by_key:
            raw = value[by_key[f.name]]
            if raw is None and not f.required and not _allows_none(f.hint):
                continue  # null for a field with a default: take the default
            converted[f.name] = coerce(raw, f.hint, f"{path}.{f.name}")
        elif f.required:
            if _allows_none(f.hint):
                converted[f.name] = None
            else:
                missing.append(f.name)
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        present = ", ".join(value) or "none"
        raise Mismatch(path, f"missing required field {names} for {cls.__name__} "
                             f"(the output has: {present})")
    return converted if is_typed_dict(cls) else cls(**converted)


def _match_keys(value: dict[str, Any], names: list[str]) -> dict[str, str]:
    """field name → the key the model used for it: exact, else ignoring case,
    spaces, dashes and underscores (keyPoints, Key Points, key-points)."""
    found = {n: n for n in names if n in value}
    loose = {_loose(k): k for k in value}
    for name in names:
        if name not in found and _loose(name) in loose:
            found[name] = loose[_loose(name)]
    return found


def _loose(key: str) -> str:
    return re.sub(r"[\W_]+", "", str(key)).lower()


def _allows_none(hint: Any) -> bool:
    hint, _ = strip_annotated(hint)
    return hint is Any or hint is None or (is_union(hint) and type(None) in typing.get_args(hint))


def _name(hint: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}[hint]
