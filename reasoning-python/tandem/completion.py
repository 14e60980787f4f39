"""The values an argument can take when its type says so: what completion/complete offers."""

from __future__ import annotations

import enum
import typing
from typing import Any

from .schema import is_union, strip_annotated


def choices(hint: Any) -> list[str]:
    """String forms of every value a Literal, Enum or bool hint allows; [] for open types."""
    hint, _ = strip_annotated(hint)
    if typing.get_origin(hint) is typing.Literal:
        return [str(v) for v in typing.get_args(hint)]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return [str(m.value) for m in hint]
    if hint is bool:
        return ["true", "false"]
    if is_union(hint):
        return [c for a in typing.get_args(hint) if a is not type(None) for c in choices(a)]
    return []
