"""Every module of the package stays a room one can read in a sitting: 400 lines at most
(issue 20; the Java side's rule too). Split a module by job before it grows past that."""

import unittest
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "tandem"
MAX_LINES = 400


class RoomSizesTest(unittest.TestCase):
    def test_no_module_is_over_the_limit(self) -> None:
        sizes = {
            str(path.relative_to(PACKAGE_DIR)): len(path.read_text(encoding="utf-8").splitlines())
            for path in PACKAGE_DIR.rglob("*.py")
        }
        over = {name: n for name, n in sorted(sizes.items()) if n > MAX_LINES}
        self.assertEqual(over, {}, f"modules over {MAX_LINES} lines; split them by job")


if __name__ == "__main__":
    unittest.main()
