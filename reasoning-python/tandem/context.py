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
import threading
from typing import TYPE_CHECKING, Any, Awaitable, Generator, Protocol

if TYPE_CHECKING:
    from .models import Model
    from .principal import Principal

LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")

# The request id of the call running in this task or thread, for log lines.
current_call: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tandem_current_call", default=None
)

class Session(Protocol):
    """What a Context talks to: a worker's session (`session.Session`), or the console and a
    local model (`local.LocalSession`) for a Context made by hand. Each stamps and reads
    what its own side needs (the daemon's `_meta` routing keys, a progress token)."""

    # The loop a request to the host is awaited on; None where answers come at once.
    loop: asyncio.AbstractEventLoop | None

    def progress(self, meta: dict[str, Any], params: dict[str, Any]) -> None: ...

    def log(self, call_id: str | int | None, params: dict[str, Any]) -> None: ...

    def capabilities_for(self, meta: dict[str, Any]) -> dict[str, Any]: ...

    def principal_for(self, meta: dict[str, Any]) -> Principal | None: ...

    def ask(
        self, method: str, params: dict[str, Any], *, call_id: str | int | None, key: str | None
    ) -> Any: ...

    def model_for(self, ctx: Context) -> Model: ...


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
        from .local import LocalSession

        self._setup(LocalSession(lambda: self.model), None, None, {})
        self._model = model

    def _setup(
        self, session: Session, request_id: str | int | None, tool: str | None,
        meta: dict[str, Any],
    ) -> None:
        self._session = session
        self.request_id = request_id
        self.tool = tool
        self._meta = meta
        self._model: Model | None = None
        self._cancelled = threading.Event()
        self._asks: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()

    @classmethod
    def for_call(
        cls, session: Session, request_id: str | int, tool: str, meta: dict[str, Any] | None = None
    ) -> Context:
        ctx = cls.__new__(cls)
        ctx._setup(session, request_id, tool, meta or {})
        return ctx

    @property
    def client_capabilities(self) -> dict[str, Any]:
        """What the host that made this call can do (sampling, elicitation, roots, ...).

        A tool that can work without the host's model or the user may check it first:
        asking for something the host did not declare fails.
        """
        return self._session.capabilities_for(self._meta)

    @property
    def principal(self) -> Principal | None:
        """Who this call is for: the subject, scopes and client id of the OAuth access
        token the daemon validated (`[http.auth]`), or None without one (stdio, a local
        Context, HTTP with a static token). Never the token itself."""
        return self._session.principal_for(self._meta)

    @property
    def cancelled(self) -> bool:
        """True once the caller cancelled; a sync tool should check it and stop."""
        return self._cancelled.is_set()

    def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> Awaitable[None]:
        """Report progress; a no-op unless the caller asked for it with a progressToken."""
        params: dict[str, Any] = {"progress": progress}
        if total is not None:
            params["total"] = total
        if message is not None:
            params["message"] = message
        self._session.progress(self._meta, params)
        return _SENT

    def log(self, level: str, message: Any, *, logger: str | None = None) -> Awaitable[None]:
        """Log to the worker's stderr and, at or above the host's level, to the host."""
        if level not in LOG_LEVELS:
            raise ValueError(f"log level {level!r} is not one of {', '.join(LOG_LEVELS)}")
        params: dict[str, Any] = {"level": level, "data": message}
        if logger is not None:
            params["logger"] = logger
        self._session.log(self.request_id, params)
        return _SENT

    @property
    def model(self) -> Model:
        """The model a tool should use, written once, run anywhere.

        In a worker: the host's own model (MCP sampling), unless $TANDEM_MODEL
        names a provider (the pool's `env` in tandem.toml can set it). Locally:
        the model given to `Context(model=...)`, else the process default.
        """
        if self._model is None:
            self._model = self._session.model_for(self)
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
        asked = session.ask(method, params, call_id=self.request_id, key=key)
        # An answer already (a local session), or an awaitable the caller awaits on the loop.
        if not asyncio.iscoroutine(asked) or _on_loop(session.loop):
            return asked
        # A sync tool on its thread blocks here; the loop stays free.
        assert session.loop is not None
        future = asyncio.run_coroutine_threadsafe(asked, session.loop)
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


def _on_loop(loop: asyncio.AbstractEventLoop | None) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
