"""The rotating JSONL trace files, written by one background thread per worker (`TraceWriter`),
and where they live. `recorder` builds the records; `traces` reads the files back."""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from .redaction import redact_with, secret_values
from .trace_switch import requested

_log = logging.getLogger("tandem.traces")

FILE_NAME = "calls.jsonl"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 5

# Made once: json.dumps with options builds a new encoder for every record.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


class EndedCall(Protocol):
    """A `recorder.CallRecord`, as the writer needs it: its JSON, built on the writer thread."""
    def to_json(
        self, result: dict[str, Any] | None, outcome: str, ended: float | None = None
    ) -> dict[str, Any]: ...



def _make_private(directory: Path) -> None:
    """Creates `directory` and every missing parent 0700 (mkdir's `parents` would make
    the parents 0755): traces hold users' tool calls, and even the names of the
    directories holding them are nobody else's to list."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:
            pass


def default_directory() -> Path:
    """Where the daemon puts traces unless told otherwise, and where readers look
    when TANDEM_TRACE_DIR names no directory: the XDG cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tandem" / "traces"


def directory_from_env() -> Path | None:
    """The directory TANDEM_TRACE_DIR names, or None: unset, or `off`, means no
    traces. Recording is opt-in (traces hold every tool's inputs and outputs):
    the daemon sets the variable for each worker, to a directory only in the dev
    loop (`serve --watch`) or where `[trace] enabled = true` asks for it."""
    if not requested():
        return None
    return Path(os.environ["TANDEM_TRACE_DIR"]).expanduser()


# Records waiting for the writer thread; past this, append drops and counts.
DEFAULT_QUEUE_SIZE = 1000
# The writer waits this long after a batch, so records that arrive meanwhile are
# written together and a busy worker does not wake it once per call.
BATCH_LINGER_SECONDS = 0.005
# How often, at most, the writer logs how many records it had to drop.
SUMMARY_INTERVAL_SECONDS = 60.0

_STOP = object()


class TraceWriter:
    """Appends records to DIR/calls.jsonl from one background thread, rotating by
    size through calls.1.jsonl … calls.{max_files-1}.jsonl (oldest dropped).

    `append` only puts the record on a bounded queue, so a call never waits for
    the disk: redaction, JSON and the write happen on the writer thread, which
    drains the queue and writes each batch with one write() to the O_APPEND file
    it keeps open. When the queue is full, or the directory cannot be written
    (read-only, full, not a directory), records are dropped and counted in
    `dropped`; the first drop of each kind is logged, and the count again at
    most every minute and at close.

    Several workers (replicas of a pool, other pools) share one directory, so
    each batch is written under an exclusive flock on DIR/.lock, after checking
    whether the live file is still the one this writer has open (another writer
    may have rotated it) and rotating it if the batch would overflow it.
    """

    def __init__(
        self,
        directory: Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_files: int = DEFAULT_MAX_FILES,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        if max_files < 1:
            raise ValueError("max_files must be at least 1")
        self.directory = directory
        self.max_bytes = max_bytes
        self.max_files = max_files
        self._queue: queue.Queue[Any] = queue.Queue(queue_size)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._closed = False
        # Counted by callers (full queue) and by the writer thread (failed writes) apart,
        # so neither increments a counter the other writes.
        self._dropped_full = 0
        self._dropped_unwritten = 0
        self._summarised = 0
        self._failed = False
        self._data_fd: int | None = None
        self._lock_fd: int | None = None

    @classmethod
    def from_env(cls) -> TraceWriter | None:
        directory = directory_from_env()
        if directory is None:
            return None
        return cls(
            directory,
            _int_env("TANDEM_TRACE_MAX_BYTES", DEFAULT_MAX_BYTES),
            _int_env("TANDEM_TRACE_FILES", DEFAULT_MAX_FILES),
        )

    @property
    def dropped(self) -> int:
        """Records never written: the queue was full, or the directory unwritable."""
        return self._dropped_full + self._dropped_unwritten

    def append_call(
        self, record: EndedCall, result: dict[str, Any] | None, outcome: str
    ) -> None:
        """`append` for a call that just ended: its JSON is built on the writer thread, which
        runs while the event loop waits for the next request, instead of on the call's path."""
        self.append((record, result, outcome, time.monotonic()))  # type: ignore[arg-type]

    def append(self, record: dict[str, Any]) -> None:
        """Queue one record for the writer thread; never blocks and never raises
        into the call. A full queue drops the record and counts it."""
        if self._closed:  # a call that ended during shutdown
            with self._count_lock:
                self._dropped_full += 1
            return
        if self._thread is None:
            self._start()
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            with self._count_lock:
                self._dropped_full += 1
                first = self._dropped_full == 1
            if first:
                _log.warning(
                    "trace queue full (%d records waiting for %s): dropping records "
                    "until the writer catches up; tandem/stats counts them as tracesDropped",
                    self._queue.maxsize, self.directory,
                )

    def flush(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds until every record appended so far is
        written (or dropped); False if that took longer."""
        if self._thread is None or not self._thread.is_alive():
            return self._queue.empty()
        deadline = time.monotonic() + timeout
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(max(0.0, deadline - time.monotonic()))

    def close(self, timeout: float = 2.0) -> bool:
        """Write what is queued, within `timeout` seconds, and stop the writer
        thread; later appends are dropped. False if the queue was not drained in
        time (the thread is a daemon thread: it does not hold the process)."""
        deadline = time.monotonic() + timeout
        self._closed = True
        thread = self._thread
        drained = True
        if thread is not None and thread.is_alive():
            try:
                self._queue.put(_STOP, timeout=timeout)
            except queue.Full:
                drained = False
            thread.join(max(0.0, deadline - time.monotonic()))
            drained = drained and not thread.is_alive()
        atexit.unregister(self._close_at_exit)
        self._summarise(final=True)
        return drained

    # -- the writer thread --------------------------------------------------

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is not None:
                return
            thread = threading.Thread(target=self._run, name="tandem-traces", daemon=True)
            thread.start()
            atexit.register(self._close_at_exit)
            self._thread = thread

    def _close_at_exit(self) -> None:
        self.close(1.0)

    def _run(self) -> None:
        last_summary = time.monotonic()
        stopping = False
        while not stopping:
            try:
                batch = [self._queue.get(timeout=SUMMARY_INTERVAL_SECONDS)]
            except queue.Empty:
                batch = []
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            records = [r for r in batch if r is not _STOP and not isinstance(r, threading.Event)]
            try:
                if records:
                    self._write(records)
            except Exception:  # noqa: BLE001 - the writer thread must outlive any one batch
                self._dropped_unwritten += len(records)
                _log.exception("trace writer failed on a batch of %d records", len(records))
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
                elif item is _STOP:
                    stopping = True
            if time.monotonic() - last_summary >= SUMMARY_INTERVAL_SECONDS:
                last_summary = time.monotonic()
                self._summarise(final=False)
            if not stopping and records:
                time.sleep(BATCH_LINGER_SECONDS)
        self._close_files()

    def _summarise(self, final: bool) -> None:
        dropped = self.dropped
        if dropped > self._summarised:
            _log.warning(
                "%d trace records dropped%s (%d: queue full, %d: could not be written to %s)",
                dropped, " in all" if final else " so far",
                self._dropped_full, self._dropped_unwritten, self.directory,
            )
            self._summarised = dropped

    def _write(self, records: list[dict[str, Any]]) -> None:
        lines = []
        secrets = secret_values()
        for record in records:
            try:
                if type(record) is tuple:  # from append_call
                    call, result, outcome, ended = record
                    record = call.to_json(result, outcome, ended)
                value = redact_with(record, secrets) if secrets else record
                line = _ENCODER.encode(value) + "\n"
                lines.append(line.encode("utf-8"))
            except (TypeError, ValueError) as e:
                self._dropped_unwritten += 1
                tool = record[0].tool if type(record) is tuple else record.get("tool")
                _log.warning("trace record of %s not serialisable, dropped: %s", tool, e)
        if not lines:
            return
        written = 0
        try:
            self._open()
            assert self._lock_fd is not None
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                size = self._live_size()
                chunk = bytearray()
                pending = 0
                for line in lines:
                    if size + len(chunk) > 0 and size + len(chunk) + len(line) > self.max_bytes:
                        if chunk:
                            self._write_all(chunk)
                            size += len(chunk)
                            written += pending
                            chunk.clear()
                            pending = 0
                        self._rotate()
                        size = 0
                    chunk += line
                    pending += 1
                if chunk:
                    self._write_all(chunk)
                    written += pending
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        except OSError as e:
            self._dropped_unwritten += len(lines) - written
            self._close_files()
            if not self._failed:
                self._failed = True
                _log.warning(
                    "cannot write traces to %s: %s; calls go unrecorded (and counted as "
                    "tracesDropped) until it can be written", self.directory, e,
                )
            return
        if self._failed:
            self._failed = False
            _log.info("writing traces to %s again", self.directory)

    def _open(self) -> None:
        lock = self.directory / ".lock"
        if self._lock_fd is not None and not _same_file(lock, self._lock_fd):
            # The directory was removed (and perhaps made again): a lock on the old
            # file would exclude nobody.
            self._close_files()
        if self._lock_fd is None:
            _make_private(self.directory)
            self._lock_fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600)
        if self._data_fd is None:
            self._data_fd = os.open(
                self.directory / FILE_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
            )

    def _live_size(self) -> int:
        """The size of DIR/calls.jsonl, reopened first if it is no longer the
        file this writer has open (another writer rotated or removed it)."""
        assert self._data_fd is not None
        if not _same_file(self.directory / FILE_NAME, self._data_fd):
            self._reopen()
        return os.fstat(self._data_fd).st_size

    def _reopen(self) -> None:
        if self._data_fd is not None:
            os.close(self._data_fd)
            self._data_fd = None
        self._open()

    def _write_all(self, data: bytearray) -> None:
        assert self._data_fd is not None
        view = memoryview(data)
        while view:
            view = view[os.write(self._data_fd, view):]

    def _rotate(self) -> None:
        current = self.directory / FILE_NAME
        if self.max_files == 1:
            current.unlink(missing_ok=True)
        else:
            files = rotated_files(self.directory, self.max_files)
            # files[0] is the live file; shift each one older, dropping the oldest.
            files[-1].unlink(missing_ok=True)
            for newer, older in zip(reversed(files[:-1]), reversed(files[1:])):
                if newer.exists():
                    newer.rename(older)
        self._reopen()

    def _close_files(self) -> None:
        for fd in (self._data_fd, self._lock_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._data_fd = self._lock_fd = None


def _same_file(path: Path, fd: int) -> bool:
    """Whether `path` is still the file open as `fd`."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


def rotated_files(directory: Path, max_files: int) -> list[Path]:
    """The live file first, then older ones: calls.jsonl, calls.1.jsonl, …"""
    stem = FILE_NAME.removesuffix(".jsonl")
    return [directory / FILE_NAME] + [
        directory / f"{stem}.{n}.jsonl" for n in range(1, max_files)
    ]


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        _log.warning("%s=%r is not an integer; using %d", name, value, default)
        return default
