"""`@tool`: a plain function becomes an MCP tool, its hints and docstring the schema."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import sys
import typing
from dataclasses import dataclass
from typing import Any, Callable, Literal, TypeVar, overload

from . import headers
from .params import Signature, read_signature
from .registry import REGISTRY
from .schema import JsonSchema, is_typed_dict, is_union, schema_for, strip_annotated

F = TypeVar("F", bound=Callable[..., Any])

# How a return value becomes a CallToolResult (see results.py):
# "object": structuredContent is the value itself (dataclass, TypedDict, dict);
# "wrapped": structuredContent is {"result": value}, as FastMCP does for
#            primitives, because structuredContent must be a JSON object;
# "dynamic": no outputSchema; decided by the runtime type of the value.
OutputKind = Literal["object", "wrapped", "dynamic"]

# Whether a call may run as a task (MCP tasks): the host polls for its result instead of
# waiting on the request. "optional": when the host supports tasks; "required": only so.
TaskSupport = Literal["forbidden", "optional", "required"]
_TASK_SUPPORT = ("forbidden", "optional", "required")

# The MCP spec's recommended tool name alphabet and length.
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")

_HINT_FLAGS = {
    "read_only": "readOnlyHint",
    "destructive": "destructiveHint",
    "idempotent": "idempotentHint",
    "open_world": "openWorldHint",
}


@dataclass(frozen=True)
class Tool:
    fn: Callable[..., Any]
    name: str
    title: str | None
    description: str | None
    signature: Signature
    input_schema: JsonSchema
    output_schema: JsonSchema | None
    output: OutputKind
    annotations: dict[str, Any] | None
    # A plain `def` tool: True runs it on the worker's threads, False on its event loop,
    # None decides by measuring (see placement.py). Ignored for `async def` tools.
    blocking: bool | None = None
    task: TaskSupport | None = None
    # Its questions (ctx.elicit...) come first, as round trips; the task starts once answered.
    input_first: bool = False

    @functools.cached_property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fn)

    def definition(self) -> dict[str, Any]:
        """The MCP `Tool` object for tools/list."""
        out: dict[str, Any] = {"name": self.name}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        out["inputSchema"] = self.input_schema
        if self.output_schema is not None:
            out["outputSchema"] = self.output_schema
        if self.annotations:
            out["annotations"] = self.annotations
        if self.task is not None:
            out["execution"] = {"taskSupport": self.task}
        if self.input_first:
            out["_meta"] = {"tandem/inputFirst": True}
        return out


def define_tool(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    annotations: dict[str, Any] | None = None,
    input_schema: JsonSchema | None = None,
    blocking: bool | None = None,
    task: TaskSupport | None = None,
    input_first: bool = False,
    **hint_flags: bool | None,
) -> Tool:
    """Build a Tool from a function without registering it."""
    tool_name = name or fn.__name__
    if task is not None and task not in _TASK_SUPPORT:
        raise ValueError(
            f"tool {tool_name!r}: task={task!r} must be one of {', '.join(map(repr, _TASK_SUPPORT))}"
        )
    if input_first and task not in ("optional", "required"):
        raise ValueError(f"tool {tool_name!r}: input_first=True needs task='optional' or 'required'")
    if not _TOOL_NAME.match(tool_name):
        raise ValueError(
            f"tool name {tool_name!r} must be 1-128 characters of A-Z a-z 0-9 _ - ."
        )
    signature = read_signature(fn)
    output, output_schema = _output(signature.return_hint)
    merged = dict(annotations or {})
    for flag, value in hint_flags.items():
        if flag not in _HINT_FLAGS:
            raise TypeError(f"unknown tool option {flag!r}")
        if value is not None:
            merged[_HINT_FLAGS[flag]] = value
    schema = input_schema if input_schema is not None else signature.input_schema()
    headers.check(tool_name, schema)
    return Tool(
        fn=fn,
        name=tool_name,
        title=title,
        description=description or signature.doc.summary,
        signature=signature,
        # An explicit schema is advertised as given (JSON Schema 2020-12 features such as
        # $defs survive); arguments are still checked against the signature.
        input_schema=schema,
        output_schema=output_schema,
        output=output,
        annotations=merged or None,
        blocking=blocking,
        task=task,
        input_first=input_first,
    )


@overload
def tool(fn: F) -> F: ...


@overload
def tool(
    fn: str | None = None,
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    annotations: dict[str, Any] | None = None,
    input_schema: JsonSchema | None = None,
    read_only: bool | None = None,
    destructive: bool | None = None,
    idempotent: bool | None = None,
    open_world: bool | None = None,
    blocking: bool | None = None,
    task: TaskSupport | None = None,
    input_first: bool = False,
) -> Callable[[F], F]: ...


def tool(
    fn: Any = None,
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    annotations: dict[str, Any] | None = None,
    input_schema: JsonSchema | None = None,
    read_only: bool | None = None,
    destructive: bool | None = None,
    idempotent: bool | None = None,
    open_world: bool | None = None,
    blocking: bool | None = None,
    task: TaskSupport | None = None,
    input_first: bool = False,
) -> Any:
    """Serve a function as an MCP tool; the function itself is returned unchanged.

    Usable bare (`@tool`) or with options (`@tool(name="x", read_only=True)`).
    The docstring's first paragraph is the description and its `Args:` section
    describes the parameters. A plain `def` tool runs on a worker thread until its
    calls prove quick, then on the event loop; `blocking=True` keeps it on threads
    (it waits on the network or disk), `blocking=False` puts it on the loop at once.
    `task="optional"` lets a host run a long call as a task it polls (`"required"`: only
    so); `idempotent=True` lets tandem run such a task again if its worker or the daemon
    dies under it.
    """
    if isinstance(fn, str):
        name, fn = fn, None

    def register(f: F) -> F:
        REGISTRY.tools.add(
            name or f.__name__,
            define_tool(
                f,
                name=name,
                title=title,
                description=description,
                annotations=annotations,
                input_schema=input_schema,
                read_only=read_only,
                destructive=destructive,
                idempotent=idempotent,
                open_world=open_world,
                blocking=blocking,
                task=task,
                input_first=input_first,
            ),
        )
        return f

    return register(fn) if fn is not None else register


def _output(hint: Any) -> tuple[OutputKind, JsonSchema | None]:
    hint, _ = strip_annotated(hint)
    if _is_content_hint(hint):
        return "dynamic", None
    if hint is Any or hint is str or hint is None or hint is type(None):
        return "dynamic", None
    if is_union(hint) and all(a in (str, type(None)) for a in typing.get_args(hint)):
        return "dynamic", None
    is_object = (isinstance(hint, type) and dataclasses.is_dataclass(hint)) or is_typed_dict(hint)
    if is_object or hint is dict or typing.get_origin(hint) is dict:
        return "object", schema_for(hint)
    return "wrapped", {
        "type": "object",
        "properties": {"result": schema_for(hint)},
        "required": ["result"],
    }


def _is_content_hint(hint: Any) -> bool:
    """`-> Image`, `-> list[Content]`, `-> list[str | Image]`: content blocks, no outputSchema."""
    # A hint can only name a content class once something imported tandem.content;
    # until then there is nothing to find, and a worker need not load it.
    content = sys.modules.get("tandem.content")
    if content is None:
        return False
    Content = content.Content

    def names_content(h: Any) -> bool:
        if isinstance(h, type) and issubclass(h, Content):
            return True
        return is_union(h) and any(names_content(a) for a in typing.get_args(h))

    if names_content(hint):
        return True
    return typing.get_origin(hint) is list and any(names_content(a) for a in typing.get_args(hint))
