"""Recording tools/call traces: the record of the call in flight, the model
calls attached to it, redaction of secrets, and the rotating JSONL file.

The worker opens a `CallRecord` for each tools/call and puts it in a context
variable; model clients append their requests and responses to whatever
record is current (context variables follow the call onto the worker thread
and into `asyncio.to_thread`), so a record holds everything one call did.
`tandem.traces` reads the files back.
"""

from __future__ import annotations

import contextvars
import datetime
import fcntl
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

_log = logging.getLogger("tandem.traces")

# Bumped when a field changes meaning; readers skip records from the future.
FORMAT_VERSION = 1

FILE_NAME = "calls.jsonl"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 5
# Values that turn tracing off in TANDEM_TRACE_DIR.
_OFF = {"", "0", "off", "false", "no", "none"}

REDACTED = "[redacted]"
# Header names whose values are credentials, lower-case.
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})
# Environment variables that hold credentials by naming convention.
_SECRET_SUFFIXES = ("_API_KEY", "_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
# Shorter values are too likely to occur by accident ("1", "true") to redact.
_MIN_SECRET_LENGTH = 8
_secret_env_names: set[str] = set()


def register_secret_env(name: str) -> None:
    """Treat the value of environment variable `name` as a secret from now on."""
    _secret_env_names.add(name)


def _secret_values() -> list[tuple[str, str]]:
    """(value, variable) pairs, read now: a notebook may set keys at any time."""
    found = []
    for name, value in os.environ.items():
        secret = name in _secret_env_names or name.upper().endswith(_SECRET_SUFFIXES)
        if secret and len(value) >= _MIN_SECRET_LENGTH:
            found.append((value, name))
    # Longest first, so a key that contains another is replaced whole.
    return sorted(found, key=lambda pair: -len(pair[0]))


def redact(value: Any) -> Any:
    """`value` with every known secret replaced, at any depth, inside any string."""
    secrets = _secret_values()
    return _redact(value, secrets) if secrets else value


def redact_text(text: str) -> str:
    return _redact(text, _secret_values())


def _redact(value: Any, secrets: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for secret, name in secrets:
            if secret in value:
                value = value.replace(secret, f"[redacted ${name}]")
        return value
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v, secrets) for v in value]
    return value


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


# -- the call in flight -----------------------------------------------------


@dataclass
class CallRecord:
    tool: str
    module: str
    function: str
    arguments: dict[str, Any]
    request_id: str | int | None
    started: float = field(default_factory=time.monotonic)
    wall_start: datetime.datetime = field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc)
    )
    models: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, result: dict[str, Any] | None, outcome: str) -> dict[str, Any]:
        inputs = [m["usage"].get("inputTokens") for m in self.models if m.get("usage")]
        outputs = [m["usage"].get("outputTokens") for m in self.models if m.get("usage")]
        # Here, not at the top: uuid loads platform, worth paying for at the first
        # traced call rather than at every worker's startup.
        import uuid

        return {
            "v": FORMAT_VERSION,
            "id": uuid.uuid4().hex,
            "time": self.wall_start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "tool": self.tool,
            "module": self.module,
            "function": self.function,
            "requestId": self.request_id,
            "arguments": self.arguments,
            "result": result,
            "isError": bool(result and result.get("isError")),
            "outcome": outcome,
            "durationMs": round((time.monotonic() - self.started) * 1000, 3),
            "models": self.models,
            "usage": {
                "inputTokens": sum(n for n in inputs if isinstance(n, int)),
                "outputTokens": sum(n for n in outputs if isinstance(n, int)),
            },
            "pid": os.getpid(),
        }


current_record: contextvars.ContextVar[CallRecord | None] = contextvars.ContextVar(
    "tandem_call_record", default=None
)


def record_model_call(entry: dict[str, Any]) -> None:
    """Attach one model request/response to the call in flight, if any."""
    record = current_record.get()
    if record is not None:
        record.models.append(redact(entry))


# -- the files --------------------------------------------------------------


def default_directory() -> Path:
    """Where traces go when TANDEM_TRACE_DIR does not say: the XDG cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tandem" / "traces"


def directory_from_env() -> Path | None:
    """The trace directory, or None when TANDEM_TRACE_DIR turns tracing off."""
    configured = os.environ.get("TANDEM_TRACE_DIR")
    if configured is None:
        return default_directory()
    if configured.strip().lower() in _OFF:
        return None
    return Path(configured).expanduser()


class TraceWriter:
    """Appends records to DIR/calls.jsonl, rotating by size through
    calls.1.jsonl … calls.{max_files-1}.jsonl (oldest dropped).

    Several workers (replicas of a pool, other pools) share one directory, so
    rotate-then-append happens under an exclusive flock on DIR/.lock; each
    append is one write() to an O_APPEND file, so lines never interleave.
    """

    def __init__(
        self,
        directory: Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_files: int = DEFAULT_MAX_FILES,
    ) -> None:
        if max_files < 1:
            raise ValueError("max_files must be at least 1")
        self.directory = directory
        self.max_bytes = max_bytes
        self.max_files = max_files
        self._failed = False

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

    def append(self, record: dict[str, Any]) -> None:
        """Write one record; a failure is logged once and never fails the call."""
        line = json.dumps(redact(record), ensure_ascii=False, default=str) + "\n"
        data = line.encode("utf-8")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(self.directory / ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._rotate_if_full(len(data))
                fd = os.open(
                    self.directory / FILE_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
                )
                try:
                    os.write(fd, data)
                finally:
                    os.close(fd)
        except OSError as e:
            if not self._failed:
                _log.warning(
                    "cannot write traces to %s: %s; calls go unrecorded", self.directory, e
                )
                self._failed = True

    def _rotate_if_full(self, incoming: int) -> None:
        current = self.directory / FILE_NAME
        try:
            size = current.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        if self.max_files == 1:
            current.unlink()
            return
        files = rotated_files(self.directory, self.max_files)
        # files[0] is the live file; shift each one older, dropping the oldest.
        files[-1].unlink(missing_ok=True)
        for newer, older in zip(reversed(files[:-1]), reversed(files[1:])):
            if newer.exists():
                newer.rename(older)


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


def start_call(
    tool: str, fn: Callable[..., Any], arguments: dict[str, Any], request_id: str | int | None
) -> CallRecord:
    """Open the record of a tools/call and make it current for this task."""
    record = CallRecord(
        tool=tool,
        module=getattr(fn, "__module__", "?"),
        function=getattr(fn, "__qualname__", tool),
        arguments=arguments,
        request_id=request_id,
    )
    current_record.set(record)
    return record
