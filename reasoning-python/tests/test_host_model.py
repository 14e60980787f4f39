"""HostModel: a tool written against the model interface asks the host's own
model through sampling/createMessage when it runs in a worker."""

from __future__ import annotations

import unittest

from harness import Worker

SAMPLING = {"sampling": {}}


def host_answer(text: str) -> dict:
    return {"role": "assistant", "content": {"type": "text", "text": text},
            "model": "claude-host", "stopReason": "endTurn"}


class HostModelTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("model_tools")
        self.addCleanup(self.worker.stop)
        self.worker.initialize(capabilities=SAMPLING)

    def answer_sampling(self, text: str) -> dict:
        request = self.worker.wait_for(lambda m: m.get("method") == "sampling/createMessage")
        self.worker.send({"jsonrpc": "2.0", "id": request["id"], "result": host_answer(text)})
        return request["params"]

    def test_sync_tool_parses_the_hosts_answer_into_its_dataclass(self) -> None:
        call_id = self.worker.start_tool("classify", {"text": "great product"})
        params = self.answer_sampling("```json\n{'label': 'praise', 'confidence': '0.9',}\n```")
        self.assertEqual(params["messages"], [
            {"role": "user", "content": {"type": "text", "text": "Classify: great product"}}])
        self.assertEqual(params["systemPrompt"], "Answer in JSON.")
        self.assertEqual(params["maxTokens"], 60)
        self.assertEqual(params["_meta"], {"tandem/callId": call_id})
        result = self.worker.response(call_id)["result"]
        self.assertEqual(result["structuredContent"], {"label": "praise", "confidence": 0.9})

    def test_async_tool_awaits_the_host(self) -> None:
        call_id = self.worker.start_tool("classify_async", {"text": "meh"})
        self.answer_sampling("neutral")
        result = self.worker.response(call_id)["result"]
        self.assertEqual(result["structuredContent"],
                         {"text": "neutral", "provider": "host", "model": "claude-host"})

    def test_unparseable_answer_is_a_tool_error_quoting_it(self) -> None:
        call_id = self.worker.start_tool("classify", {"text": "x"})
        self.answer_sampling("I cannot classify that.")
        result = self.worker.response(call_id)["result"]
        self.assertTrue(result["isError"])
        self.assertIn("ParseError: no JSON object in the answer: 'I cannot classify that.'",
                      result["content"][0]["text"])

    def test_blocking_call_in_an_async_tool_says_what_to_do(self) -> None:
        result = self.worker.call_tool("blocks_the_loop")["result"]
        self.assertTrue(result["isError"])
        self.assertIn("use `await model.acomplete(...)` instead", result["content"][0]["text"])


if __name__ == "__main__":
    unittest.main()
