"""Run a Jupyter notebook headlessly with the standard library only: its code cells in order,
in one namespace, in this interpreter, from the notebook's directory (as Jupyter runs them),
with what each cell printed, displayed or evaluated to recorded as its outputs (nbformat 4).

    python3 notebook_runner.py NOTEBOOK.ipynb [--out EXECUTED.ipynb]

Why not nbclient/nbconvert: they need a Jupyter kernel (ipykernel, pyzmq, tornado, ...), which
is not in the standard library; Debian's python3-nbclient installs for /usr/bin/python3 only,
not for the interpreter tandem runs on, and only with root. A notebook that uses no IPython
magics runs the same here, and the test suite needs nothing installed.

Exit status 0 when every cell ran; 1 with the failing cell's traceback otherwise (the outputs up
to and including that cell are still written).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any


class CellFailed(Exception):
    def __init__(self, index: int, source: str, error: BaseException) -> None:
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        super().__init__(f"cell {index} failed:\n{source}\n\n{''.join(lines)}")
        self.index = index


class _Stream:
    """A file-like stdout/stderr whose writes become one cell's stream outputs."""

    def __init__(self, outputs: list[dict[str, Any]], name: str) -> None:
        self.outputs = outputs
        self.name = name

    def write(self, text: str) -> int:
        if text:
            last = self.outputs[-1] if self.outputs else None
            if last and last["output_type"] == "stream" and last["name"] == self.name:
                last["text"] += text
            else:
                self.outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def mime_bundle(value: Any) -> dict[str, str]:
    """What Jupyter would show: text/plain always, HTML when the object renders itself."""
    data = {"text/plain": repr(value)}
    html = getattr(value, "_repr_html_", None)
    if callable(html):
        rendered = html()
        if rendered is not None:
            data["text/html"] = rendered
    return data


def run(notebook: dict[str, Any], directory: Path) -> dict[str, Any]:
    """Executes `notebook` in place (its code cells get outputs and execution counts)."""
    if notebook.get("nbformat") != 4:
        raise ValueError(f"nbformat {notebook.get('nbformat')} is not 4")
    outputs: list[dict[str, Any]] = []

    def display(*objects: Any) -> None:
        for obj in objects:
            outputs.append({"output_type": "display_data", "data": mime_bundle(obj), "metadata": {}})

    namespace: dict[str, Any] = {"__name__": "__main__", "display": display}
    count = 0
    cwd = os.getcwd()
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        for index, cell in enumerate(notebook["cells"]):
            if cell.get("cell_type") != "code":
                continue
            count += 1
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            outputs = cell["outputs"] = []
            cell["execution_count"] = count
            try:
                with contextlib.redirect_stdout(_Stream(outputs, "stdout")), \
                        contextlib.redirect_stderr(_Stream(outputs, "stderr")):
                    value = _execute(source, f"<cell {count}>", namespace)
                if value is not None:
                    namespace["_"] = value
                    outputs.append({"output_type": "execute_result", "execution_count": count,
                                    "data": mime_bundle(value), "metadata": {}})
            except BaseException as error:  # noqa: BLE001 (a cell's failure is its output)
                outputs.append({
                    "output_type": "error",
                    "ename": type(error).__name__,
                    "evalue": str(error),
                    "traceback": traceback.format_exception(type(error), error, error.__traceback__),
                })
                raise CellFailed(count, source, error) from error
    finally:
        os.chdir(cwd)
        sys.path.remove(str(directory))
    return notebook


def _execute(source: str, filename: str, namespace: dict[str, Any]) -> Any:
    """Runs a cell; like Jupyter, the value of a last bare expression is the cell's result."""
    tree = ast.parse(source, filename=filename)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = tree.body[:-1] if last is not None else tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), filename, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(body=last.value), filename, "eval"), namespace)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, help="where to write the executed notebook (default: in place)")
    args = parser.parse_args(argv)
    notebook = json.loads(args.notebook.read_text(encoding="utf-8"))
    status = 0
    try:
        run(notebook, args.notebook.resolve().parent)
    except CellFailed as failed:
        print(failed, file=sys.stderr)
        status = 1
    out = args.out or args.notebook
    out.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
