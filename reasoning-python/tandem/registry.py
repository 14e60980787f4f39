"""The process-wide set of decorated tools, prompts and resources a worker serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

if TYPE_CHECKING:
    from .prompts import Prompt
    from .resources import Resource
    from .tools import Tool

T = TypeVar("T")


class Catalog(Generic[T]):
    """Named entries of one kind. Re-running a notebook cell re-registers the
    same function, which replaces it; two different functions claiming one name
    is an error naming both."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        # The dict's own get, which the call path runs per call without a Python frame.
        self.get: Callable[[str], T | None] = self._entries.get

    def add(self, key: str, entry: T) -> None:
        existing = self._entries.get(key)
        if existing is not None and _origin(existing) != _origin(entry):
            raise ValueError(
                f"{self.kind} '{key}' is defined twice: by {_origin(existing)} and by "
                f"{_origin(entry)}; rename one (name=...)"
            )
        self._entries[key] = entry

    def all(self) -> list[T]:
        return list(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


def _fn(entry: Any) -> Callable[..., Any]:
    return entry.fn


def _module(entry: Any) -> str:
    return getattr(_fn(entry), "__module__", "?")


def _origin(entry: Any) -> str:
    fn = _fn(entry)
    return f"{_module(entry)}.{getattr(fn, '__qualname__', repr(fn))}"


class Registry:
    def __init__(self) -> None:
        self.tools: Catalog[Tool] = Catalog("tool")
        self.prompts: Catalog[Prompt] = Catalog("prompt")
        self.resources: Catalog[Resource] = Catalog("resource")


# Decorators register here at import; the worker serves what it finds.
REGISTRY = Registry()


# Set by the worker runtime: sends notifications/<kind>/list_changed to the daemon.
ANNOUNCER: Callable[[str], None] | None = None

# Set by the worker runtime: sends notifications/resources/updated for a URI.
# Kept here rather than in resources.py so the worker can set it without
# loading the resource machinery a tools-only worker does not need.
NOTIFIER: Callable[[str], None] | None = None


def announce_changed(kind: str) -> None:
    """Tell the host that the tools, prompts or resources served changed (after registering or
    removing some at run time); the daemon re-lists them and tells every client."""
    if kind not in ("tools", "prompts", "resources"):
        raise ValueError(f"kind must be 'tools', 'prompts' or 'resources', not {kind!r}")
    if ANNOUNCER is not None:
        ANNOUNCER(kind)
