"""Tools the chaos run (make chaos) calls while it breaks things around them."""

import asyncio
import os
import subprocess
import threading

from tandem import tool


@tool(read_only=True, idempotent=True)
def echo(text: str) -> str:
    """Answers its argument: the call whose right answer is known in advance."""
    return text


@tool(read_only=True)
async def nap(seconds: float = 1.0) -> str:
    """Sleeps without blocking the worker; read-only, so a worker's death retries it."""
    await asyncio.sleep(seconds)
    return f"napped {seconds}"


@tool
async def nap_once(seconds: float = 1.0) -> str:
    """Sleeps, as a tool with effects would: not annotated, so never retried."""
    await asyncio.sleep(seconds)
    return f"napped once {seconds}"


@tool
async def mark(key: str, seconds: float = 0.5) -> str:
    """Appends its key to the run's marks file, then sleeps: every run of it leaves a line."""
    with open(os.environ["CHAOS_MARKS"], "a", encoding="utf-8") as marks:
        marks.write(key + "\n")
    await asyncio.sleep(seconds)
    return f"marked {key}"


@tool(blocking=True)
def hang() -> str:
    """Blocks its thread for ever, as a library call with no timeout does."""
    threading.Event().wait()
    return "never"


@tool(blocking=True, read_only=True)
def quick(text: str) -> str:
    """A sync tool that answers at once."""
    return text


@tool
async def fork_sleep(seconds: float = 30.0) -> str:
    """Starts `sleep 300` and waits: the child must not outlive its worker."""
    child = subprocess.Popen(["sleep", "300"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await asyncio.sleep(seconds)
    return f"sleep {child.pid} still running"


@tool(read_only=True, idempotent=True)
def big(size: int) -> str:
    """A result of `size` characters: past max_frame_bytes, it must be refused, not lost."""
    return "x" * size
