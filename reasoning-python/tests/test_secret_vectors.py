"""Replays protocol/vectors/secret_names.jsonl, the rule for secret variables shared with the
daemon's log redaction (dev.tandem.supervisor.log.Secrets)."""

from __future__ import annotations

import json
import os
import unittest
from pathlib import Path
from unittest import mock

from tandem import recorder

VECTORS = Path(__file__).resolve().parents[2] / "protocol" / "vectors" / "secret_names.jsonl"


class SecretNameVectorsTest(unittest.TestCase):
    def test_every_vector_gets_the_verdict_the_daemon_gets(self) -> None:
        self.assertTrue(VECTORS.is_file(), f"the shared vectors are missing: {VECTORS}")
        lines = [json.loads(line) for line in VECTORS.read_text("utf-8").splitlines() if line.strip()]
        self.assertGreater(len(lines), 10)
        for v in lines:
            with self.subTest(name=v["name"]), mock.patch.dict(os.environ, {v["name"]: v["value"]}, clear=True):
                out = recorder.redact_text(f"the tool said {v['value']}.")
                if v["redacted"]:
                    self.assertEqual(f"the tool said [redacted ${v['name']}].", out)
                else:
                    self.assertEqual(f"the tool said {v['value']}.", out)


if __name__ == "__main__":
    unittest.main()
