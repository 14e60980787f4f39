"""The tool threads, and which of them still run calls that are over.

Python cannot stop a thread: a `def` tool whose call was cancelled (its deadline
passed, or the host gave up) keeps its thread until the function returns, which
for a tool stuck on a lock or a network read may be never. The daemon cannot see
that on its own, since the call is over for it, so `tandem/stats` reports such
threads: the daemon counts them as load and replaces a worker whose threads stay
stuck, as gunicorn replaces a worker past its timeout.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any, Callable


class ToolThreads:
    def __init__(self, executor: concurrent.futures.Executor) -> None:
        self.executor = executor
        self._lock = threading.Lock()
        # A running call's future → when its call was cancelled (time.monotonic()).
        self._abandoned: dict[concurrent.futures.Future[Any], float] = {}

    async def run(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on a tool thread and await it; a cancelled call leaves it recorded until it returns."""
        future = self.executor.submit(fn)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # One still queued is cancelled with the call and never runs; one running goes on.
            if not future.cancel() and not future.done():
                with self._lock:
                    self._abandoned[future] = time.monotonic()
                future.add_done_callback(self._returned)
            raise

    def _returned(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._abandoned.pop(future, None)

    def stuck(self) -> tuple[int, int]:
        """How many threads run calls that are over, and since how many ms the oldest has."""
        with self._lock:
            since = list(self._abandoned.values())
        if not since:
            return 0, 0
        return len(since), int((time.monotonic() - min(since)) * 1000)
