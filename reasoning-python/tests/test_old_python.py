"""An interpreter older than 3.11 gets one line saying what to do, not a SyntaxError."""

from __future__ import annotations

import ast
import contextlib
import io
import unittest
from pathlib import Path

import tandem

INIT = Path(tandem.__file__)


class OldPythonTest(unittest.TestCase):
    def test_old_python_gets_one_line_naming_it_and_exit_status_2(self) -> None:
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), self.assertRaises(SystemExit) as exited:
            tandem._require_python((3, 9, 18, "final", 0), "/usr/bin/python3")
        self.assertEqual(exited.exception.code, 2)
        self.assertEqual(
            stderr.getvalue(),
            "tandem workers need Python 3.11 or newer; this is 3.9 at /usr/bin/python3; "
            "set [server] python or TANDEM_PYTHON to a newer one\n",
        )

    def test_python_3_11_and_newer_pass(self) -> None:
        for version in ((3, 11, 0), (3, 13, 1), (4, 0, 0)):
            with self.subTest(version=version):
                self.assertIsNone(tandem._require_python(version, "/usr/bin/python3"))

    def test_package_init_keeps_to_syntax_old_pythons_parse(self) -> None:
        # The whole file is compiled before the check runs; one f-string or
        # annotation (Python 2 is still `python` on some machines) and an old
        # interpreter stops at a SyntaxError instead of printing the line.
        tree = ast.parse(INIT.read_text(), str(INIT))
        too_new = [
            f"line {node.lineno}: {type(node).__name__}"
            for node in ast.walk(tree)
            if isinstance(node, (ast.JoinedStr, ast.AnnAssign, ast.NamedExpr))
            or (isinstance(node, ast.arg) and node.annotation is not None)
            or (isinstance(node, ast.FunctionDef) and node.returns is not None)
            or (isinstance(node, ast.ImportFrom) and node.module == "__future__")
        ]
        self.assertEqual(too_new, [])

if __name__ == "__main__":
    unittest.main()
