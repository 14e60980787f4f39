"""tandem: write MCP tools, prompts and resources as plain Python functions.

    from tandem import tool

    @tool
    def echo(text: str) -> str:
        \"\"\"Say it back.\"\"\"
        return text

`python -m tandem.worker MODULE` serves a module's decorated functions as an
MCP stdio server; the tandem daemon runs and supervises those workers.
"""

__version__ = "0.1.0"

from .context import Context
from .prompts import prompt
from .resources import resource
from .tools import tool

__all__ = ["Context", "prompt", "resource", "tool"]
