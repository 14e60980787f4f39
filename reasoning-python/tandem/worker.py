"""`python -m tandem.worker [--path DIR]... MODULE...`: serve the decorated
functions of MODULEs as an MCP server on stdin/stdout.

Exit status: 0 after stdin closes (or stdout breaks), 2 for bad command-line
arguments or a Python older than 3.11 (one line on stderr says which), 3 when
a module cannot be imported (the traceback is on stderr and nothing is written
to the wire).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import importlib
import logging
import os
import signal
import sys
import traceback
from types import SimpleNamespace
from typing import TYPE_CHECKING

from . import trace_switch

if TYPE_CHECKING:
    import argparse

EXIT_IMPORT_FAILED = 3

RECURSION_LIMIT = 3000

# Enough for many blocking tools at once (model calls wait on I/O) without
# letting one worker spawn threads without bound.
DEFAULT_THREADS = 32

# How long shutdown waits for cancelled calls to unwind and queued frames to
# be written before the process exits regardless.
SHUTDOWN_GRACE_SECONDS = 2.0

_log = logging.getLogger("tandem.worker")


def main(argv: list[str] | None = None) -> int:
    wire_in, wire_out = _isolate_stdio()
    # The daemon's JSON parser accepts 1,000 levels of nesting; Python's json stops near
    # the recursion limit (1,000 frames by default, ~989 levels): allow more, so a message
    # the daemon accepted is never one the worker cannot read.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    _die_with_parent()
    _configure_logging()
    args = _parse_args(argv)

    from .registry import REGISTRY
    from .wire import MAX_FRAME_BYTES

    for directory in reversed(args.path):
        sys.path.insert(0, os.path.abspath(directory))
    for module in args.modules:
        before = len(REGISTRY.tools) + len(REGISTRY.prompts) + len(REGISTRY.resources)
        try:
            importlib.import_module(module)
        except (Exception, SystemExit):
            sys.stderr.write(f"tandem: failed to import module '{module}'\n")
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            return EXIT_IMPORT_FAILED
        after = len(REGISTRY.tools) + len(REGISTRY.prompts) + len(REGISTRY.resources)
        if after == before:
            _log.warning("module '%s' defines no @tool, @prompt or @resource", module)
    _log.info(
        "serving %d tools, %d prompts, %d resources from %s",
        len(REGISTRY.tools), len(REGISTRY.prompts), len(REGISTRY.resources),
        ", ".join(args.modules),
    )
    max_bytes = args.max_frame_bytes or MAX_FRAME_BYTES
    return asyncio.run(_serve(args.modules, wire_in, wire_out, max_bytes, args.threads))


async def _serve(
    modules: list[str], wire_in: int, wire_out: int, max_bytes: int, threads: int
) -> int:
    from .handlers import Methods
    from .registry import REGISTRY
    from .session import Session
    from .stdio import PipeWire

    loop = asyncio.get_running_loop()
    # The daemon refuses anything bigger than max_bytes from us, and checked what it forwards
    # against the same limit before adding its own fields: accept more than that, never drop
    # silently what the daemon let through.
    max_in = max_bytes + max_bytes // 4 + 65536
    wire = PipeWire(loop, max_in, max_bytes)
    session = Session(wire.send, max_in)
    wire.on_frame, wire.on_closed = session.handle_frame, session.shutdown
    executor = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="tandem-tool")
    # Start the first tool thread while the worker is idle, not on its first sync call: a spare
    # that takes a dead worker's place answers that call as fast as a worker that served before.
    session.on_initialized = lambda: executor.submit(int)
    traces = None
    if trace_switch.requested():
        from .recorder import TraceWriter

        traces = TraceWriter.from_env()
    _log.info("traces: %s", traces.directory if traces else "off (TANDEM_TRACE_DIR)")
    Methods(session, REGISTRY, modules, executor, traces)
    await wire.open(wire_in, wire_out)
    await session.closed.wait()
    await session.drain(SHUTDOWN_GRACE_SECONDS)
    await wire.close(SHUTDOWN_GRACE_SECONDS)
    if traces is not None:
        traces.close(SHUTDOWN_GRACE_SECONDS)
    # Sync tools still running cannot be interrupted; do not wait for them.
    executor.shutdown(wait=False, cancel_futures=True)
    return 0


def _isolate_stdio() -> tuple[int, int]:
    """Move the wire to private fds before any user code runs.

    fd 1 then points at stderr, so print() and C code writing to stdout become
    log lines instead of corrupt frames; fd 0 reads /dev/null, so a subprocess
    a tool starts cannot swallow requests. The private fds are not inherited.
    """
    wire_out = os.dup(1)
    wire_in = os.dup(0)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull)
    return wire_in, wire_out


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL us when the daemon dies, so no worker outlives it."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError) as e:
        logging.getLogger("tandem.worker").warning("cannot set PDEATHSIG: %s", e)
    # The parent may have died before prctl took effect; nobody would kill us then.
    if os.getppid() != parent:
        os._exit(0)


class _OneLineFormatter(logging.Formatter):
    """One record per line, so the daemon can keep the last lines of stderr."""

    def format(self, record: logging.LogRecord) -> str:
        from .context import current_call

        call = current_call.get()
        record.call = f" [call {call}]" if call is not None else ""
        return super().format(record).replace("\n", " | ")


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    prefix = f"tandem-worker[{os.getpid()}]"
    handler.setFormatter(
        _OneLineFormatter(f"{prefix} %(levelname)s %(name)s%(call)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("TANDEM_LOG_LEVEL", "INFO").upper())


def _parse_args(argv: list[str] | None) -> argparse.Namespace | SimpleNamespace:
    # The daemon's command line is parsed by hand: argparse and gettext are ~3 ms of every
    # worker start. Anything else (--help, a typo, a bad number) goes to argparse, so its
    # messages stay the only ones a person sees.
    plain = _parse_plain(sys.argv[1:] if argv is None else argv)
    return plain if plain is not None else _parse_with_argparse(argv)


def _parse_with_argparse(argv: list[str] | None) -> argparse.Namespace:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tandem.worker",
        description="Serve the @tool, @prompt and @resource functions of MODULEs over MCP stdio.",
    )
    parser.add_argument("modules", nargs="+", metavar="MODULE", help="module to import and serve")
    parser.add_argument(
        "--path", action="append", default=[], metavar="DIR",
        help="directory to put on sys.path first (repeatable)",
    )
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS,
        help=f"threads for sync tools (default {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--max-frame-bytes", type=int, default=None,
        help="largest message the daemon reads from us; what we accept is a quarter larger "
        "(default 4 MiB)",
    )
    return parser.parse_args(argv)


_VALUED = {"--path": "path", "--threads": "threads", "--max-frame-bytes": "max_frame_bytes"}


def _parse_plain(argv: list[str]) -> SimpleNamespace | None:
    """What argparse would make of a well-formed command line, or None for anything else."""
    args = SimpleNamespace(modules=[], path=[], threads=DEFAULT_THREADS, max_frame_bytes=None)
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            args.modules.append(arg)
            i += 1
            continue
        name = _VALUED.get(arg)
        if name is None or i + 1 >= len(argv) or argv[i + 1].startswith("-"):
            return None
        value = argv[i + 1]
        if name == "path":
            args.path.append(value)
        elif value.isascii() and value.isdigit():
            setattr(args, name, int(value))
        else:
            return None
        i += 2
    return args if args.modules else None


def run() -> None:
    try:
        code = main()
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reaches the whole process group; exit quietly.
        code = 130
    sys.stderr.flush()
    # os._exit: worker threads still running sync tools must not delay exit.
    os._exit(code)


if __name__ == "__main__":
    run()
