"""The MCP methods a worker answers, over the registry of decorated functions."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import inspect
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Callable

from . import recorder
from .arguments import InvalidArgument
from .context import LOG_LEVELS, Context
from .placement import SLOW_SECONDS, Placement
from .protocol_versions import SUPPORTED
from .registry import Registry
from .results import call_result, error_result, exception_result
from .session import LATER, InFlightCall, Session
from .threads import ToolThreads
from .version import __version__
from .wire import INTERNAL_ERROR, INVALID_PARAMS, RESOURCE_NOT_FOUND, RequestId, RpcError

if TYPE_CHECKING:
    from .tools import Tool

_log = logging.getLogger("tandem.worker")

_monotonic = time.monotonic

# Return values that are certainly not awaitable, checked before the slower ABC test.
_PLAIN = (str, dict, list, int, float, type(None))

# Newest first: the answer when a client asks for a version we do not know.
PROTOCOL_VERSIONS = SUPPORTED


class Methods:
    """Binds the registry's tools, prompts and resources to a session's method table."""

    def __init__(
        self,
        session: Session,
        registry: Registry,
        modules: list[str],
        executor: concurrent.futures.Executor,
        traces: recorder.TraceWriter | None = None,
    ) -> None:
        self.session = session
        self.traces = traces
        self.registry = registry
        self.modules = modules
        self.executor = executor
        self.threads = ToolThreads(executor)
        self.calls_served = 0
        self.subscriptions: set[str] = set()
        self._placements: dict[str, Placement] = {}
        self._tool_named = registry.tools.get
        registry.on_resource_updated = self._resource_updated
        registry.on_list_changed = lambda kind: session.notify(f"notifications/{kind}/list_changed", {})
        session.quick_handlers.update(
            {"tools/call": self.call_tool_now, "ping": lambda params, request_id: {}}
        )
        session.handlers.update(
            {
                "initialize": self.initialize,
                "ping": self.ping,
                "logging/setLevel": self.set_level,
                "tools/list": self.list_tools,
                "tools/call": self.call_tool,
                "prompts/list": self.list_prompts,
                "prompts/get": self.get_prompt,
                "resources/list": self.list_resources,
                "resources/templates/list": self.list_resource_templates,
                "resources/read": self.read_resource,
                "resources/subscribe": self.subscribe,
                "resources/unsubscribe": self.unsubscribe,
                "completion/complete": self.complete,
                "tandem/stats": self.stats,
            }
        )

    async def initialize(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        version = requested if requested in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]
        capabilities = params.get("capabilities")
        self.session.client_capabilities = capabilities if isinstance(capabilities, dict) else {}
        client = params.get("clientInfo") if isinstance(params.get("clientInfo"), dict) else {}
        _log.info(
            "initialize from %s %s: protocol %s (asked %s)",
            client.get("name", "?"), client.get("version", "?"), version, requested,
        )
        return {
            "protocolVersion": version,
            "capabilities": {
                "tools": {"listChanged": True},
                "prompts": {"listChanged": True},
                "resources": {"subscribe": True, "listChanged": True},
                "completions": {},
                "logging": {},
                "experimental": {
                    # Tells the daemon this worker speaks the tandem/ extension.
                    "tandem": {"stats": {}, "python": _interpreter()},
                },
            },
            "serverInfo": {
                "name": "tandem-worker",
                "version": __version__,
                "description": f"tandem Python worker serving {', '.join(self.modules)}",
            },
        }

    async def ping(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        return {}

    async def set_level(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        level = params.get("level")
        if level not in LOG_LEVELS:
            raise RpcError(
                INVALID_PARAMS, f"Invalid log level {level!r}; one of {', '.join(LOG_LEVELS)}"
            )
        self.session.log_level = level
        return {}

    async def stats(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        stuck, stuck_ms = self.threads.stuck()
        return {
            "stuckThreads": stuck,
            "stuckForMs": stuck_ms,
            "inFlight": self.session.in_flight("tools/call"),
            "callsServed": self.calls_served,
            "rssBytes": _rss_bytes(),
            "pid": os.getpid(),
            "tracesDropped": self.traces.dropped if self.traces is not None else 0,
        }

    # -- tools --------------------------------------------------------------

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
                name = _name(params, "tools/call")
                raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
            placement = self._placement(tool)
            if placement is None:
                return LATER
        if not placement.inline:
            return LATER
        arguments = params.get("arguments")
        if type(arguments) is not dict:
            arguments = _arguments(params, "tools/call")
        signature = tool.signature
        ctx = self._new_context(request_id, name, params) if signature.context_param else None
        record = recorder.start_call(name, tool.fn, arguments, request_id) if self.traces else None
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
                except (Exception, SystemExit) as e:
                    result, outcome = _raised(e, request_id, name)
        finally:
            if record is not None:
                recorder.current_record.set(None)
        self.calls_served += 1
        if record is not None or _log.isEnabledFor(logging.DEBUG):
            self._served(request_id, name, record, result, outcome, started)
        return result

    async def call_tool(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        name = _name(params, "tools/call")
        tool = self.registry.tools.get(name)
        if tool is None:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        arguments = _arguments(params, "tools/call")
        ctx = self._context(call, name, params)
        started = time.monotonic()
        # Per-call lines are DEBUG: at INFO they cost the daemon a relayed log line each way,
        # which the bench measured at more than half of its CPU per call. Failures log higher.
        _log.debug("tools/call %s %s: started", call.id, name)
        # Model clients attach their requests to this record (a context variable).
        record = recorder.start_call(name, tool.fn, arguments, call.id) if self.traces else None
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
        except (Exception, SystemExit) as e:
            return _raised(e, call.id, name)

    def _trace(
        self, record: recorder.CallRecord | None, result: dict[str, Any] | None, outcome: str
    ) -> None:
        if record is not None and self.traces is not None:
            self.traces.append_call(record, result, outcome)

    # -- prompts ------------------------------------------------------------

    async def list_prompts(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        return {"prompts": [p.definition() for p in self.registry.prompts.all()]}

    async def get_prompt(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        name = _name(params, "prompts/get")
        prompt = self.registry.prompts.get(name)
        if prompt is None:
            raise RpcError(INVALID_PARAMS, f"Unknown prompt: {name}")
        arguments = _arguments(params, "prompts/get")
        try:
            args, kwargs = prompt.signature.bind(arguments, self._context(call, name, params))
        except InvalidArgument as e:
            raise RpcError(INVALID_PARAMS, f"Invalid arguments for prompt '{name}': {e}") from e
        value = await self._invoke_or_internal(prompt.fn, args, kwargs, f"prompt '{name}'")
        # Here, not at the top: a worker that serves no prompts never loads them.
        from .prompts import prompt_messages

        try:
            messages = prompt_messages(value)
        except TypeError as e:
            raise RpcError(INTERNAL_ERROR, f"prompt '{name}' returned {e}") from e
        result: dict[str, Any] = {"messages": messages}
        if prompt.description:
            result["description"] = prompt.description
        return result

    # -- resources ----------------------------------------------------------

    async def list_resources(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        entries = self.registry.resources.all()
        return {"resources": [r.definition() for r in entries if not r.is_template]}

    async def list_resource_templates(
        self, params: dict[str, Any], call: InFlightCall
    ) -> dict[str, Any]:
        entries = self.registry.resources.all()
        return {"resourceTemplates": [r.definition() for r in entries if r.is_template]}

    async def read_resource(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        uri = params.get("uri")
        if not isinstance(uri, str):
            raise RpcError(INVALID_PARAMS, 'resources/read needs "uri" (a string)')
        # Exact URIs win over templates that happen to match them too.
        entries = sorted(self.registry.resources.all(), key=lambda r: r.is_template)
        for entry in entries:
            variables = entry.match(uri)
            if variables is None:
                continue
            try:
                args, kwargs = entry.signature.bind(variables, self._context(call, uri, params))
            except InvalidArgument as e:
                raise RpcError(INVALID_PARAMS, f"Invalid resource URI {uri}: {e}") from e
            value = await self._invoke_or_internal(entry.fn, args, kwargs, f"resource {uri}")
            return {"contents": entry.contents(uri, value)}
        raise RpcError(RESOURCE_NOT_FOUND, f"Resource not found: {uri}", {"uri": uri})

    async def subscribe(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        self.subscriptions.add(_uri(params, "resources/subscribe"))
        return {}

    async def unsubscribe(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        self.subscriptions.discard(_uri(params, "resources/unsubscribe"))
        return {}

    def _resource_updated(self, uri: str) -> None:
        # Only what someone subscribed to: the daemon forwards to the sessions that did.
        if uri in self.subscriptions:
            self.session.notify("notifications/resources/updated", {"uri": uri})

    # -- completion ---------------------------------------------------------

    async def complete(self, params: dict[str, Any], call: InFlightCall) -> dict[str, Any]:
        """Values for a prompt or resource-template argument whose type has a fixed set of
        choices (Literal, Enum, bool), filtered by what the user typed so far."""
        ref = params.get("ref")
        argument = params.get("argument")
        if not isinstance(ref, dict) or not isinstance(argument, dict):
            raise RpcError(INVALID_PARAMS, 'completion/complete needs "ref" and "argument" objects')
        if ref.get("type") == "ref/prompt":
            entry = self.registry.prompts.get(str(ref.get("name")))
        elif ref.get("type") == "ref/resource":
            entry = self.registry.resources.get(str(ref.get("uri")))
        else:
            raise RpcError(INVALID_PARAMS, f"completion/complete: unknown ref type {ref.get('type')!r}")
        if entry is None:
            raise RpcError(INVALID_PARAMS, f"completion/complete: nothing is served at {ref}")
        # Here, not at the top: only prompts and resource templates complete.
        from .completion import choices

        typed = str(argument.get("value", ""))
        param = next((p for p in entry.signature.params if p.name == argument.get("name")), None)
        values = [v for v in choices(param.hint) if v.startswith(typed)] if param else []
        return {"completion": {"values": values[:100], "total": len(values), "hasMore": len(values) > 100}}

    # -- running user code --------------------------------------------------

    def _context(self, call: InFlightCall, name: str, params: dict[str, Any]) -> Context:
        call.context = self._new_context(call.id, name, params)
        return call.context

    def _new_context(self, request_id: RequestId, name: str, params: dict[str, Any]) -> Context:
        meta = params.get("_meta")
        return Context.for_call(self.session, request_id, name, meta if type(meta) is dict else None)

    async def _invoke(
        self,
        fn: Callable[..., Any],
        args: list[Any],
        kwargs: dict[str, Any],
        placement: Placement | None = None,
    ) -> Any:
        """Async functions run on the loop; sync ones on the thread pool, keeping
        the call's context variables so their log lines carry the call id."""
        if inspect.iscoroutinefunction(fn):
            value = await fn(*args, **kwargs)
        else:
            run = functools.partial(contextvars.copy_context().run, _timed, fn, args, kwargs, placement)
            value = await self.threads.run(run)
        if inspect.isawaitable(value):
            if placement is not None:
                placement.never_inline()
            value = await value
        return value

    async def _invoke_or_internal(
        self, fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any], what: str
    ) -> Any:
        try:
            return await self._invoke(fn, args, kwargs)
        except (Exception, SystemExit) as e:
            _log.warning("%s raised", what, exc_info=True)
            raise RpcError(INTERNAL_ERROR, f"{what} failed: {type(e).__name__}: {e}") from e


def _invalid(name: str, e: InvalidArgument) -> dict[str, Any]:
    # The 2025-11-25 spec: input validation errors are tool execution
    # errors, so the model sees them and can correct its arguments.
    return error_result(f"Invalid arguments for tool '{name}': {e}")


def _raised(e: BaseException, request_id: RequestId, name: str) -> tuple[dict[str, Any], str]:
    """The isError result of a tool that raised, and its outcome for the log and the trace."""
    _log.warning("tools/call %s %s raised", request_id, name, exc_info=True)
    return exception_result(e), f"raised {type(e).__name__}"


def _timed(
    fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any], placement: Placement | None
) -> Any:
    """Run `fn` (on a tool thread), telling its placement how long it took."""
    if placement is None:
        return fn(*args, **kwargs)
    started = time.monotonic()
    try:
        return fn(*args, **kwargs)
    finally:
        placement.ran_on_thread(time.monotonic() - started)


def _interpreter() -> dict[str, Any]:
    """The interpreter really running this worker, which a `python3` on PATH or a
    pyenv shim resolved to, so the daemon learns it without spawning Python to ask."""
    return {
        # Empty when Python cannot tell (embedded); null then, not a path to run.
        "executable": sys.executable or None,
        "version": list(sys.version_info[:3]),
    }


def _uri(params: dict[str, Any], method: str) -> str:
    uri = params.get("uri")
    if not isinstance(uri, str):
        raise RpcError(INVALID_PARAMS, f'{method} needs "uri" (a string)')
    return uri


def _name(params: dict[str, Any], method: str) -> str:
    name = params.get("name")
    if not isinstance(name, str):
        raise RpcError(INVALID_PARAMS, f'{method} needs "name" (a string)')
    return name


def _arguments(params: dict[str, Any], method: str) -> dict[str, Any]:
    arguments = params.get("arguments")
    if arguments is None:
        return {}
    if not isinstance(arguments, dict):
        raise RpcError(INVALID_PARAMS, f'{method}: "arguments" must be an object')
    return arguments


def _cancel_requested() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _since(started: float) -> str:
    return f"{(time.monotonic() - started) * 1000:.1f} ms"


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            resident_pages = int(f.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
