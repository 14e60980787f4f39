"""The worker's two pipe ends, each on its own thread so the event loop never
blocks on the daemon reading or writing slowly."""

from __future__ import annotations

import logging
import os
import queue
import threading
from typing import Any, Callable

from . import wire

_log = logging.getLogger("tandem.worker")

_STOP = object()


class FrameWriter:
    """Writes frames in the order they were sent, from any thread."""

    def __init__(self, fd: int, on_broken: Callable[[], None]) -> None:
        self._fd = fd
        self._on_broken = on_broken
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tandem-writer", daemon=True)
        self._thread.start()

    def send(self, message: dict[str, Any]) -> None:
        self._queue.put(wire.encode(message))

    def close(self, timeout: float) -> bool:
        """Write what is queued, then stop; False if that took longer than `timeout`."""
        self._queue.put(_STOP)
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            while (frame := self._queue.get()) is not _STOP:
                view = memoryview(frame)
                while view:
                    view = view[os.write(self._fd, view) :]
        except OSError as e:
            # EPIPE: the daemon closed our stdout, so nobody is listening any more.
            _log.warning("wire closed while writing (%s); shutting down", e)
            self._on_broken()
        finally:
            self._done.set()


def start_reader(
    fd: int,
    max_bytes: int,
    on_frame: Callable[[bytes], None],
    on_eof: Callable[[], None],
) -> threading.Thread:
    """Read frames on a thread and hand each to `on_frame`; `on_eof` when stdin closes."""

    def run() -> None:
        try:
            for frame in wire.read_frames(fd, max_bytes):
                on_frame(frame)
        except OSError as e:
            _log.warning("wire closed while reading (%s)", e)
        finally:
            on_eof()

    thread = threading.Thread(target=run, name="tandem-reader", daemon=True)
    thread.start()
    return thread
