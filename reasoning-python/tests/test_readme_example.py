"""README's "Write a tool" example runs as written, as a plain function and as a tool."""

from __future__ import annotations

import re
import subprocess
import sys
import unittest

from harness import DEADLINE_SECONDS, PYTHON_ROOT

README = PYTHON_ROOT.parent / "README.md"


def example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    tool_blocks = [b for b in blocks if b.startswith("# tools/notes.py")]
    assert tool_blocks, "README has no ```python block starting with # tools/notes.py"
    return tool_blocks[0]


class ReadmeExampleTest(unittest.TestCase):
    def run_python(self, code: str) -> str:
        # A process of its own: the example registers its tool in the process-wide registry.
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True,
            env={"PYTHONPATH": str(PYTHON_ROOT)}, timeout=DEADLINE_SECONDS,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_the_example_runs_as_a_plain_function(self) -> None:
        out = self.run_python(example() + "\nimport asyncio\n"
                              "print(asyncio.run(summarize('Title\\none\\ntwo\\nthree\\nfour')))\n")
        self.assertEqual(out.strip(), "Summary(title='Title', bullets=['one', 'two', 'three'])")

    def test_the_example_runs_with_a_local_context(self) -> None:
        out = self.run_python(example() + "\nimport asyncio\nfrom tandem import Context\n"
                              "print(asyncio.run(summarize('T\\nx', ctx=Context())).title)\n")
        self.assertEqual(out.splitlines(), ["progress 1/2: thinking", "T"])


if __name__ == "__main__":
    unittest.main()
