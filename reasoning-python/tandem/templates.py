"""Prompt templates kept in files, read fresh whenever they change on disk.

    from tandem import templates

    SUMMARIZE = templates.load("prompts/summarize.txt")   # beside this module
    prompt = SUMMARIZE.render(text=text, audience="engineers")

A template is plain Python formatting, no new language: `{name}` fields with
str.format's rules (`{item.title}`, `{score:.2f}`; `{{` for a brace), or, in a
`.tmpl` file or with `style="dollar"`, string.Template's `$name` and `${name}`
(for prompts full of JSON braces). The file is checked at each render and
re-read when its modification time or size changed, so an edit shows up on
the next call: in a notebook without restarting the kernel, and in workers
on the next call too, before any reload.
"""

from __future__ import annotations

import os
import re
import string
import sys
import threading
from pathlib import Path
from typing import Any, Literal

Style = Literal["format", "dollar"]

__all__ = ["Template", "TemplateError", "load", "directory"]

_lock = threading.Lock()
# path → (mtime_ns, size, text): one read per change, shared by all Templates.
_cache: dict[Path, tuple[int, int, str]] = {}


_BRACES_HINT = "write {{ and }} for literal braces, or use a .tmpl file with $names"


class TemplateError(ValueError):
    """A template that cannot render; the message names the file and line."""


class Template:
    def __init__(self, path: str | Path, *, style: Style | None = None) -> None:
        self.path = Path(path)
        self.style: Style = style or ("dollar" if self.path.suffix == ".tmpl" else "format")

    @property
    def text(self) -> str:
        """The file's current text (re-read only when it changed)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise TemplateError(f"template {self.path} does not exist") from None
        with _lock:
            cached = _cache.get(self.path)
            if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
                return cached[2]
        text = self.path.read_text(encoding="utf-8")
        with _lock:
            _cache[self.path] = (stat.st_mtime_ns, stat.st_size, text)
        return text

    @property
    def fields(self) -> set[str]:
        """The names the template needs."""
        text = self.text
        if self.style == "dollar":
            return {m.group("named") or m.group("braced")
                    for m in string.Template.pattern.finditer(text)
                    if m.group("named") or m.group("braced")}
        return {re.split(r"[.\[]", name, maxsplit=1)[0]
                for _, name, _, _ in string.Formatter().parse(text) if name}

    def render(self, **values: Any) -> str:
        """The text with `values` filled in; TemplateError naming what is missing."""
        text = self.text
        try:
            if self.style == "dollar":
                return string.Template(text).substitute(values)
            return text.format_map(values)
        except KeyError as e:
            name = e.args[0]
            marker = f"${name}" if self.style == "dollar" else f"{{{name}"
            if not str(name).isidentifier():
                # {"a": 1} in a format template: JSON, not a field.
                raise TemplateError(
                    f"{self.path}{_line_of(text, marker)}: {{{name}...}} is not a field; "
                    f"{_BRACES_HINT}"
                ) from None
            raise TemplateError(
                f"{self.path}{_line_of(text, marker, '${' + str(name))}: no value for "
                f"{name!r}; pass {name}=... to render()"
            ) from None
        except (ValueError, IndexError, AttributeError) as e:
            hint = f" ({_BRACES_HINT})" if self.style == "format" else ""
            raise TemplateError(f"{self.path}: {e}{hint}") from None

    __call__ = render

    def __repr__(self) -> str:
        return f"Template({str(self.path)!r}, style={self.style!r})"


def load(path: str | Path, *, style: Style | None = None) -> Template:
    """A template file; a relative path is taken from the calling module's
    directory (the working directory in a notebook)."""
    return Template(_resolve(Path(path), sys._getframe(1).f_globals), style=style)


class directory:  # noqa: N801 (used like a function: templates.directory("prompts"))
    """The templates in one directory, by file stem: `prompts.summarize(text=...)`."""

    def __init__(self, path: str | Path, *, style: Style | None = None) -> None:
        self.path = _resolve(Path(path), sys._getframe(1).f_globals)
        self.style = style

    def __getitem__(self, name: str) -> Template:
        matches = sorted(p for p in self.path.glob(f"{name}.*") if p.is_file())
        if not matches:
            raise TemplateError(f"no template named {name!r} in {self.path}")
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            raise TemplateError(f"template {name!r} is ambiguous in {self.path}: {names}")
        return Template(matches[0], style=self.style)

    def __getattr__(self, name: str) -> Template:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except TemplateError as e:
            raise AttributeError(str(e)) from None


def _resolve(path: Path, caller_globals: dict[str, Any]) -> Path:
    if path.is_absolute():
        return path
    caller = caller_globals.get("__file__")
    base = Path(caller).resolve().parent if caller else Path(os.getcwd())
    return base / path


def _line_of(text: str, *markers: str) -> str:
    for marker in markers:
        at = text.find(marker)
        if at != -1:
            return f" line {text.count(chr(10), 0, at) + 1}"
    return ""
