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

# This file is compiled before any of it runs, so it keeps to syntax an old
# Python can parse (no f-strings, no variable annotations): on one, the check
# below then prints what to do instead of a SyntaxError from deep inside tandem.
import sys


def _require_python(version_info, executable):  # type: (tuple, str) -> None
    if tuple(version_info[:2]) < (3, 11):
        sys.stderr.write(
            "tandem workers need Python 3.11 or newer; this is %d.%d at %s; "
            "set [server] python or TANDEM_PYTHON to a newer one\n"
            % (version_info[0], version_info[1], executable or "an unknown path")
        )
        raise SystemExit(2)


_require_python(sys.version_info, sys.executable)

import importlib  # noqa: E402 (after the version check, on purpose)
from typing import TYPE_CHECKING, Any

from .version import __version__  # noqa: E402

if TYPE_CHECKING:
    from .client import connect
    from .context import Context
    from .headers import Header
    from .prompts import prompt
    from .resources import resource
    from .tools import tool

__all__ = ["Context", "Header", "connect", "prompt", "resource", "tool"]

# Submodules reachable as attributes after a bare `import tandem`.
_SUBMODULES = frozenset(
    {"content", "models", "parse", "prompts", "resources", "templates", "tools", "traces"}
)


def __getattr__(name):  # type: (str) -> Any
    # Each name is imported on first use, so a worker loads only the kinds its
    # modules declare (a tools-only worker never builds the prompt or resource
    # machinery) and never the HTTP client behind connect().
    if name == "tool":
        from .tools import tool as value
    elif name == "Context":
        from .context import Context as value
    elif name == "Header":
        from .headers import Header as value
    elif name == "prompt":
        from .prompts import prompt as value
    elif name == "resource":
        from .resources import resource as value
    elif name == "connect":
        from .client import connect as value
    elif name in _SUBMODULES:
        return importlib.import_module("." + name, __name__)
    else:
        raise AttributeError("module 'tandem' has no attribute %r" % name)
    globals()[name] = value
    return value


def __dir__():  # type: () -> list
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
