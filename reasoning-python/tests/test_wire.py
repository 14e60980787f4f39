"""Framing details the vectors do not cover: encoding, and cutting a stream into frames."""

from __future__ import annotations

import json
import unittest

from tandem import wire


class EncodeTest(unittest.TestCase):
    def test_one_compact_line_with_raw_utf8(self) -> None:
        frame = wire.encode(wire.result(1, {"text": "héllo\nworld"}))
        self.assertTrue(frame.endswith(b"\n"))
        self.assertEqual(frame.count(b"\n"), 1)
        self.assertIn("héllo".encode(), frame)

    def test_lone_surrogate_falls_back_to_escapes(self) -> None:
        frame = wire.encode(wire.result(1, {"text": "\ud800"}))
        self.assertEqual(json.loads(frame)["result"]["text"], "\ud800")

    def test_error_with_null_id(self) -> None:
        self.assertEqual(
            json.loads(wire.encode(wire.error(None, wire.PARSE_ERROR, "bad"))),
            {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "bad"}},
        )


class DecodeLimitsTest(unittest.TestCase):
    def test_deep_nesting_is_a_parse_error_not_a_crash(self) -> None:
        frame = b"[" * 100_000 + b"]" * 100_000
        decoded = wire.decode(frame)
        self.assertIsInstance(decoded, wire.Invalid)
        self.assertEqual(decoded.code, wire.PARSE_ERROR)


class FrameSplitterTest(unittest.TestCase):
    def frames_of(self, data: bytes, max_bytes: int, chunk: int = 7) -> list[bytes]:
        splitter = wire.FrameSplitter(max_bytes)
        frames = []
        for start in range(0, len(data), chunk):
            frames += splitter.feed(data[start : start + chunk])
        last = splitter.finish()
        return frames + ([last] if last is not None else [])

    def test_splits_lines_across_chunks(self) -> None:
        frames = self.frames_of(b"abc\ndefghijkl\n\nlast", 100)
        self.assertEqual(frames, [b"abc", b"defghijkl", b"", b"last"])

    def test_whole_lines_in_one_read_are_split_as_they_are(self) -> None:
        self.assertEqual(self.frames_of(b"abc\n\nde\n", 100, chunk=100), [b"abc", b"", b"de"])

    def test_oversized_line_is_cut_but_still_over_the_limit(self) -> None:
        frames = self.frames_of(b"x" * 1000 + b"\r\n{}\n", 10)
        self.assertEqual(len(frames), 2)
        self.assertEqual(len(frames[0]), 12)
        self.assertIsInstance(wire.decode(frames[0], 10), wire.Invalid)
        self.assertEqual(frames[1], b"{}")


if __name__ == "__main__":
    unittest.main()
