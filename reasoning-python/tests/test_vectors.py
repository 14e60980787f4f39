"""Replays protocol/vectors/decode.jsonl, the codec contract shared with Java."""

from __future__ import annotations

import base64
import json
import unittest
from pathlib import Path
from typing import Any

from tandem import wire

VECTORS = Path(__file__).resolve().parents[2] / "protocol" / "vectors" / "decode.jsonl"


def load_vectors() -> list[dict[str, Any]]:
    with VECTORS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def verdict(decoded: object) -> dict[str, Any]:
    """A decoded frame in the vectors' `expect` shape."""
    if decoded is None:
        return {"kind": "skip"}
    if isinstance(decoded, wire.Invalid):
        return {"kind": "invalid", "code": decoded.code, "id": decoded.id}
    if isinstance(decoded, (wire.Request, wire.Notification)):
        is_request = isinstance(decoded, wire.Request)
        out: dict[str, Any] = {"kind": "request" if is_request else "notification"}
        if isinstance(decoded, wire.Request):
            out["id"] = decoded.id
        out["method"] = decoded.method
        if decoded.params is not None:
            out["params"] = decoded.params
        return out
    if isinstance(decoded, wire.Result):
        return {"kind": "result", "id": decoded.id, "result": decoded.result}
    assert isinstance(decoded, wire.ErrorResponse)
    return {"kind": "error_response", "id": decoded.id, "error": decoded.error}


class SharedDecodeVectorsTest(unittest.TestCase):
    def test_vector_file_is_present(self) -> None:
        self.assertTrue(VECTORS.is_file(), f"the shared vectors are missing: {VECTORS}")

    def test_every_vector_decodes_to_its_expected_verdict(self) -> None:
        vectors = load_vectors()
        self.assertGreater(len(vectors), 0)
        for vector in vectors:
            with self.subTest(vector["name"]):
                if "line_base64" in vector:
                    line = base64.b64decode(vector["line_base64"])
                else:
                    line = vector["line"].encode("utf-8")
                max_bytes = vector.get("max_bytes", wire.MAX_FRAME_BYTES)
                got = verdict(wire.decode(line, max_bytes))
                expected = vector["expect"]
                # Only what the expectation names is compared (messages of
                # invalid frames are free text).
                self.assertEqual({k: got.get(k, "<absent>") for k in expected}, expected)
                self.assertEqual(set(got) - set(expected), set(), "unexpected members")


if __name__ == "__main__":
    unittest.main()
