"""`Context`: what a tool can do with the call it is serving.

One object works in both kinds of tool. In an `async def` tool, await its
methods; in a plain `def` tool (run on a worker thread) call them without
`await`: notifications are sent at once either way, and requests to the host
block the worker thread until the host answers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import threading
from typing import TYPE_CHECKING, Any, Awaitable, Generator, Protocol

if TYPE_CHECKING:
    from .models import Model

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")

# The request id of the call running in this task or thread, for log lines.
current_call: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tandem_current_call", default=None
)

_log = logging.getLogger("tandem.tool")

# MCP levels onto the stdlib's, for the worker's own stderr log.
_STDLIB_LEVEL = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "notice": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
    "alert": logging.CRITICAL,
    "emergency": logging.CRITICAL,
}


class Session(Protocol):
    """The worker side of the wire, as a Context needs it."""

    loop: asyncio.AbstractEventLoop

    def notify(self, method: str, params: dict[str, Any]) -> None: ...

    def wants_log(self, level: str) -> bool: ...

    async def ask(self, method: str, params: dict[str, Any]) -> Any: ...


class _Sent:
    """Awaitable that is already done, so `await ctx.progress(...)` and a bare
    `ctx.progress(...)` in a sync tool both work without 'never awaited' noise."""

    def __await__(self) -> Generator[Any, None, None]:
        return iter(())


_SENT = _Sent()


class Context:
    """The call a tool is serving: progress, logging, cancellation, the host, a model.

    `Context()` on its own is a local context for notebooks: progress and log
    lines are printed, `sample` goes to `model` (or `tandem.models.use(...)`'s,
    else $TANDEM_MODEL's, else an echoing fake), and elicitation and roots
    raise because there is no host to ask.
    """

    def __init__(self, *, model: Model | None = None) -> None:
        self._model = model
        self.request_id: str | int | None = None
        self.tool: str | None = None
        self._session: Session | None = None
        self._progress_token: str | int | None = None
        self._meta: dict[str, Any] = {}
        self._cancelled = threading.Event()
        self._asks: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()

    @classmethod
    def for_call(
        cls,
        session: Session,
        request_id: str | int,
        tool: str,
        progress_token: str | int | None,
        meta: dict[str, Any] | None = None,
    ) -> Context:
        ctx = cls()
        ctx._session = session
        ctx.request_id = request_id
        ctx.tool = tool
        ctx._progress_token = progress_token
        ctx._meta = meta or {}
        return ctx

    @property
    def client_capabilities(self) -> dict[str, Any]:
        """What the host that made this call can do (sampling, elicitation, roots, ...).

        A tool that can work without the host's model or the user may check it first:
        asking for something the host did not declare fails.
        """
        for key in ("io.modelcontextprotocol/clientCapabilities", "tandem/clientCapabilities"):
            caps = self._meta.get(key)
            if isinstance(caps, dict):
                return caps
        return dict(self._session.client_capabilities) if self._session is not None else {}

    @property
    def cancelled(self) -> bool:
        """True once the caller cancelled; a sync tool should check it and stop."""
        return self._cancelled.is_set()

    def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> Awaitable[None]:
        """Report progress; a no-op unless the caller asked for it with a progressToken."""
        if self._session is None:
            shown = f"{progress}/{total}" if total is not None else f"{progress}"
            print(f"progress {shown}" + (f": {message}" if message else ""))
            return _SENT
        if self._progress_token is None:
            return _SENT
        params: dict[str, Any] = {"progressToken": self._progress_token, "progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = message
        self._session.notify("notifications/progress", params)
        return _SENT

    def log(self, level: str, message: Any, *, logger: str | None = None) -> Awaitable[None]:
        """Log to the worker's stderr and, at or above the host's level, to the host."""
        if level not in LOG_LEVELS:
            raise ValueError(f"log level {level!r} is not one of {', '.join(LOG_LEVELS)}")
        if self._session is None:
            print(f"[{level}] {message}")
            return _SENT
        _log.log(_STDLIB_LEVEL[level], "%s", message)
        if self._session.wants_log(level):
            params: dict[str, Any] = {"level": level, "data": message}
            if logger is not None:
                params["logger"] = logger
            # The daemon routes a worker's log line to the host session of this call.
            params["_meta"] = {"tandem/callId": self.request_id}
            self._session.notify("notifications/message", params)
        return _SENT

    @property
    def model(self) -> Model:
        """The model a tool should use, written once, run anywhere.

        In a worker: the host's own model (MCP sampling), unless $TANDEM_MODEL
        names a provider (the pool's `env` in tandem.toml can set it). Locally:
        the model given to `Context(model=...)`, else the process default.
        """
        if self._model is not None:
            return self._model
        from . import models

        if self._session is not None:
            self._model = models.from_env() or models.HostModel(self)
        else:
            self._model = models.default_model()
        return self._model

    def sample(
        self,
        messages: str | list[dict[str, Any]],
        *,
        max_tokens: int = 1024,
        system_prompt: str | None = None,
        temperature: float | None = None,
        stop_sequences: list[str] | None = None,
        model_preferences: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Any:
        """Ask the host's own model (MCP sampling); returns the CreateMessageResult.

        Locally the request goes to `self.model` and the answer has the same
        shape, so a tool using `sample` runs unchanged in a notebook.
        """
        if self._session is None:
            return _sample_locally(
                self.model, messages, max_tokens, system_prompt, temperature, stop_sequences
            )
        if isinstance(messages, str):
            messages = [{"role": "user", "content": {"type": "text", "text": messages}}]
        params: dict[str, Any] = {"messages": messages, "maxTokens": max_tokens}
        optional = {
            "systemPrompt": system_prompt,
            "temperature": temperature,
            "stopSequences": stop_sequences,
            "modelPreferences": model_preferences,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        return self._ask("sampling/createMessage", params, key)

    def elicit(
        self, message: str, requested_schema: dict[str, Any], *, key: str | None = None
    ) -> Any:
        """Ask the user for input through the host (form elicitation); returns the ElicitResult."""
        params = {"mode": "form", "message": message, "requestedSchema": requested_schema}
        return self._ask("elicitation/create", params, key)

    def roots(self, *, key: str | None = None) -> Any:
        """The host's roots (`roots/list`); returns the ListRootsResult."""
        return self._ask("roots/list", {}, key)

    def _ask(self, method: str, params: dict[str, Any], key: str | None = None) -> Any:
        session = self._session
        if session is None:
            raise RuntimeError(
                f"{method} needs an MCP host: this Context is local (not inside a "
                "tandem worker), so there is no client to ask"
            )
        # The daemon uses the call id to route the request to the host session
        # whose call caused it.
        meta: dict[str, Any] = {"tandem/callId": self.request_id}
        if key is not None:
            # A 2026-07-28 host sees the question under this name in inputRequests.
            meta["tandem/inputKey"] = key
        params = {**params, "_meta": meta}
        if _on_loop(session.loop):
            return session.ask(method, params)
        future = asyncio.run_coroutine_threadsafe(session.ask(method, params), session.loop)
        with self._lock:
            if self.cancelled:
                future.cancel()
            self._asks.add(future)
        try:
            return future.result()
        finally:
            with self._lock:
                self._asks.discard(future)

    def _cancel(self) -> None:
        """Mark the call cancelled and abandon requests a sync tool is blocked on."""
        with self._lock:
            self._cancelled.set()
            for future in self._asks:
                future.cancel()


class _Answered(dict):  # type: ignore[type-arg]
    """A CreateMessageResult that can also be awaited, so `await ctx.sample(...)`
    in an async tool and `ctx.sample(...)` in a sync one both work locally
    (a notebook cell runs inside an event loop, so the caller cannot be told
    apart by asking for a running loop)."""

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self
        yield  # a generator that finishes at once, with the dict as its value


def _sample_locally(
    model: Model,
    messages: str | list[dict[str, Any]],
    max_tokens: int,
    system_prompt: str | None,
    temperature: float | None,
    stop_sequences: list[str] | None,
) -> _Answered:
    completion = model.complete(
        messages,
        system=system_prompt,
        max_tokens=max_tokens,
        temperature=temperature,
        stop=stop_sequences,
    )
    return _Answered(
        role="assistant",
        content={"type": "text", "text": completion.text},
        model=completion.model,
        stopReason=_STOP_REASONS.get(completion.stop_reason or "", completion.stop_reason),
    )


# Provider stop reasons in MCP sampling's vocabulary.
_STOP_REASONS = {"end_turn": "endTurn", "stop": "endTurn", "length": "maxTokens",
                 "max_tokens": "maxTokens", "stop_sequence": "stopSequence"}


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
