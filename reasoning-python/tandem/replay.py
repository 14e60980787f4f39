"""Rerunning recorded calls against the current code: old result vs new.

Offline by default: every model call the tool makes, through any client,
is answered by the responses recorded with the call, in order. So what
changes is only what the code does around the model (prompt construction,
parsing, post-processing), and the rows also say whether the prompts sent
now differ from the recorded ones. Pass `model=` to send the new prompts to
a live model instead, or `live=True` to let the code use the models it
constructs itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import importlib
import inspect
import sys
import time
from typing import Any, Iterable, Mapping

from . import recorder
from .arguments import InvalidArgument
from .context import Context
from .models import FakeModel, Model, ModelError
from .models.base import _override
from .registry import REGISTRY
from .results import call_result, exception_result
from .sidebyside import ReplayRow, render_html, render_text  # the row is the view's


class Replay(list[ReplayRow]):
    """Rows of old vs new; shows itself side by side (text, or HTML in Jupyter)."""

    @property
    def changed(self) -> list[ReplayRow]:
        return [row for row in self if row.changed]

    def __str__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)


class ReplayModel(FakeModel):
    """Answers with a recorded call's model responses, in the order they came."""

    def __init__(self, entries: list[Mapping[str, Any]]) -> None:
        replies: list[Any] = []
        for entry in entries:
            if entry.get("error"):
                error = entry["error"]
                replies.append(ModelError(
                    f"(recorded) {error.get('message')}",
                    provider=str(entry.get("provider")), status=error.get("status"),
                ))
            else:
                replies.append((entry.get("response") or {}).get("text", ""))
        name = str(entries[0].get("model")) if entries else "replay"
        super().__init__(replies, name=name)
        self.provider = "replay"


def replay(
    traces: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    *,
    model: Model | None = None,
    live: bool = False,
    reload: bool = True,
) -> Replay:
    """Rerun recorded calls with their arguments; a row of old vs new per call.

    `reload=True` re-imports each tool's module first, so edits made since
    it was imported (in this notebook, say) are what runs.
    """
    records = [traces] if isinstance(traces, Mapping) else list(traces)
    reloaded: set[str] = set()
    rows = Replay()
    for record in records:
        module = str(record.get("module", ""))
        problem = _import(module, reload and module not in reloaded)
        reloaded.add(module)
        if model is not None:
            answering: Model | None = model
        elif live:
            answering = None
        else:
            answering = ReplayModel(record.get("models") or [])
        rows.append(_rerun(record, answering, problem))
    return rows


def _import(module: str, reload: bool) -> str | None:
    try:
        if reload and module in sys.modules:
            importlib.reload(sys.modules[module])
        else:
            importlib.import_module(module)
    except Exception as e:  # the new code may not even import: that is a result
        return f"cannot import module '{module}': {type(e).__name__}: {e}"
    return None


def _rerun(record: Mapping[str, Any], model: Model | None, problem: str | None) -> ReplayRow:
    name = str(record.get("tool"))
    arguments = dict(record.get("arguments") or {})
    old = record.get("result") or {}
    capture = recorder.CallRecord(name, str(record.get("module")), name, arguments, None)
    started = time.monotonic()
    if problem is None:
        result = _call(name, arguments, model, capture)
    else:
        result = {"content": [{"type": "text", "text": problem}], "isError": True}
    return ReplayRow(
        tool=name,
        arguments=arguments,
        old=shown(old) if old else f"(no result: {record.get('outcome')})",
        new=shown(result),
        old_error=bool(old.get("isError")) if old else True,
        new_error=bool(result.get("isError")),
        old_ms=record.get("durationMs"),
        new_ms=round((time.monotonic() - started) * 1000, 3),
        old_requests=[m.get("request", {}) for m in record.get("models") or []],
        new_requests=[m.get("request", {}) for m in capture.models],
        record_id=record.get("id"),
    )


def _call(
    name: str, arguments: dict[str, Any], model: Model | None, capture: recorder.CallRecord
) -> dict[str, Any]:
    tool = REGISTRY.tools.get(name)
    if tool is None:
        text = f"tool '{name}' no longer exists in the current code"
        return {"content": [{"type": "text", "text": text}], "isError": True}
    ctx = Context(model=model)

    def run() -> Any:
        recorder.current_record.set(capture)
        if model is not None:
            _override.set(model)
        args, kwargs = tool.signature.bind(arguments, ctx)
        value = tool.fn(*args, **kwargs)
        if inspect.isawaitable(value):
            value = _run_coroutine(value)
        return value

    try:
        # A copied context: the override and the capture end with this call.
        value = contextvars.copy_context().run(run)
        return call_result(value, tool.output)
    except InvalidArgument as e:
        return {"content": [{"type": "text", "text": f"Invalid arguments: {e}"}], "isError": True}
    except Exception as e:
        return exception_result(e)


def _run_coroutine(awaitable: Any) -> Any:
    async def wrapper() -> Any:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wrapper())
    # Inside a running loop (a Jupyter cell): run on a thread with its own loop,
    # carrying this context so the model override still applies.
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(context.run, asyncio.run, wrapper()).result()


def shown(result: Mapping[str, Any]) -> Any:
    """What a CallToolResult says: its structured content, else its text."""
    if "structuredContent" in result:
        data = result["structuredContent"]
        return data["result"] if isinstance(data, dict) and list(data) == ["result"] else data
    texts = [c.get("text", "") for c in result.get("content") or [] if c.get("type") == "text"]
    return "\n".join(texts)
