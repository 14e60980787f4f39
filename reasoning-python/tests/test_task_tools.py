"""Through a real worker: a task tool's tools/list entry, and ProtocolError as the one exception
that answers a call with a JSON-RPC error instead of an isError result."""

from __future__ import annotations

import unittest

from harness import Worker


class TaskToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.worker = Worker("task_tools")
        cls.worker.initialize()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.worker.stop()

    def test_a_task_tool_is_listed_with_its_task_support_and_idempotence(self) -> None:
        tools = {t["name"]: t for t in self.worker.call("tools/list", {})["result"]["tools"]}
        self.assertEqual(tools["crawl"]["execution"], {"taskSupport": "optional"})
        self.assertEqual(tools["crawl"]["annotations"], {"idempotentHint": True})
        self.assertNotIn("execution", tools["refuse"])

    def test_protocol_error_answers_with_its_json_rpc_error(self) -> None:
        for tool, message in (("refuse", "refused on purpose"),
                              ("refuse_async", "refused on purpose, async")):
            answer = self.worker.call_tool(tool)
            self.assertNotIn("result", answer, answer)
            self.assertEqual(answer["error"]["code"], -32603)
            self.assertEqual(answer["error"]["message"], message)
        self.assertEqual(self.worker.call_tool("refuse")["error"]["data"], {"why": "test"})

    def test_any_other_rpc_error_is_still_a_tool_error(self) -> None:
        result = self.worker.call_tool("plain_rpc_error")["result"]
        self.assertTrue(result["isError"])
        self.assertIn("user rejected", result["content"][0]["text"])


if __name__ == "__main__":
    unittest.main()
