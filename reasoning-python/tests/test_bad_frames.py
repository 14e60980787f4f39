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

    def test_oversized_frame_is_an_invalid_request_answering_its_leading_id(self) -> None:
        # Past the limit the daemon reads from us plus the margin for what it adds to a request.
        padding = b"x" * 100_000
        frame = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"%s"}}' % padding
        answer = self.error_for(frame)
        self.assertEqual((answer["id"], answer["error"]["code"]), (1, -32600))
        self.assertIn("max_frame_bytes", answer["error"]["message"])

    def test_a_frame_the_daemon_could_have_grown_is_still_read(self) -> None:
        # Over --max-frame-bytes, within the margin: the daemon checked the host's message
        # against that limit before adding its own fields, so this must not be refused.
        answer = self.worker.call("ping", {"p": "x" * 2000})
        self.assertEqual(answer["result"], {})

    def test_nesting_the_daemon_accepts_is_read_and_answered_by_id(self) -> None:
        # The daemon's parser allows 1,000 levels (this client's json could not even write it).
        deep = b'{"d":' * 995 + b"1" + b"}" * 995
        worker = Worker("basics", extra_args=("--max-frame-bytes", "100000"))
        self.addCleanup(worker.stop)
        worker.initialize()
        worker.send_raw(b'{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"echo",'
                        b'"arguments":{"text":"x","extra":' + deep + b"}}}\n")
        answer = worker.response("deep")
        self.assertTrue(answer["result"]["isError"])
        self.assertIn("unknown argument 'extra'", answer["result"]["content"][0]["text"])

    def test_too_deep_to_read_is_answered_by_id(self) -> None:
        worker = Worker("basics", extra_args=("--max-frame-bytes", "1000"))
        self.addCleanup(worker.stop)
        worker.send_raw(b'{"jsonrpc":"2.0","id":"deeper","method":"ping","params":{"a":'
                        + b"[" * 5000 + b"]" * 5000 + b"}}\n")
        answer = worker.wait_for(lambda m: m.get("id") == "deeper")
        self.assertEqual(answer["error"], {"code": -32700, "message": "message nests JSON too deeply"})
        self.assertEqual(worker.call("ping")["result"], {}, "the worker stopped serving")

    def test_an_answer_over_the_limit_is_an_error_that_says_so(self) -> None:
        self.worker.initialize()
        answer = self.worker.call_tool("echo", {"text": "y" * 600, "times": 3})
        self.assertEqual(answer["error"]["code"], -32603)
        self.assertIn("over the 1,000-byte limit of one message", answer["error"]["message"])
        self.assertEqual(self.worker.call_tool("echo", {"text": "ok"})["result"]["content"][0]["text"], "ok")

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
