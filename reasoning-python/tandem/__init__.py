"""tandem: write MCP tools, prompts and resources as plain Python functions.

    from tandem import tool

    @tool
    def echo(text: str) -> str:
        \"\"\"Say it back.\"\"\"
        return text

`python -m tandem.worker MODULE` serves a module's decorated functions as an
MCP stdio server; the tandem daemon runs and supervises those workers.
`tandem.connect()` opens a session with the running daemon from a notebook.
Beyond these names: tandem.models, tandem.parse, tandem.templates, tandem.traces.
"""

__version__ = "0.1.0"

from typing import Any

from .context import Context
from .prompts import prompt
from .resources import resource
from .tools import tool

__all__ = ["Context", "connect", "prompt", "resource", "tool"]


def __getattr__(name: str) -> Any:
    # Imported on first use: a worker never pays for the HTTP client.
    if name == "connect":
        from .client import connect

        return connect
    raise AttributeError(f"module 'tandem' has no attribute {name!r}")
