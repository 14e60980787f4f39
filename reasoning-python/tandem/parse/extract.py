"""Finding the JSON in a model's answer: code fences first, then the first
bracket in the prose that starts a readable value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from .lenient import JsonSyntax, loads, loads_prefix

# ```json ... ``` (any or no language tag); the closing fence may be missing
# when the answer was cut off.
_FENCE = re.compile(r"```[ \t]*([\w+-]*)[ \t]*\n?(.*?)(?:```|\Z)", re.DOTALL)
# Tags some prompts ask for: <json>…</json>, <answer>…</answer>, <output>…</output>.
_TAG = re.compile(r"<(json|answer|output|result)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_NOT_JSON_FENCES = {"python", "py", "sh", "bash", "text", "markdown", "md", "yaml", "xml"}


@dataclass(frozen=True)
class Candidate:
    value: Any
    source: str  # where it was found, for error messages


def candidates(text: str, want: str | None) -> Iterator[Candidate | JsonSyntax]:
    """Values the text may hold, most likely first; JsonSyntax for fenced or
    tagged blocks that do not read, so the caller can report them.

    `want` is "object", "array" or None (either), to skip brackets of the
    wrong kind in prose.
    """
    whole = text.strip()
    if whole and whole[0] in "{[\"'":
        try:
            # The whole answer is one value (perhaps an object sent as a JSON string).
            yield Candidate(loads(whole), "the answer")
        except JsonSyntax:
            pass
    blocks = [(m.group(2), f"the ```{m.group(1)} block") for m in _FENCE.finditer(text)
              if m.group(1).lower() not in _NOT_JSON_FENCES]
    blocks += [(m.group(2), f"the <{m.group(1)}> block") for m in _TAG.finditer(text)]
    for body, source in blocks:
        try:
            yield Candidate(loads(body.strip()), source)
        except JsonSyntax as e:
            yield e
            # A block with prose around its JSON: look inside it as well.
            yield from _in_prose(body, want, source)
    yield from _in_prose(text, want, "the answer")


def _in_prose(text: str, want: str | None, source: str) -> Iterator[Candidate | JsonSyntax]:
    openers = {"object": "{", "array": "["}.get(want or "", "{[")
    first_error: JsonSyntax | None = None
    pos = 0
    while True:
        starts = [i for i in (text.find(o, pos) for o in openers) if i != -1]
        if not starts:
            break
        start = min(starts)
        try:
            value, end = loads_prefix(text, start)
        except JsonSyntax as e:
            first_error = first_error or e
            pos = start + 1
            continue
        yield Candidate(value, source)
        pos = end
    if first_error is not None:
        yield first_error
