"""Recording tools/call traces: the record of the call in flight, the model
calls attached to it, redaction of secrets, and the rotating JSONL file
written by a background thread.

The worker opens a `CallRecord` for each tools/call and puts it in a context
variable; model clients append their requests and responses to whatever
record is current (context variables follow the call onto the worker thread
and into `asyncio.to_thread`), so a record holds everything one call did.
`tandem.traces` reads the files back.
"""

from __future__ import annotations

import contextvars
import datetime
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

# The secrets and the files have rooms of their own; their names stay reachable from here.
from .redaction import (  # noqa: F401
    REDACTED,
    SECRET_HEADERS,
    redact,
    redact_headers,
    redact_text,
    register_secret_env,
)
from .tracewriter import (  # noqa: F401
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_FILES,
    DEFAULT_QUEUE_SIZE,
    FILE_NAME,
    TraceWriter,
    default_directory,
    directory_from_env,
    rotated_files,
)

# Bumped when a field changes meaning; readers skip records from the future.
FORMAT_VERSION = 1


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

    def to_json(
        self, result: dict[str, Any] | None, outcome: str, ended: float | None = None
    ) -> dict[str, Any]:
        # Built on the event loop for every traced call: the parts a call without model
        # requests does not need (token sums) are skipped, and the id is 128 random bits
        # as hex (uuid4().hex's shape, a quarter of its cost, and no uuid import).
        usage = {"inputTokens": 0, "outputTokens": 0}
        if self.models:
            inputs = [m["usage"].get("inputTokens") for m in self.models if m.get("usage")]
            outputs = [m["usage"].get("outputTokens") for m in self.models if m.get("usage")]
            usage["inputTokens"] = sum(n for n in inputs if isinstance(n, int))
            usage["outputTokens"] = sum(n for n in outputs if isinstance(n, int))
        return {
            "v": FORMAT_VERSION,
            "id": os.urandom(16).hex(),
            "time": self.wall_start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "tool": self.tool,
            "module": self.module,
            "function": self.function,
            "requestId": self.request_id,
            "arguments": self.arguments,
            "result": result,
            "isError": bool(result and result.get("isError")),
            "outcome": outcome,
            "durationMs": round(((ended or time.monotonic()) - self.started) * 1000, 3),
            "models": self.models,
            "usage": usage,
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
