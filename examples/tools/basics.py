"""The bundled example tools: one of each kind of result tandem maps.

Other parts of tandem (integration tests, the README tour) call these by name.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tandem import Context, tool


@tool(read_only=True, idempotent=True)
def echo(text: str, times: int = 1) -> str:
    """Say the text back, repeated.

    Args:
        text: What to say back.
        times: How many times to repeat it, joined by spaces.
    """
    return " ".join([text] * times)


@tool(read_only=True, idempotent=True)
async def sleep(seconds: float = 0.2) -> str:
    """Wait without blocking the worker, then say how long.

    Args:
        seconds: How long to wait.
    """
    await asyncio.sleep(seconds)
    return f"slept {seconds}s"


@dataclass
class TextStats:
    characters: int
    words: int
    lines: int


@tool(read_only=True, idempotent=True)
def text_stats(text: str) -> TextStats:
    """Count the characters, words and lines of a text.

    Args:
        text: The text to measure.
    """
    return TextStats(characters=len(text), words=len(text.split()), lines=len(text.splitlines()))


@tool
def fail(message: str = "boom") -> str:
    """Always raise, to show how a tool error reaches the caller.

    Args:
        message: The error message to raise with.
    """
    raise ValueError(message)


@tool(read_only=True, idempotent=True)
def shout(text: str) -> str:
    """Upper-case the text; the print() goes to the worker's log, not the wire.

    Args:
        text: What to shout.
    """
    print(f"shouting {text!r}")
    return text.upper()


@tool(read_only=True, idempotent=True)
async def count(n: int = 3, ctx: Context | None = None) -> str:
    """Count to n, reporting progress at each step.

    Args:
        n: The number to count to.
    """
    ctx = ctx or Context()
    for step in range(1, n + 1):
        await ctx.progress(step, total=n, message=f"counted {step}")
        await asyncio.sleep(0.01)
    return f"counted to {n}"
