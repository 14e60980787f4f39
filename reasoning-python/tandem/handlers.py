"""The MCP methods a worker answers, over the registry of decorated functions: the method table,
the lifecycle methods, and running user code. Tools are in `tool_calls`, prompts, resources and
completion in `content_methods`."""

from __future__ import annotations

import concurrent.futures
import contextvars
import functools
import inspect
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Callable

from .content_methods import PromptsAndResources
from .context import LOG_LEVELS, Context
from .placement import Placement
from .protocol_versions import SUPPORTED
from .registry import Registry
from .session import InFlightCall, Session

if TYPE_CHECKING:
    from . import recorder
from .threads import ToolThreads
from .tool_calls import ToolCalls
from .version import __version__
from .wire import INTERNAL_ERROR, INVALID_PARAMS, RequestId, RpcError

_log = logging.getLogger("tandem.worker")

# Newest first: the answer when a client asks for a version we do not know.
PROTOCOL_VERSIONS = SUPPORTED


class Methods(ToolCalls, PromptsAndResources):
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
        registry.on_list_changed = self._list_changed
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
            # Not the daemon's ServerSurface: one worker's answer to its client (the daemon reads
            # it as a foreign server's, in OfferListing), so it says what this process serves.
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

    def _list_changed(self, kind: str) -> None:
        self.session.notify(f"notifications/{kind}/list_changed", {})

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


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            resident_pages = int(f.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
