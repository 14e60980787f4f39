"""The process-wide set of decorated tools, prompts and resources a worker serves."""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Catalog(Generic[T]):
    """Named entries of one kind (a `tools.Tool`, `prompts.Prompt` or `resources.Resource`, which
    import this module; so it names none of them). Re-running a notebook cell re-registers the
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
        self.tools: Catalog[Any] = Catalog("tool")
        self.prompts: Catalog[Any] = Catalog("prompt")
        self.resources: Catalog[Any] = Catalog("resource")
        # Set by the worker that serves this registry; outside one, a change has no one to tell.
        # notifications/<kind>/list_changed to the daemon:
        self.on_list_changed: Callable[[str], None] | None = None
        # notifications/resources/updated for a URI (the worker keeps the subscriptions):
        self.on_resource_updated: Callable[[str], None] | None = None

    def list_changed(self, kind: str) -> None:
        if kind not in ("tools", "prompts", "resources"):
            raise ValueError(f"kind must be 'tools', 'prompts' or 'resources', not {kind!r}")
        if self.on_list_changed is not None:
            self.on_list_changed(kind)

    def resource_updated(self, uri: str) -> None:
        if self.on_resource_updated is not None:
            self.on_resource_updated(uri)


# Decorators register here at import; the worker serves what it finds.
REGISTRY = Registry()


def announce_changed(kind: str) -> None:
    """Tell the host that the tools, prompts or resources served changed (after registering or
    removing some at run time); the daemon re-lists them and tells every client."""
    REGISTRY.list_changed(kind)
