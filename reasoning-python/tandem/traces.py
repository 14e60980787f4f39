"""Recorded tool calls, read back as plain dicts, and replayed against the current code.

    from tandem import traces

    calls = traces.load(tool="summarize", limit=20)   # newest 20, oldest first
    traces.replay(calls)                              # old vs new, side by side

Workers append one JSON object per tools/call to $TANDEM_TRACE_DIR/calls.jsonl
when the daemon asks them to (`tandem serve --watch`, or `[trace] enabled =
true`; off otherwise), by default under ~/.cache/tandem/traces, where `load()`
looks unless TANDEM_TRACE_DIR or `path` says otherwise; rotated by size through
calls.1.jsonl … calls.4.jsonl. Each record holds: v, id, time, tool, module,
function, requestId, arguments, result (the CallToolResult), isError, outcome,
durationMs, models (each model request and response with usage and latency),
usage (summed tokens) and pid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .recorder import (
    DEFAULT_MAX_FILES,
    FORMAT_VERSION,
    default_directory,
    directory_from_env,
    rotated_files,
)
from .replay import Replay, ReplayRow, replay

__all__ = ["Replay", "ReplayRow", "load", "replay"]

# Enough to find rotated files even if TANDEM_TRACE_FILES was raised for a while.
_MAX_ROTATED = max(DEFAULT_MAX_FILES, 100)


def load(
    path: str | Path | None = None,
    *,
    tool: str | None = None,
    errors_only: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Recorded calls, oldest first, as plain dicts.

    `path` is a trace directory (its rotated files are read oldest first) or
    one .jsonl file; by default the directory the workers write to. `tool`
    keeps one tool's calls, `errors_only` the failed ones, `limit` the newest N.
    """
    files = _files(Path(path).expanduser() if path is not None else _directory())
    records = []
    for file in files:
        for record in _read(file):
            if tool is not None and record.get("tool") != tool:
                continue
            if errors_only and not record.get("isError"):
                continue
            records.append(record)
    if limit is not None:
        records = records[-limit:] if limit > 0 else []
    return records


def _directory() -> Path:
    # Reading is not writing: with TANDEM_TRACE_DIR unset (or off) readers still
    # look where the daemon writes by default.
    return directory_from_env() or default_directory()


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(
            f"no traces at {path}: workers record calls only when asked (tandem serve "
            "--watch, or [trace] enabled = true in tandem.toml); pass the directory or file "
            "to load() if [trace] dir puts them elsewhere"
        )
    return [f for f in reversed(rotated_files(path, _MAX_ROTATED)) if f.is_file()]


def _read(file: Path) -> list[dict[str, Any]]:
    records = []
    with file.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                record = json.loads(line)
            except ValueError:
                # A line cut short by a crash or a full disk; the rest still reads.
                continue
            if isinstance(record, dict) and record.get("v", 0) <= FORMAT_VERSION:
                records.append(record)
    return records
