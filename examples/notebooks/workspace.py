"""The notebook's own copy of the example tools, so editing a prompt never touches the repository.

`make notebook` calls `python examples/notebooks/workspace.py`, which copies `examples/tools` and
this directory's `tandem.toml` into a private scratch directory (fresh at each run, edits from a
previous session gone) and prints the config for the daemon to serve. The notebook imports
`tools_dir()` to edit and import the same copy the daemon serves. The scratch directory is
`$XDG_CACHE_HOME/tandem/notebook` (`~/.cache/tandem/notebook`), 0700.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE_TOOLS = HERE.parent / "tools"


def scratch() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tandem" / "notebook"


def tools_dir() -> Path:
    """The tools the daemon serves: `TANDEM_NOTEBOOK_TOOLS`, else the scratch copy."""
    override = os.environ.get("TANDEM_NOTEBOOK_TOOLS")
    tools = Path(override) if override else scratch() / "tools"
    if not tools.is_dir():
        raise FileNotFoundError(f"{tools} does not exist: start the notebook's daemon first, "
                                "with `make notebook` from the repository root")
    return tools


def prepare() -> Path:
    """A fresh copy of the example tools and a config serving it; returns the config's path."""
    root = scratch()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(root, 0o700)
    tools = root / "tools"
    shutil.rmtree(tools, ignore_errors=True)
    shutil.copytree(EXAMPLE_TOOLS, tools, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    config = (HERE / "tandem.toml").read_text(encoding="utf-8")
    if 'path = "../tools"' not in config:
        raise ValueError(f"{HERE / 'tandem.toml'} no longer has the line path = \"../tools\" that this script rewrites")
    (root / "tandem.toml").write_text(config.replace('path = "../tools"', 'path = "tools"'), encoding="utf-8")
    return root / "tandem.toml"


if __name__ == "__main__":
    print(prepare())
    sys.exit(0)
