"""A tool's Context talks to the client: progress, log lines, and requests
(sampling, roots) the daemon routes by the `tandem/callId` _meta key."""

from __future__ import annotations

import unittest
from typing import Any

from harness import Worker

SAMPLING = {"sampling": {}, "roots": {"listChanged": False}}
ANSWER = {"role": "assistant", "content": {"type": "text", "text": "4"}, "model": "m"}


class HostRequestsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("basics", "host_requests", "slow_tools")
        self.addCleanup(self.worker.stop)

    def answer_next(self, method: str, **reply: Any) -> dict[str, Any]:
        """Wait for the worker's request `method`; reply with result= or error=."""
        request = self.worker.wait_for(lambda m: m.get("method") == method and "id" in m)
        self.worker.send({"jsonrpc": "2.0", "id": request["id"], **reply})
        return request

    def test_sampling_request_carries_the_call_id_and_returns_the_answer(self) -> None:
        self.worker.initialize(capabilities=SAMPLING)
        for tool in ("ask_model", "ask_model_sync"):
            with self.subTest(tool=tool):
                call_id = self.worker.start_tool(tool, {"question": "2+2?"})
                request = self.answer_next("sampling/createMessage", result=ANSWER)
                self.assertTrue(request["id"].startswith("w-"))
                params = request["params"]
                self.assertEqual(params["_meta"], {"tandem/callId": call_id})
                self.assertEqual(params["maxTokens"], 50)
                self.assertEqual(
                    params["messages"],
                    [{"role": "user", "content": {"type": "text", "text": "2+2?"}}],
                )
                result = self.worker.response(call_id)["result"]
                self.assertEqual(result["content"][0]["text"], "4")

    def test_client_error_reaches_the_tool_as_an_exception(self) -> None:
        self.worker.initialize(capabilities=SAMPLING)
        call_id = self.worker.start_tool("ask_model", {"question": "?"})
        rejected = {"code": -1, "message": "user rejected"}
        self.answer_next("sampling/createMessage", error=rejected)
        result = self.worker.response(call_id)["result"]
        self.assertTrue(result["isError"])
        self.assertEqual(result["content"][0]["text"], "RpcError: user rejected")

    def test_sampling_without_the_client_capability_fails_clearly(self) -> None:
        self.worker.initialize(capabilities={})
        result = self.worker.call_tool("ask_model", {"question": "?"})["result"]
        self.assertTrue(result["isError"])
        self.assertIn("did not declare the 'sampling' capability", result["content"][0]["text"])

    def test_roots(self) -> None:
        self.worker.initialize(capabilities=SAMPLING)
        call_id = self.worker.start_tool("list_roots")
        self.answer_next("roots/list", result={"roots": [{"uri": "file:///src"}]})
        result = self.worker.response(call_id)["result"]
        self.assertEqual(result["structuredContent"], {"result": ["file:///src"]})

    def test_cancelling_a_call_cancels_its_pending_sampling_request(self) -> None:
        self.worker.initialize(capabilities=SAMPLING)
        call_id = self.worker.start_tool("ask_model", {"question": "?"})
        request = self.worker.wait_for(lambda m: m.get("method") == "sampling/createMessage")
        self.worker.notify("notifications/cancelled", {"requestId": call_id})
        cancel = self.worker.wait_for(lambda m: m.get("method") == "notifications/cancelled")
        self.assertEqual(cancel["params"]["requestId"], request["id"])

    def test_progress_uses_the_callers_token(self) -> None:
        self.worker.initialize()
        call_id = self.worker.start_tool("count", {"n": 3}, _meta={"progressToken": "tok-1"})
        self.worker.response(call_id)
        expected = [
            {"progressToken": "tok-1", "progress": step, "total": 3, "message": f"counted {step}"}
            for step in (1, 2, 3)
        ]
        self.assertEqual(self.worker.notifications("notifications/progress"), expected)

    def test_no_progress_without_a_token(self) -> None:
        self.worker.initialize()
        self.worker.call_tool("count", {"n": 2})
        self.assertEqual(self.worker.unmatched, [])

    def test_log_lines_respect_the_level_and_carry_the_call_id(self) -> None:
        self.worker.initialize()
        first = self.worker.start_tool("chatty")
        self.worker.response(first)
        [warning] = self.worker.notifications("notifications/message")
        self.assertEqual(
            warning,
            {"level": "warning", "data": "a warning line", "_meta": {"tandem/callId": first}},
        )

        self.worker.unmatched.clear()
        self.assertEqual(self.worker.call("logging/setLevel", {"level": "debug"})["result"], {})
        self.worker.call_tool("chatty")
        levels = [p["level"] for p in self.worker.notifications("notifications/message")]
        self.assertEqual(levels, ["debug", "warning"])
        bad_level = self.worker.call("logging/setLevel", {"level": "loud"})
        self.assertEqual(bad_level["error"]["code"], -32602)

    def test_sync_tools_use_context_without_await(self) -> None:
        self.worker.initialize()
        call_id = self.worker.start_tool("chatty_sync", _meta={"progressToken": 9})
        self.assertEqual(self.worker.response(call_id)["result"]["content"][0]["text"], "done")
        methods = [m["method"] for m in self.worker.unmatched]
        self.assertEqual(methods, ["notifications/message", "notifications/progress"])
        self.worker.wait_stderr(f"[call {call_id}]: from a thread")


if __name__ == "__main__":
    unittest.main()
