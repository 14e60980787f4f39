"""One MCP connection, seen from the worker: frames in, a task per request,
cancellation, and requests the worker itself sends to the client.

Everything here runs on the event loop thread, frames in included; other
threads reach it through the thread-safe `notify` (frames out).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from . import wire
from .context import LOG_LEVELS, Context, current_call
from .principal import Principal
from .wire import RequestId, RpcError

if TYPE_CHECKING:
    from .models import Model

_log = logging.getLogger("tandem.worker")
_tool_log = logging.getLogger("tandem.tool")

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

# The client capability each server→client request needs (MCP lifecycle rules).
_ASK_CAPABILITY = {
    "sampling/createMessage": "sampling",
    "elicitation/create": "elicitation",
    "roots/list": "roots",
}


@dataclass
class InFlightCall:
    id: RequestId
    method: str
    task: asyncio.Task[None] | None = None
    context: Context | None = None
    # Set by notifications/cancelled: the request then gets no response at all.
    cancelled: bool = False


Handler = Callable[[dict[str, Any], InFlightCall], Awaitable[Any]]

# What a quick handler returns when the request needs a task after all.
LATER: Any = object()

# Answers (or raises RpcError) without awaiting anything, given params and the request id;
# or returns LATER. The common call of a tool that needs no thread takes this path.
QuickHandler = Callable[[dict[str, Any], RequestId], Any]


if sys.version_info >= (3, 12):

    def _start_task(loop: asyncio.AbstractEventLoop, coro: Any) -> asyncio.Task[None]:
        # Run the handler at once, as a task from its first line (so asyncio.timeout and
        # current_task work in tools), until it first waits: a call that never waits is
        # answered without a trip round the loop.
        return asyncio.Task(coro, loop=loop, eager_start=True)

else:

    def _start_task(loop: asyncio.AbstractEventLoop, coro: Any) -> asyncio.Task[None]:
        return loop.create_task(coro)


class Session:
    def __init__(self, send: Callable[[dict[str, Any]], None], max_bytes: int) -> None:
        self.loop = asyncio.get_running_loop()
        self.handlers: dict[str, Handler] = {}
        self.quick_handlers: dict[str, QuickHandler] = {}
        self.client_capabilities: dict[str, Any] = {}
        self.log_level = "info"
        self.closed = asyncio.Event()
        self._send = send
        self._max_bytes = max_bytes
        self._in_flight: dict[RequestId, InFlightCall] = {}
        self._asks: dict[str, asyncio.Future[Any]] = {}
        self._ask_ids = itertools.count(1)
        # Called once the client confirms the handshake: idle time before the first request.
        self.on_initialized: Callable[[], None] | None = None

    # -- what a Context uses ------------------------------------------------
    # The daemon's `_meta` routing keys are stamped and read here, nowhere else.

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send(wire.notification(method, params))

    def wants_log(self, level: str) -> bool:
        return LOG_LEVELS.index(level) >= LOG_LEVELS.index(self.log_level)

    def progress(self, meta: dict[str, Any], params: dict[str, Any]) -> None:
        """notifications/progress, if the caller asked for it with a progressToken."""
        token = meta.get("progressToken")
        if token is not None:
            self.notify("notifications/progress", {"progressToken": token, **params})

    def log(self, call_id: RequestId | None, params: dict[str, Any]) -> None:
        """A tool's log line to the worker's stderr and, at or above the host's level, to the
        host."""
        level = params["level"]
        _tool_log.log(_STDLIB_LEVEL[level], "%s", params["data"])
        if self.wants_log(level):
            # The daemon routes a worker's log line to the host session of this call.
            self.notify("notifications/message", {**params, "_meta": {"tandem/callId": call_id}})

    def capabilities_for(self, meta: dict[str, Any]) -> dict[str, Any]:
        """The capabilities of the host whose call this is: the daemon passes them in the call's
        `_meta`; else (a worker run without the daemon) its own client's."""
        for key in ("io.modelcontextprotocol/clientCapabilities", "tandem/clientCapabilities"):
            caps = meta.get(key)
            if isinstance(caps, dict):
                return caps
        return dict(self.client_capabilities)

    def principal_for(self, meta: dict[str, Any]) -> Principal | None:
        """The identity the daemon validated for this call (it alone sets the key)."""
        return Principal.from_meta(meta.get("tandem/principal"))

    def model_for(self, ctx: Context) -> Model:
        from . import models

        return models.from_env() or models.HostModel(ctx)

    async def ask(
        self,
        method: str,
        params: dict[str, Any],
        *,
        call_id: RequestId | None = None,
        key: str | None = None,
    ) -> Any:
        """Send a request to the client and await its answer (RpcError if it fails).

        `call_id` is the tools/call that asks: the daemon routes the request to the host
        session whose call caused it. `key` names the question for a 2026-07-28 host
        (its inputRequests)."""
        capability = _ASK_CAPABILITY.get(method)
        if capability and capability not in self.client_capabilities:
            raise RuntimeError(
                f"{method} is not available: the client did not declare the "
                f"'{capability}' capability in initialize"
            )
        if call_id is not None:
            meta: dict[str, Any] = {"tandem/callId": call_id}
            if key is not None:
                meta["tandem/inputKey"] = key
            params = {**params, "_meta": meta}
        # Ids of our own requests cannot collide with the client's: they are
        # in a separate direction, and the prefix keeps logs unambiguous.
        ask_id = f"w-{next(self._ask_ids)}"
        future = self.loop.create_future()
        self._asks[ask_id] = future
        self._send(wire.request(ask_id, method, params))
        try:
            return await future
        except asyncio.CancelledError:
            if not self.closed.is_set():
                self.notify(
                    "notifications/cancelled",
                    {"requestId": ask_id, "reason": "the tool call that asked was cancelled"},
                )
            raise
        finally:
            self._asks.pop(ask_id, None)

    # -- frames in ----------------------------------------------------------

    def handle_frame(self, frame: bytes) -> None:
        try:
            message = wire.decode(frame, self._max_bytes)
            # Requests first: nearly every frame is one.
            if type(message) is wire.Request:
                self._start(message)
            elif message is None:
                return
            elif isinstance(message, wire.Invalid):
                _log.warning("bad frame (%d): %s", message.code, message.message)
                self._send(wire.error(message.id, message.code, message.message))
            elif isinstance(message, wire.Notification):
                self._on_notification(message)
            elif isinstance(message, wire.Result):
                self._answer(message.id, message.result, None)
            else:
                self._answer(message.id, None, message.error)
        except Exception:
            # A bug here must not stop the worker serving the next frame.
            _log.exception("failed to handle a frame")

    def in_flight(self, method: str) -> int:
        return sum(1 for call in self._in_flight.values() if call.method == method)

    def _start(self, request: wire.Request) -> None:
        if request.id in self._in_flight:
            self._send(
                wire.error(
                    request.id,
                    wire.INVALID_REQUEST,
                    f"request id {request.id!r} is already in flight",
                )
            )
            return
        quick = self.quick_handlers.get(request.method)
        if quick is not None:
            # Answered on the spot if `quick` can (no await, so no task and no thread).
            token = current_call.set(str(request.id))
            try:
                outcome = quick(request.params or {}, request.id)
                if outcome is not LATER:
                    self._send({"jsonrpc": "2.0", "id": request.id, "result": outcome})
                    return
            except Exception as e:
                self._send_failure(request, e)
                return
            finally:
                current_call.reset(token)
        handler = self.handlers.get(request.method)
        if handler is None:
            self._send(
                wire.error(request.id, wire.METHOD_NOT_FOUND, f"Method not found: {request.method}")
            )
            return
        call = InFlightCall(request.id, request.method)
        self._in_flight[request.id] = call
        call.task = _start_task(self.loop, self._run(handler, request, call))

    def _send_failure(self, request: wire.Request, e: Exception) -> None:
        """The error answer to a request whose handler raised: its own if an RpcError."""
        if isinstance(e, RpcError):
            self._send(wire.error(request.id, e.code, e.message, e.data))
            return
        _log.exception("%s %s failed", request.method, request.id)
        self._send(
            wire.error(
                request.id,
                wire.INTERNAL_ERROR,
                f"internal error in {request.method}: {type(e).__name__}: {e}",
            )
        )

    async def _run(self, handler: Handler, request: wire.Request, call: InFlightCall) -> None:
        current_call.set(str(request.id))
        try:
            outcome = await handler(request.params or {}, call)
        except asyncio.CancelledError:
            if call.cancelled:
                return
            raise
        except Exception as e:
            self._send_failure(request, e)
        else:
            self._send(wire.result(request.id, outcome))
        finally:
            self._in_flight.pop(request.id, None)

    def _on_notification(self, note: wire.Notification) -> None:
        params = note.params or {}
        if note.method == "notifications/cancelled":
            self.cancel(params.get("requestId"), params.get("reason"))
        elif note.method == "notifications/initialized":
            _log.debug("client initialized")
            if self.on_initialized is not None:
                self.on_initialized()
        else:
            # JSON-RPC: a notification never gets an answer, even when unknown.
            _log.debug("ignored notification %s", note.method)

    def cancel(self, request_id: Any, reason: Any = None) -> None:
        """Stop a request; it will get no response. Unknown ids are ignored (spec)."""
        call = self._in_flight.get(request_id) if wire_id(request_id) else None
        if call is None or call.task is None:
            return
        _log.info("%s %s cancelled by the client (%s)", call.method, call.id, reason or "no reason")
        call.cancelled = True
        if call.context is not None:
            call.context._cancel()
        call.task.cancel()

    def _answer(self, ask_id: Any, outcome: Any, error: dict[str, Any] | None) -> None:
        future = self._asks.get(ask_id) if wire_id(ask_id) else None
        if future is None or future.done():
            _log.warning("response for unknown request %r ignored", ask_id)
            return
        if error is not None:
            future.set_exception(RpcError(error["code"], error["message"], error.get("data")))
        else:
            future.set_result(outcome)

    # -- shutdown -----------------------------------------------------------

    def shutdown(self, why: str) -> None:
        """Cancel everything in flight and release `closed`; no more responses."""
        if self.closed.is_set():
            return
        _log.info("%s; cancelling %d in-flight requests", why, len(self._in_flight))
        self.closed.set()
        for call in list(self._in_flight.values()):
            call.cancelled = True
            if call.context is not None:
                call.context._cancel()
            if call.task is not None:
                call.task.cancel()
        for future in self._asks.values():
            future.cancel()

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) for cancelled tasks to unwind."""
        tasks = [c.task for c in self._in_flight.values() if c.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)


def wire_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
