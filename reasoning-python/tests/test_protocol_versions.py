"""tandem/protocol_versions.py is generated from protocol/vectors/versions.json, the list the
daemon's ProtocolVersions is tested against too; this fails when they part.

Regenerate after editing the JSON:
    python3 reasoning-python/tests/test_protocol_versions.py --write
"""

from __future__ import annotations

import json
import sys
import unittest
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[2] / "protocol" / "vectors" / "versions.json"
MODULE = Path(__file__).resolve().parents[1] / "tandem" / "protocol_versions.py"


def generated() -> str:
    supported = json.loads(VECTORS.read_text(encoding="utf-8"))["supported"]
    return (
        '"""The session-era MCP revisions a worker speaks, newest first.\n\n'
        "Generated from protocol/vectors/versions.json (which the daemon's ProtocolVersions is\n"
        "tested against); do not edit: change the JSON and run\n"
        '`python3 reasoning-python/tests/test_protocol_versions.py --write`."""\n\n'
        f"SUPPORTED = {tuple(supported)!r}\n"
    )


class ProtocolVersionsTest(unittest.TestCase):
    def test_the_module_is_generated_from_the_shared_vectors(self) -> None:
        self.assertEqual(
            MODULE.read_text(encoding="utf-8"),
            generated(),
            f"{MODULE.name} differs from {VECTORS}; regenerate: python3 {__file__} --write",
        )

    def test_the_worker_negotiates_over_the_shared_list(self) -> None:
        from tandem import handlers

        supported = json.loads(VECTORS.read_text(encoding="utf-8"))["supported"]
        self.assertEqual(list(handlers.PROTOCOL_VERSIONS), supported)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        MODULE.write_text(generated(), encoding="utf-8")
    else:
        unittest.main()
