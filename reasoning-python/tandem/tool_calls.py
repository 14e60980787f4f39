"""tools/list and tools/call: the quick path that answers on the spot, the task path, and what
both do after a call (the log line, the trace)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from .arguments import InvalidArgument
from .method_params import arguments_param, name_param, named_entry
from .placement import SLOW_SECONDS, Placement
from .results import call_result, error_result, exception_result
from .session import LATER, InFlightCall
from .wire import INVALID_PARAMS, ProtocolError, RequestId, RpcError

if TYPE_CHECKING:
    from . import recorder
    from .context import Context
    from .tools import Tool

_log = logging.getLogger("tandem.worker")

_monotonic = time.monotonic

# Return values that are certainly not awaitable, checked before the slower ABC test.
_PLAIN = (str, dict, list, int, float, type(None))


class ToolCalls:
    """The tools part of `handlers.Methods` (which holds the state and runs user code)."""

    async def list_tools(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        # All at once: the daemon aggregates pools, so no pagination here.
        return {"tools": [t.definition() for t in self.registry.tools.all()]}

    def call_tool_now(self, params: dict[str, Any], request_id: RequestId) -> Any:
        """tools/call of a sync tool placed on the loop, answered on the spot; LATER otherwise.

        The common call of a quick tool takes this path, so it does inline what the task
        path does in helpers: every Python call here is a share of a small call's time.
        """
        name = params.get("name")
        tool = self._tool_named(name) if type(name) is str else None
        placement = self._placements.get(name) if tool is not None else None
        if placement is None or placement.tool is not tool:
            if tool is None:
                name = name_param(params, "tools/call")
                raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
            placement = self._placement(tool)
            if placement is None:
                return LATER
        if not placement.inline:
            return LATER
        arguments = params.get("arguments")
        if type(arguments) is not dict:
            arguments = arguments_param(params, "tools/call")
        signature = tool.signature
        ctx = self._new_context(request_id, name, params) if signature.context_param else None
        record = _start_record(name, tool.fn, arguments, request_id) if self.traces else None
        started = _monotonic()
        try:
            try:
                args, kwargs = signature.bind(arguments, ctx)
            except InvalidArgument as e:
                result, outcome = _invalid(name, e), "invalid arguments"
            else:
                try:
                    value = tool.fn(*args, **kwargs)
                    took = _monotonic() - started
                    if took > SLOW_SECONDS:
                        placement.ran_inline(took)
                    if not isinstance(value, _PLAIN) and inspect.isawaitable(value):
                        placement.never_inline()
                        raise TypeError(
                            f"tool '{name}' is declared blocking=False but returned an "
                            f"awaitable; make it `async def`"
                        )
                    result, outcome = call_result(value, tool.output), "ok"
                except ProtocolError:
                    raise  # a protocol error the tool chose: the JSON-RPC error answers
                except (Exception, SystemExit) as e:
                    result, outcome = _raised(e, request_id, name)
        finally:
            if record is not None:
                _recorder().current_record.set(None)
        self.calls_served += 1
        if record is not None or _log.isEnabledFor(logging.DEBUG):
            self._served(request_id, name, record, result, outcome, started)
        return result

    async def call_tool(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        name, tool, arguments = named_entry(self.registry.tools, params, "tools/call")
        ctx = self._context(call, name, params)
        started = time.monotonic()
        # Per-call lines are DEBUG: at INFO they cost the daemon a relayed log line each way,
        # which the bench measured at more than half of its CPU per call. Failures log higher.
        _log.debug("tools/call %s %s: started", call.id, name)
        # Model clients attach their requests to this record (a context variable).
        record = _start_record(name, tool.fn, arguments, call.id) if self.traces else None
        try:
            result, outcome = await self._call(tool, name, arguments, ctx, call, started)
        except asyncio.CancelledError:
            self._trace(record, None, "cancelled")
            raise
        self.calls_served += 1
        self._served(call.id, name, record, result, outcome, started)
        return result

    def _served(
        self,
        request_id: RequestId,
        name: str,
        record: recorder.CallRecord | None,
        result: dict[str, Any],
        outcome: str,
        started: float,
    ) -> None:
        """A tools/call answered (not cancelled), on either path: logged, traced."""
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("tools/call %s %s: %s in %s", request_id, name, outcome, _since(started))
        self._trace(record, result, outcome)

    def _placement(self, tool: Tool) -> Placement | None:
        """Where this sync tool's calls run; None for an async tool (always a task)."""
        if tool.is_async:
            return None
        placement = self._placements.get(tool.name)
        if placement is None or placement.tool is not tool:
            # A reload replaces the Tool, and its code may block where the old one did not.
            placement = self._placements[tool.name] = Placement(tool)
        return placement

    @staticmethod
    def _bind(
        tool: Tool, name: str, arguments: dict[str, Any], ctx: Context | None
    ) -> tuple[list[Any], dict[str, Any]] | dict[str, Any]:
        """The call's arguments, or the error result that tells the model what was wrong."""
        try:
            return tool.signature.bind(arguments, ctx)
        except InvalidArgument as e:
            return _invalid(name, e)

    async def _call(
        self,
        tool: Tool,
        name: str,
        arguments: dict[str, Any],
        ctx: Context,
        call: InFlightCall,
        started: float,
    ) -> tuple[dict[str, Any], str]:
        bound = self._bind(tool, name, arguments, ctx)
        if isinstance(bound, dict):
            return bound, "invalid arguments"
        try:
            value = await self._invoke(tool.fn, bound[0], bound[1], self._placement(tool))
            return call_result(value, tool.output), "ok"
        except asyncio.CancelledError:
            if call.cancelled or _cancel_requested():
                _log.info("tools/call %s %s: cancelled after %s", call.id, name, _since(started))
                raise
            return exception_result(asyncio.CancelledError()), "raised CancelledError"
        except ProtocolError:
            raise  # a protocol error the tool chose: the JSON-RPC error answers
        except (Exception, SystemExit) as e:
            return _raised(e, call.id, name)

    def _trace(
        self, record: recorder.CallRecord | None, result: dict[str, Any] | None, outcome: str
    ) -> None:
        if record is not None and self.traces is not None:
            self.traces.append_call(record, result, outcome)


def _recorder():
    # Imported with the first traced call: a worker without traces never loads it (nor datetime).
    from . import recorder

    return recorder


def _start_record(name: str, fn: Callable[..., Any], arguments: Any, request_id: RequestId):
    return _recorder().start_call(name, fn, arguments, request_id)


def _invalid(name: str, e: InvalidArgument) -> dict[str, Any]:
    # The 2025-11-25 spec: input validation errors are tool execution
    # errors, so the model sees them and can correct its arguments.
    return error_result(f"Invalid arguments for tool '{name}': {e}")


def _raised(e: BaseException, request_id: RequestId, name: str) -> tuple[dict[str, Any], str]:
    """The isError result of a tool that raised, and its outcome for the log and the trace."""
    _log.warning("tools/call %s %s raised", request_id, name, exc_info=True)
    return exception_result(e), f"raised {type(e).__name__}"


def _cancel_requested() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _since(started: float) -> str:
    return f"{(time.monotonic() - started) * 1000:.1f} ms"
