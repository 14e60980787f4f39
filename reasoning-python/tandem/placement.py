"""Where a plain `def` tool's calls run: on the worker's threads, or on the event loop.

A thread costs every call two thread switches, which for a tool that returns in
microseconds is most of its time; on the loop a tool that blocks stalls every
other call and the daemon's pings. So a sync tool starts on the threads, moves
to the loop once its calls have proved quick, and goes back the first time a
call there is slow (a few returns at most, each needing more proof than the last). `@tool(blocking=True)` keeps a tool on threads and
`blocking=False` puts it on the loop from the start.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tools import Tool

_log = logging.getLogger("tandem.worker")

# Calls under QUICK_SECONDS before a tool moves onto the loop, with at most one in
# SLOW_SHARE slower: a thread's wall time includes waits for the GIL, which a busy
# worker hands over only every few milliseconds, so a quick tool is sometimes late.
QUICK_CALLS = 32
QUICK_SECONDS = 0.001
SLOW_SHARE = 10
# A call on the loop slower than this sends the tool back to the threads. A process
# can be descheduled for that long on a busy machine, so a quick tool may come back,
# but each return asks for twice as many quick calls, and after MAX_RETURNS never.
SLOW_SECONDS = 0.010
MAX_RETURNS = 6


class Placement:
    __slots__ = ("tool", "inline", "_settled", "_quick", "_slow", "_returns")

    def __init__(self, tool: Tool) -> None:
        self.tool = tool
        # A tool that takes a Context may ask the host and wait for the answer, which
        # needs the loop free: it stays on threads unless its author said otherwise.
        self.inline = tool.blocking is False
        self._settled = tool.blocking is not None or tool.signature.context_param is not None
        self._quick = 0
        self._slow = 0
        self._returns = 0

    def ran_on_thread(self, seconds: float) -> None:
        """Called from the tool's thread: one more data point on whether it blocks."""
        if self._settled:
            return
        if seconds < QUICK_SECONDS:
            self._quick += 1
        else:
            self._slow += 1
        needed = QUICK_CALLS << self._returns
        if not self.inline and self._quick >= needed and self._slow * SLOW_SHARE <= self._quick:
            self.inline = True
            _log.debug("tool %s answers in under %.1f ms: running it on the event loop",
                       self.tool.name, QUICK_SECONDS * 1000)

    def ran_inline(self, seconds: float) -> None:
        if self._settled or seconds <= SLOW_SECONDS:
            return
        self.inline = False
        self._quick = self._slow = 0
        self._returns += 1
        self._settled = self._returns >= MAX_RETURNS
        _log.warning(
            "tool %s held the event loop for %.0f ms; it runs on a thread again "
            "(declare @tool(blocking=True) to keep it there from the start)",
            self.tool.name, seconds * 1000,
        )

    def never_inline(self) -> None:
        """The function returned an awaitable: it is async in all but name."""
        self.inline = False
        self._settled = True
