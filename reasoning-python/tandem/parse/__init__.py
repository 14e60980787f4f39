"""Tolerant parsing of model output: parse what you can, quote what you cannot.

    from tandem.parse import parse

    review = parse(answer_text, Review)      # a dataclass, TypedDict, list[...], int, …

The JSON may sit in a code fence, a <json> tag or prose; it may use single
quotes, trailing commas, comments or bare keys; fields may be named loosely
(keyPoints for key_points), optional ones missing, and values of a wrong but
convertible type ("7" for 7). What cannot be read raises `ParseError`, whose
message quotes the offending part.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import typing
from typing import Any, TypeVar, overload

from ..schema import is_typed_dict, is_union, strip_annotated
from .coerce import Mismatch, coerce, show
from .extract import candidates
from .lenient import JsonSyntax

T = TypeVar("T")

__all__ = ["ParseError", "parse", "parse_json"]

_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?|[+-]?\.\d+")
_YES_NO = re.compile(r"^\W*(yes|no|true|false)\b", re.IGNORECASE)


class ParseError(ValueError):
    """Model output that does not fit; `text` is the whole output."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


def parse_json(text: str) -> Any:
    """The first JSON value in `text` (fenced, tagged or in prose), forgivingly read."""
    return parse(text, Any)


@overload
def parse(text: str, into: type[T]) -> T: ...


@overload
def parse(text: str, into: Any) -> Any: ...


def parse(text: str, into: Any) -> Any:
    """`text` read as a value of type `into`; ParseError quoting the problem."""
    hint, _ = strip_annotated(into)
    if hint is str:
        return _unfence(text)
    scalar = _scalar_options(hint)
    if scalar is not None:
        return _scalar(text, hint, scalar)
    want = _kind(hint)
    problems: list[str] = []
    for found in candidates(text, want):
        if isinstance(found, JsonSyntax):
            problems.append(f"{found}")
            continue
        try:
            return coerce(found.value, hint)
        except Mismatch as e:
            problems.append(f"{e} (in {found.source})")
    name = _type_name(hint)
    if problems:
        # A value that read but did not fit says more than a syntax error.
        fits = [p for p in problems if p.startswith("$")]
        raise ParseError(f"cannot parse the answer into {name}: {(fits or problems)[0]}", text)
    kind = {"object": "JSON object", "array": "JSON array"}.get(want or "", "JSON value")
    raise ParseError(f"no {kind} in the answer: {_excerpt(text)}", text)


def _kind(hint: Any) -> str | None:
    if is_union(hint):
        kinds = {_kind(a) for a in typing.get_args(hint) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    origin = typing.get_origin(hint)
    if hint in (list, tuple, set) or origin in (list, tuple, set, frozenset):
        return "array"
    is_object = isinstance(hint, type) and (dataclasses.is_dataclass(hint) or is_typed_dict(hint))
    if is_object or hint is dict or origin is dict:
        return "object"
    return None


def _scalar_options(hint: Any) -> list[Any] | None:
    """For int, float, bool, Literal and Enum targets: [] or the allowed values."""
    if hint in (int, float, bool):
        return []
    if typing.get_origin(hint) is typing.Literal:
        return list(typing.get_args(hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return [m.value for m in hint]
    return None


def _scalar(text: str, hint: Any, options: list[Any]) -> Any:
    body = _unfence(text).strip().strip("`\"'").rstrip(".")
    try:
        return coerce(body, hint)
    except Mismatch:
        pass
    # "The answer is 42." / "Sentiment: Positive" / "Yes, it is": one clear match in prose.
    if hint is bool:
        found = [m.group(1) for m in [_YES_NO.match(body)] if m]
    elif options:
        words = re.findall(r"[\w-]+", body.lower())
        found = [o for o in options if str(o).lower() in words]
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            found += [m.value for m in hint if m.name.lower() in words and m.value not in found]
    else:
        found = _NUMBER.findall(body)
    if len(found) == 1:
        try:
            return coerce(found[0], hint)
        except Mismatch as e:
            message = f"cannot parse the answer into {_type_name(hint)}: {e}"
            raise ParseError(message, text) from None
    what = "several candidates: " + ", ".join(show(f) for f in found) if found else "none found"
    raise ParseError(
        f"cannot parse the answer into {_type_name(hint)} ({what}): {_excerpt(text)}", text
    )


def _unfence(text: str) -> str:
    stripped = text.strip()
    match = re.fullmatch(r"```[\w+-]*[ \t]*\n?(.*?)\n?```", stripped, re.DOTALL)
    return match.group(1) if match else stripped


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or repr(hint).replace("typing.", "")


def _excerpt(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 200 else text[:197] + "...")
