"""Garbage on the wire gets a JSON-RPC error and the worker keeps serving."""

from __future__ import annotations

import unittest

from harness import Worker


class BadFramesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("basics", extra_args=("--max-frame-bytes", "1000"))
        self.addCleanup(self.worker.stop)

    def error_for(self, frame: bytes) -> dict:
        self.worker.send_raw(frame + b"\n")
        answer = self.worker.wait_for(lambda m: "error" in m)
        self.assertEqual(self.worker.call("ping")["result"], {}, "the worker stopped serving")
        return answer

    def test_garbage_is_a_parse_error_with_null_id(self) -> None:
        answer = self.error_for(b"this is not json")
        self.assertIsNone(answer["id"])
        self.assertEqual(answer["error"]["code"], -32700)

    def test_invalid_utf8_is_a_parse_error(self) -> None:
        answer = self.error_for(b'{"jsonrpc":"2.0","id":1,"method":"p\xff"}')
        self.assertEqual(answer["error"]["code"], -32700)

    def test_batch_is_an_invalid_request(self) -> None:
        answer = self.error_for(b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]')
        self.assertEqual(answer["error"]["code"], -32600)

    def test_invalid_request_echoes_a_valid_id(self) -> None:
        answer = self.error_for(b'{"jsonrpc":"1.0","id":"x1","method":"ping"}')
        self.assertEqual((answer["id"], answer["error"]["code"]), ("x1", -32600))

    def test_oversized_frame_is_an_invalid_request(self) -> None:
        padding = b"x" * 5000
        frame = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"%s"}}' % padding
        answer = self.error_for(frame)
        self.assertEqual((answer["id"], answer["error"]["code"]), (None, -32600))

    def test_unknown_method_names_it(self) -> None:
        answer = self.worker.call("tools/explode")
        self.assertEqual(
            answer["error"], {"code": -32601, "message": "Method not found: tools/explode"}
        )

    def test_duplicate_in_flight_id_is_refused(self) -> None:
        self.worker.initialize()
        frame = (
            b'{"jsonrpc":"2.0","id":"dup","method":"tools/call",'
            b'"params":{"name":"sleep","arguments":{"seconds":0.5}}}\n'
        )
        self.worker.send_raw(frame + frame)
        first = self.worker.response("dup")
        second = self.worker.response("dup")
        answers = sorted([first, second], key=lambda m: "error" in m)
        self.assertEqual(answers[1]["error"]["code"], -32600)
        self.assertEqual(answers[0]["result"]["content"][0]["text"], "slept 0.5s")

    def test_unknown_notifications_and_stray_responses_get_no_answer(self) -> None:
        self.worker.notify("notifications/whatever", {"x": 1})
        self.worker.send({"jsonrpc": "2.0", "id": "w-999", "result": {}})
        self.assertEqual(self.worker.call("ping")["result"], {})
        self.assertEqual(self.worker.unmatched, [])


if __name__ == "__main__":
    unittest.main()
