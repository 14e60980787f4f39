"""examples/notebooks/prompt-iteration.ipynb, executed headlessly against the real daemon: a tool
called as a plain function, the same tool through the daemon, the prompt edited, the workers
reloaded, the recorded calls replayed, and old vs new side by side in the outputs. The daemon
serves, and the notebook edits, the copy of the example tools that `make notebook` makes
(examples/notebooks/workspace.py), so the repository stays as it is."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from daemon import EXAMPLE_TOOLS, REPO, Daemon

NOTEBOOK = REPO / "examples" / "notebooks" / "prompt-iteration.ipynb"
RUNNER = Path(__file__).resolve().parent / "notebook_runner.py"
WORKSPACE = REPO / "examples" / "notebooks" / "workspace.py"
REPO_TEMPLATE = EXAMPLE_TOOLS / "prompts" / "summarize.tmpl"
RUN_SECONDS = 180


class PromptIterationNotebookTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-notebook-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        (self.dir / "run").mkdir()
        self.env = {"XDG_RUNTIME_DIR": str(self.dir / "run"), "XDG_CACHE_HOME": str(self.dir / "cache"),
                    "TANDEM_TRACE_DIR": str(self.dir / "traces"), "TANDEM_URL": ""}
        # What `make notebook` does: a fresh copy of the example tools, and the daemon on it.
        made = subprocess.run([sys.executable, str(WORKSPACE)], env={**os.environ, **self.env},
                              capture_output=True, text=True, timeout=RUN_SECONDS)
        self.assertEqual(made.returncode, 0, made.stderr)
        config = Path(made.stdout.strip())
        self.tools = config.parent / "tools"
        self.assertEqual(self.tools, self.dir / "cache" / "tandem" / "notebook" / "tools")
        self.daemon = Daemon(config, env=self.env)
        self.addCleanup(self.daemon.stop)

    def test_notebook_runs_and_shows_old_vs_new_after_the_prompt_edit(self) -> None:
        template = self.tools / "prompts" / "summarize.tmpl"
        original = template.read_text()
        in_repo = REPO_TEMPLATE.read_bytes()
        out = self.dir / "executed.ipynb"
        run = subprocess.run([sys.executable, str(RUNNER), str(NOTEBOOK), "--out", str(out)],
                             env={**os.environ, **self.env}, capture_output=True, text=True,
                             timeout=RUN_SECONDS)
        self.assertEqual(run.returncode, 0, f"{run.stderr}\n--- daemon log:\n{self.daemon.log()}")
        cells = [c for c in json.loads(out.read_text())["cells"] if c["cell_type"] == "code"]
        self.assertEqual([c["execution_count"] for c in cells], list(range(1, len(cells) + 1)))
        self.assertFalse([o for c in cells for o in c["outputs"] if o["output_type"] == "error"])
        text = "\n".join(_text(c) for c in cells)

        # 1. a plain function in the kernel, with the scripted model
        self.assertIn("Summary(title='Rain', key_points=['it rained all day'], sentiment='negative')", text)
        # 2. through the daemon, before the edit: the model copied a shape that is not JSON
        self.assertIn("before: error: tool 'summarize' failed: ParseError: cannot parse the answer into Summary",
                      text)
        # 4. reloaded: new processes, same tool set
        self.assertRegex(text, r"pool reasoning: workers \[\d+, \d+(, \d+)?\] replaced by \[\d+, \d+(, \d+)?\], "
                               r"tools 1 -> 1")
        self.assertIn("after:  {'title': 'a short title', 'key_points': ['one point', 'another'], "
                      "'sentiment': 'neutral'}", text)
        # 5. the replay, side by side: the recorded failure against the edited prompt's answer
        self.assertIn("2 calls replayed, 2 changed", text)
        self.assertIn("changed, now succeeds, prompt changed", text)
        self.assertRegex(text, r"old\s+new")
        self.assertRegex(text, r"ParseError: cannot parse the answer into\s+\|\s+\{")
        self.assertIn('+  The sentiment is one of positive, negative or neutral.', text)
        html = [o["data"]["text/html"] for c in cells for o in c["outputs"]
                if o["output_type"] == "execute_result" and "text/html" in o["data"]]
        self.assertTrue(html and "<table" in html[0] and "prompt changed" in html[0], html)
        # and the prompt is put back as it was; the repository's own copy was never touched
        self.assertEqual(template.read_text(), original)
        self.assertEqual(REPO_TEMPLATE.read_bytes(), in_repo)

    def test_each_make_notebook_starts_from_a_fresh_copy(self) -> None:
        template = self.tools / "prompts" / "summarize.tmpl"
        template.write_text("left edited by a notebook stopped midway")
        again = subprocess.run([sys.executable, str(WORKSPACE)], env={**os.environ, **self.env},
                               capture_output=True, text=True, timeout=RUN_SECONDS)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(template.read_bytes(), REPO_TEMPLATE.read_bytes())
        self.assertEqual((self.dir / "cache" / "tandem" / "notebook").stat().st_mode & 0o777, 0o700)


def _text(cell: dict) -> str:
    parts = []
    for output in cell["outputs"]:
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


if __name__ == "__main__":
    unittest.main()
