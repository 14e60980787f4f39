"""Google-style docstrings: the summary becomes a description, `Args:` entries
become per-parameter descriptions."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

# Headers that end the summary and, except the argument ones, end an Args block.
_SECTION = re.compile(r"^(\w[\w ]*):\s*$")
_ARG_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args"}
# "name (type): text" or "name: text"; the type is ignored, hints are the truth.
_ARG_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class Docstring:
    summary: str | None
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Split a docstring into its first paragraph and its `Args:` entries."""
    if not doc or not doc.strip():
        return Docstring(None)
    lines = inspect.cleandoc(doc).splitlines()
    summary_lines: list[str] = []
    for line in lines:
        if not line.strip() or _SECTION.match(line.strip()):
            break
        summary_lines.append(line.strip())
    summary = " ".join(summary_lines) or None
    return Docstring(summary, _parse_args(lines))


def _parse_args(lines: list[str]) -> dict[str, str]:
    params: dict[str, list[str]] = {}
    in_args = False
    entry_indent: int | None = None
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        header = _SECTION.match(stripped)
        if header and (entry_indent is None or indent < entry_indent):
            in_args = header.group(1).lower() in _ARG_SECTIONS
            entry_indent, current = None, None
            continue
        if not in_args or not stripped:
            continue
        if entry_indent is None:
            entry_indent = indent
        if indent < entry_indent:
            in_args, current = False, None
            continue
        match = _ARG_ENTRY.match(stripped) if indent == entry_indent else None
        if match:
            current = match.group(1)
            params[current] = [match.group(2).strip()]
        elif current is not None:
            params[current].append(stripped)
    return {name: " ".join(p for p in parts if p) for name, parts in params.items()}
