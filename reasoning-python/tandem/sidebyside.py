"""Old vs new, side by side: as text for terminals and print(), as HTML for notebooks."""

from __future__ import annotations

import difflib
import html
import json
import textwrap
from dataclasses import dataclass, field
from typing import Any

_COLUMN = 48
_ARGS_WIDTH = 60


@dataclass
class ReplayRow:
    tool: str
    arguments: dict[str, Any]
    old: Any
    new: Any
    old_error: bool
    new_error: bool
    old_ms: float | None
    new_ms: float
    # The model requests (provider-neutral: messages, system, …) then and now.
    old_requests: list[dict[str, Any]] = field(default_factory=list)
    new_requests: list[dict[str, Any]] = field(default_factory=list)
    record_id: str | None = None

    @property
    def changed(self) -> bool:
        return self.old != self.new or self.old_error != self.new_error

    @property
    def prompts_changed(self) -> bool:
        return self.old_requests != self.new_requests


def render_text(rows: list[ReplayRow], column: int = _COLUMN) -> str:
    """Each call as a heading and two columns; '|' marks lines that differ."""
    if not rows:
        return "(no calls to replay)"
    changed = sum(1 for row in rows if row.changed)
    out = [f"{len(rows)} calls replayed, {changed} changed"]
    for i, row in enumerate(rows, 1):
        out.append("")
        out.append(f"#{i} {_call(row)}  {_status(row)}")
        out.append(f"   {'old':<{column}}   new")
        left = _wrap(_as_text(row.old), column)
        right = _wrap(_as_text(row.new), column)
        for n in range(max(len(left), len(right))):
            a = left[n] if n < len(left) else ""
            b = right[n] if n < len(right) else ""
            mark = " " if a == b else "|"
            out.append(f"   {a:<{column}} {mark} {b}".rstrip())
        if row.prompts_changed:
            out.extend("   " + line for line in _prompt_diff(row))
    return "\n".join(out)


def render_html(rows: list[ReplayRow]) -> str:
    """A table for Jupyter: one row per call, changed ones highlighted."""
    changed = sum(1 for row in rows if row.changed)
    parts = [
        f"<p>{len(rows)} calls replayed, {changed} changed</p>",
        '<table style="border-collapse:collapse;text-align:left">',
        "<tr><th>#</th><th>call</th><th>old</th><th>new</th></tr>",
    ]
    for i, row in enumerate(rows, 1):
        style = ' style="background:#fff4d6"' if row.changed else ""
        prompt = ""
        if row.prompts_changed:
            diff = html.escape("\n".join(_prompt_diff(row)))
            prompt = f"<details><summary>prompt changed</summary><pre>{diff}</pre></details>"
        call = f"<code>{html.escape(_call(row))}</code><br>{html.escape(_status(row))}"
        parts.append(
            f"<tr{style}><td>{i}</td><td>{call}{prompt}</td>"
            f"<td>{_cell(row.old, row.old_error)}</td><td>{_cell(row.new, row.new_error)}</td></tr>"
        )
    parts.append("</table>")
    return "\n".join(parts)


def _call(row: ReplayRow) -> str:
    args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in row.arguments.items())
    text = f"{row.tool}({args})"
    return text if len(text) <= _ARGS_WIDTH else text[: _ARGS_WIDTH - 4] + "...)"


def _status(row: ReplayRow) -> str:
    words = ["changed" if row.changed else "same"]
    if row.old_error != row.new_error:
        words.append("now fails" if row.new_error else "now succeeds")
    if row.prompts_changed:
        words.append("prompt changed")
    old = f"{row.old_ms:.0f}" if isinstance(row.old_ms, (int, float)) else "?"
    words.append(f"{old} ms -> {row.new_ms:.0f} ms")
    return ", ".join(words)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, width, replace_whitespace=False, drop_whitespace=False)
                     or [""])
    return lines


def _prompt_diff(row: ReplayRow) -> list[str]:
    old, new = _prompt_lines(row.old_requests), _prompt_lines(row.new_requests)
    return list(difflib.unified_diff(old, new, "recorded prompt", "new prompt", lineterm="", n=1))


def _prompt_lines(requests: list[dict[str, Any]]) -> list[str]:
    """Model requests as the text a person reads: one turn per block."""
    lines: list[str] = []
    for n, request in enumerate(requests, 1):
        lines.append(f"[model call {n}]")
        system = request.get("system")
        turns = [{"role": "system", "content": system}] if system else []
        for turn in turns + list(request.get("messages") or []):
            lines.append(f"{turn.get('role')}:")
            lines.extend(f"  {line}" for line in str(turn.get("content", "")).splitlines())
        options = {k: v for k, v in request.items() if k not in ("system", "messages")}
        if options:
            lines.append(f"options: {json.dumps(options, sort_keys=True)}")
    return lines


def _cell(value: Any, error: bool) -> str:
    colour = "#b00020" if error else "inherit"
    return f'<pre style="color:{colour};white-space:pre-wrap">{html.escape(_as_text(value))}</pre>'
