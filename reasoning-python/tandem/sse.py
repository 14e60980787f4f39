"""Server-Sent Events, read from a byte stream line by line.

Model APIs stream completions as SSE and MCP's Streamable HTTP answers
requests with SSE, so both share this one reader. It follows the WHATWG
event-stream rules that matter to them: `event:` names the event, `data:`
lines join with newlines, a blank line dispatches, `:` lines are comments
(keep-alives), and a stream that ends mid-event dispatches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Iterator


@dataclass(frozen=True)
class Event:
    event: str
    data: str
    id: str | None = None


def events(stream: BinaryIO) -> Iterator[Event]:
    """The events of an SSE body, as they arrive."""
    name, data, last_id = "", [], None
    for raw in stream:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield Event(name or "message", "\n".join(data), last_id)
            name, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        # One optional space after the colon belongs to the syntax, not the value.
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            last_id = value
