"""A forgiving JSON reader for what models write when asked for JSON.

Beyond JSON it accepts: single-quoted and curly-quoted strings, bare keys,
trailing commas, missing commas between members on separate lines, comments
(`//`, `/* */`, `#`), Python's True/False/None, NaN/Infinity, raw newlines
inside strings, unquoted one-word strings, and numbers like `+1`, `.5` or `1.`. It does not guess at
truncated output: ending inside a value is an error that says so.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_BARE_WORD = re.compile(r"[A-Za-z_$][\w$-]*")
_LOW_SURROGATE = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_LITERALS = {
    "true": True, "false": False, "null": None,
    "True": True, "False": False, "None": None, "undefined": None,
    "NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf,
}
# Opening quote → closing quote; curly quotes come from word processors and chat UIs.
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t", "'": "'"}


class JsonSyntax(ValueError):
    """Text that is not (even forgiving) JSON; `pos` is where reading stopped."""

    def __init__(self, message: str, text: str, pos: int) -> None:
        self.reason = message
        self.text = text
        self.pos = pos
        super().__init__(f"{message} {where(text, pos)}")


def where(text: str, pos: int) -> str:
    """'at line L column C:' and the line with a caret under the position."""
    line_no = text.count("\n", 0, pos) + 1
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end != -1 else len(text)]
    column = pos - start
    # Long lines are cut around the position so the quote stays readable.
    if len(line) > 100:
        cut = max(0, column - 50)
        prefix = "…" if cut else ""
        line, column = prefix + line[cut:cut + 100] + "…", column - cut + len(prefix)
    return f"at line {line_no} column {pos - start + 1}:\n    {line}\n    {' ' * column}^"


def loads(text: str) -> Any:
    """The one value `text` holds, strict JSON first, then forgiving."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    reader = _Reader(text)
    value = reader.value()
    reader.space()
    if reader.pos < len(text):
        raise reader.fail("unexpected text after the value")
    return value


def loads_prefix(text: str, start: int = 0) -> tuple[Any, int]:
    """The value starting at `start` and where it ends; text after it is ignored."""
    reader = _Reader(text, start)
    return reader.value(), reader.pos


class _Reader:
    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def fail(self, message: str, pos: int | None = None) -> JsonSyntax:
        return JsonSyntax(message, self.text, self.pos if pos is None else pos)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def space(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch.isspace():
                self.pos += 1
            elif text.startswith("//", self.pos) or ch == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end == -1 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end == -1:
                    raise self.fail("a /* comment is never closed")
                self.pos = end + 2
            else:
                return

    def value(self) -> Any:
        self.space()
        ch = self.peek()
        if ch == "{":
            return self.object()
        if ch == "[":
            return self.array()
        if ch in _QUOTES:
            return self.string()
        if not ch:
            raise self.fail("the text ends where a value should start (cut off?)")
        number = _NUMBER.match(self.text, self.pos)
        word = _BARE_WORD.match(self.text, self.pos + (1 if ch == "-" else 0))
        if word and (ch != "-" or word.group() == "Infinity"):
            literal = self.text[self.pos:word.end()]
            self.pos = word.end()
            # Anything else bare is a string the model forgot to quote
            # ({"sentiment": positive}); the target type still has to accept it.
            return _LITERALS.get(literal, literal)
        if number:
            self.pos = number.end()
            return _number(number.group())
        raise self.fail(f"expected a value, found {ch!r}")

    def object(self) -> dict[str, Any]:
        opened = self.pos
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            self.space()
            ch = self.peek()
            if ch == "}":
                self.pos += 1
                return result
            if not ch:
                raise self.fail(_unclosed("an object", self.text, opened))
            key = self.key()
            self.space()
            if self.peek() not in (":", "="):
                raise self.fail(f"expected ':' after the key {key!r}")
            self.pos += 1
            result[key] = self.value()
            self.separator("}", opened, "an object")

    def key(self) -> str:
        if self.peek() in _QUOTES:
            return self.string()
        word = _BARE_WORD.match(self.text, self.pos)
        if word is None:
            raise self.fail(f"expected a key or '}}', found {self.peek()!r}")
        self.pos = word.end()
        return word.group()

    def array(self) -> list[Any]:
        opened = self.pos
        self.pos += 1
        result: list[Any] = []
        while True:
            self.space()
            ch = self.peek()
            if ch == "]":
                self.pos += 1
                return result
            if not ch:
                raise self.fail(_unclosed("an array", self.text, opened))
            result.append(self.value())
            self.separator("]", opened, "an array")

    def separator(self, closer: str, opened: int, what: str) -> None:
        """After an item: ',' (a trailing one is fine), the closer, or, where a
        comma was forgotten, the next key of an object or a newline before the
        next item of an array."""
        before = self.pos
        self.space()
        ch = self.peek()
        if ch == ",":
            self.pos += 1
        elif ch == closer:
            pass
        elif not ch:
            raise self.fail(_unclosed(what, self.text, opened))
        elif closer == "}" and (ch in _QUOTES or _BARE_WORD.match(ch)):
            pass  # the next key follows: only a comma is missing
        elif "\n" not in self.text[before:self.pos]:
            raise self.fail(f"expected ',' or '{closer}' in {what}, found {ch!r}")

    def string(self) -> str:
        opened = self.pos
        close = _QUOTES[self.text[self.pos]]
        self.pos += 1
        parts: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self.fail("a string is never closed (cut off?)", opened)
            ch = text[self.pos]
            if ch == close:
                self.pos += 1
                return "".join(parts)
            if ch == "\\":
                parts.append(self.escape())
                continue
            parts.append(ch)
            self.pos += 1

    def escape(self) -> str:
        code = self.text[self.pos + 1:self.pos + 2]
        if code == "u":
            digits = self.text[self.pos + 2:self.pos + 6]
            if re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                self.pos += 6
                code_point = int(digits, 16)
                low = self.text[self.pos:self.pos + 6]
                # Characters beyond the BMP arrive as a surrogate pair: \ud83d\ude80.
                if 0xD800 <= code_point < 0xDC00 and _LOW_SURROGATE.fullmatch(low):
                    self.pos += 6
                    low_bits = int(low[2:], 16) - 0xDC00
                    code_point = 0x10000 + ((code_point - 0xD800) << 10) + low_bits
                return chr(code_point)
        if code in _ESCAPES:
            self.pos += 2
            return _ESCAPES[code]
        # An unknown escape (\d in a regex, \$) means the backslash was literal.
        self.pos += 1
        return "\\"


def _number(text: str) -> int | float:
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return float(text)


def _unclosed(what: str, text: str, opened: int) -> str:
    line = text.count("\n", 0, opened) + 1
    column = opened - (text.rfind("\n", 0, opened) + 1) + 1
    return (
        f"the text ends inside {what} opened at line {line} column {column} "
        "(cut off? the model may have hit max_tokens)"
    )
