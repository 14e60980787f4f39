"""`@prompt`: a function whose arguments are a prompt's arguments and whose
return value (a string or a list of messages) is the prompt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from .params import Signature, read_signature
from .registry import REGISTRY

F = TypeVar("F", bound=Callable[..., Any])

ROLES = ("user", "assistant")


@dataclass(frozen=True)
class Prompt:
    fn: Callable[..., Any]
    name: str
    title: str | None
    description: str | None
    signature: Signature

    def definition(self) -> dict[str, Any]:
        """The MCP `Prompt` object for prompts/list."""
        out: dict[str, Any] = {"name": self.name}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        arguments = []
        for p in self.signature.params:
            argument: dict[str, Any] = {"name": p.name}
            if p.description:
                argument["description"] = p.description
            argument["required"] = p.required
            arguments.append(argument)
        if arguments:
            out["arguments"] = arguments
        return out


def prompt(
    fn: Any = None,
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
) -> Any:
    """Serve a function as an MCP prompt; the function itself is returned unchanged.

    It returns a string (one user message) or a list whose items are strings
    (user messages) or `{"role": ..., "content": str | content block}` dicts.
    Prompt arguments arrive as strings and are converted to the hinted types.
    """
    if isinstance(fn, str):
        name, fn = fn, None

    def register(f: F) -> F:
        signature = read_signature(f)
        entry = Prompt(
            fn=f,
            name=name or f.__name__,
            title=title,
            description=description or signature.doc.summary,
            signature=signature,
        )
        REGISTRY.prompts.add(entry.name, entry)
        return f

    return register(fn) if fn is not None else register


def prompt_messages(value: Any) -> list[dict[str, Any]]:
    """A prompt function's return value as MCP PromptMessages."""
    items = value if isinstance(value, list) else [value]
    return [_message(item, i) for i, item in enumerate(items)]


def _message(item: Any, index: int) -> dict[str, Any]:
    if isinstance(item, str):
        return {"role": "user", "content": {"type": "text", "text": item}}
    if isinstance(item, dict) and item.get("role") in ROLES and "content" in item:
        content = item["content"]
        if isinstance(content, str):
            content = {"type": "text", "text": content}
        if not (isinstance(content, dict) and isinstance(content.get("type"), str)):
            raise TypeError(f"prompt message {index}: content must be a string or a content block")
        return {"role": item["role"], "content": content}
    raise TypeError(
        f"prompt message {index}: expected a string or a dict with 'role' (user or "
        f"assistant) and 'content', got {type(item).__name__}"
    )
