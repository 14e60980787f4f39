"""notifications/cancelled stops the call and suppresses its response."""

from __future__ import annotations

import unittest

from harness import Worker


class CancellationTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("basics", "slow_tools")
        self.addCleanup(self.worker.stop)
        self.worker.initialize()

    def assert_never_answered(self, request_id: int) -> None:
        # Frames are written in order: once a later ping is answered, an answer
        # to the cancelled call would already have arrived.
        self.assertEqual(self.worker.call("ping")["result"], {})
        self.assertNotIn(request_id, [m.get("id") for m in self.worker.unmatched])

    def test_cancelled_async_tool_stops_and_gets_no_response(self) -> None:
        request_id = self.worker.start_tool("wait_forever")
        self.worker.wait_stderr(f"tools/call {request_id} wait_forever: started")
        self.worker.notify("notifications/cancelled", {"requestId": request_id, "reason": "test"})
        self.worker.wait_stderr(f"wait_forever {request_id} was cancelled")
        self.assert_never_answered(request_id)
        self.assertEqual(self.worker.call("tandem/stats")["result"]["inFlight"], 0)

    def test_cancelled_sync_tool_sees_ctx_cancelled_and_gets_no_response(self) -> None:
        request_id = self.worker.start_tool("spin_until_cancelled")
        # On its thread, not just submitted: a call cancelled before that never runs at all.
        self.worker.wait_stderr(f"spin_until_cancelled {request_id} is spinning")
        self.worker.notify("notifications/cancelled", {"requestId": request_id})
        self.worker.wait_stderr(f"spin_until_cancelled {request_id} saw cancelled")
        self.assert_never_answered(request_id)

    def test_cancelling_an_unknown_or_finished_request_is_ignored(self) -> None:
        done = self.worker.start_tool("echo", {"text": "x"})
        self.worker.response(done)
        self.worker.notify("notifications/cancelled", {"requestId": done})
        self.worker.notify("notifications/cancelled", {"requestId": "never-sent"})
        self.worker.notify("notifications/cancelled", {})
        self.assertEqual(self.worker.call("ping")["result"], {})

    def test_a_tool_raising_cancelled_error_itself_is_a_tool_error(self) -> None:
        result = self.worker.call_tool("cancel_myself")["result"]
        self.assertTrue(result["isError"])
        self.assertEqual(result["content"][0]["text"], "CancelledError: ")


if __name__ == "__main__":
    unittest.main()
