"""The worker's two pipe ends, on the event loop itself.

Frames are read and answered on the loop thread with no hand-off: a call that
needs no thread costs no thread switch. Answers produced in one turn of the
loop leave in one write. When the daemon stops reading, the pipe fills, asyncio
pauses us and we stop reading requests until it drains: backpressure reaches
the daemon instead of memory growing here.

A wire that is not a pipe or a socket (a file, a terminal: someone running the
worker by hand) is served with blocking I/O on a thread instead, since asyncio
cannot poll a regular file and would leave a shared terminal non-blocking.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import threading
from threading import get_ident
from typing import Any, Callable

from . import wire

_log = logging.getLogger("tandem.worker")


READ_BYTES = 65536


def _pollable(fd: int) -> bool:
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


class PipeWire:
    """stdin → `on_frame(frame)` on the loop; `send(message)` from any thread → stdout.

    `on_closed(why)` is called once, on the loop, when either end closes. Both are set
    before `open`; they are attributes, not constructor arguments, so that the session,
    which needs `send`, can be made after the wire and handed its methods directly.
    """

    on_frame: Callable[[bytes], None]
    on_closed: Callable[[str], None]

    def __init__(self, loop: asyncio.AbstractEventLoop, max_in: int, max_out: int) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._splitter = wire.FrameSplitter(max_in)
        self._max_out = max_out
        self._closed = False
        self._pending: list[bytes] = []
        self._flush_scheduled = False
        # While frames read together are handled, answers wait to leave with one write.
        self._batching = False
        self._reader: asyncio.ReadTransport | None = None
        self._writer: asyncio.WriteTransport | None = None
        self._out_fd = -1
        self._writer_lost = loop.create_future()

    async def open(self, in_fd: int, out_fd: int) -> None:
        self._out_fd = out_fd
        if _pollable(out_fd):
            self._writer, _ = await self._loop.connect_write_pipe(
                lambda: _WriteSide(self), os.fdopen(out_fd, "wb", buffering=0, closefd=False)
            )
        if _pollable(in_fd):
            self._reader, _ = await self._loop.connect_read_pipe(
                lambda: _ReadSide(self), os.fdopen(in_fd, "rb", buffering=0, closefd=False)
            )
            # asyncio reads 256 KiB at a time, which malloc serves with mmap and munmap
            # around every read: half of a sequential call's latency. 64 KiB comes from
            # the heap, and a pipe holds no more than that anyway.
            self._reader.max_size = READ_BYTES  # type: ignore[attr-defined]
        else:
            threading.Thread(
                target=self._read_blocking, args=(in_fd,), name="tandem-reader", daemon=True
            ).start()

    # -- out ----------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Queue one frame; safe from any thread. Frames keep the order they were sent in.

        A message the daemon would refuse as too large is not sent: an answer becomes an
        error that says so (the request is still answered, at once), anything else raises
        FrameTooLarge into whoever sent it (a tool's progress, log line or question).
        """
        data = wire.encode(message)
        if len(data) > self._max_out:
            data = wire.encode(_too_large(message, len(data), self._max_out))
        if get_ident() == self._loop_thread:
            self._pending.append(data)  # _queue, inline: most frames are sent here
            if not self._flush_scheduled and not self._batching:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush)
        else:
            try:
                self._loop.call_soon_threadsafe(self._queue, data)
            except RuntimeError:
                pass  # the loop already stopped: we are exiting anyway

    def _queue(self, data: bytes) -> None:
        self._pending.append(data)
        if not self._flush_scheduled and not self._batching:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if self._writer is not None:
            if not self._writer.is_closing():
                self._writer.write(data)
            return
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._out_fd, view) :]
        except OSError as e:
            self._lost(f"stdout closed ({e})")

    async def close(self, timeout: float) -> bool:
        """Write what is queued, then stop; False if that took longer than `timeout`."""
        self._flush()
        if self._writer is None:
            return True
        self._writer.close()
        try:
            await asyncio.wait_for(asyncio.shield(self._writer_lost), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    # -- in -----------------------------------------------------------------

    def _frames(self, data: bytes) -> None:
        self._batching = True
        try:
            on_frame = self.on_frame
            for frame in self._splitter.feed(data):
                on_frame(frame)
        finally:
            self._batching = False
        self._flush()

    def _eof(self) -> None:
        last = self._splitter.finish()
        if last is not None:
            self.on_frame(last)
        self._lost("stdin closed")

    def _read_blocking(self, fd: int) -> None:
        try:
            while data := os.read(fd, READ_BYTES):
                self._loop.call_soon_threadsafe(self._frames, data)
        except OSError as e:
            _log.warning("wire closed while reading (%s)", e)
        except RuntimeError:
            return  # the loop already stopped
        try:
            self._loop.call_soon_threadsafe(self._eof)
        except RuntimeError:
            pass

    def _lost(self, why: str) -> None:
        if not self._closed:
            self._closed = True
            self.on_closed(why)

    # -- backpressure -------------------------------------------------------

    def _pause(self) -> None:
        if self._reader is not None and not self._reader.is_closing():
            self._reader.pause_reading()

    def _resume(self) -> None:
        if self._reader is not None and not self._reader.is_closing():
            self._reader.resume_reading()


class FrameTooLarge(ValueError):
    """A message over the daemon's frame limit, which it would drop."""


def _too_large(message: dict[str, Any], size: int, limit: int) -> dict[str, Any]:
    what = f"{size:,} bytes, over the {limit:,}-byte limit of one message ([server] max_frame_bytes)"
    if "id" in message and "method" not in message:
        _log.warning("the answer to request %r is %s; answering with an error instead",
                     message["id"], what)
        return wire.error(
            message["id"], wire.INTERNAL_ERROR,
            f"the answer is {what}: return less, or raise the limit",
        )
    raise FrameTooLarge(f"{message.get('method', 'a message')} would be {what}")


class _ReadSide(asyncio.Protocol):
    def __init__(self, wire_: PipeWire) -> None:
        self._wire = wire_
        # The transport calls the wire itself, with no frame of ours in between.
        self.data_received = wire_._frames  # type: ignore[method-assign]

    # eof_received is left as asyncio's: the transport closes, and connection_lost ends the wire.

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None:
            _log.warning("wire closed while reading (%s)", exc)
        self._wire._eof()


class _WriteSide(asyncio.BaseProtocol):
    def __init__(self, wire_: PipeWire) -> None:
        self._wire = wire_

    def pause_writing(self) -> None:
        # The daemon is not reading our answers: stop reading its requests until it does.
        self._wire._pause()

    def resume_writing(self) -> None:
        self._wire._resume()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._wire._writer_lost.done():
            self._wire._writer_lost.set_result(None)
        if exc is not None:
            _log.warning("wire closed while writing (%s); shutting down", exc)
        self._wire._lost("stdout closed")
