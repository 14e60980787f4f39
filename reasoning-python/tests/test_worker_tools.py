"""tools/call through a real worker: each kind of result, and each kind of failure."""

from __future__ import annotations

import json
import unittest

from harness import Worker

REVIEW_TEXT = "Review this code with strictness 3:\nx = 1"


class ToolCallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.worker = Worker("basics", "catalog")
        cls.worker.initialize()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.worker.stop()

    def result(self, name: str, arguments: dict | None = None) -> dict:
        answer = self.worker.call_tool(name, arguments)
        self.assertIn("result", answer, answer)
        return answer["result"]

    def test_str_result_is_text(self) -> None:
        self.assertEqual(
            self.result("echo", {"text": "hi", "times": 3}),
            {"content": [{"type": "text", "text": "hi hi hi"}]},
        )

    def test_dataclass_result_is_structured_content_and_json_text(self) -> None:
        result = self.result("text_stats", {"text": "one two\nthree"})
        expected = {"characters": 13, "words": 3, "lines": 2}
        self.assertEqual(result["structuredContent"], expected)
        self.assertEqual(json.loads(result["content"][0]["text"]), expected)

    def test_primitive_result_is_wrapped(self) -> None:
        result = self.result("distance", {"a": {"x": 0, "y": 0}, "b": {"x": 3, "y": 4}})
        self.assertEqual(result["structuredContent"], {"result": 5.0})

    def test_exception_is_a_tool_error_not_a_protocol_error(self) -> None:
        self.assertEqual(
            self.result("fail", {"message": "kaput"}),
            {"content": [{"type": "text", "text": "ValueError: kaput"}], "isError": True},
        )

    def test_wrong_argument_type_is_a_tool_error_naming_parameter_type_and_value(self) -> None:
        result = self.result("echo", {"text": "hi", "times": "abc"})
        self.assertTrue(result["isError"])
        self.assertEqual(
            result["content"][0]["text"],
            "Invalid arguments for tool 'echo': argument 'times': expected integer, got \"abc\"",
        )

    def test_missing_argument_is_a_tool_error(self) -> None:
        result = self.result("echo", {})
        self.assertTrue(result["isError"])
        self.assertIn("missing required argument 'text' (string)", result["content"][0]["text"])

    def test_unknown_tool_is_a_protocol_error(self) -> None:
        answer = self.worker.call_tool("nope")
        self.assertEqual(answer["error"], {"code": -32602, "message": "Unknown tool: nope"})

    def test_arguments_that_are_not_an_object_are_a_protocol_error(self) -> None:
        answer = self.worker.call("tools/call", {"name": "echo", "arguments": [1]})
        self.assertEqual(answer["error"]["code"], -32602)
        answer = self.worker.call("tools/call", {"arguments": {}})
        self.assertEqual(answer["error"]["code"], -32602)

    def test_each_call_is_annotated_in_the_log(self) -> None:
        request_id = self.worker.request("tools/call", {"name": "fail", "arguments": {}})
        self.worker.response(request_id)
        self.worker.wait_stderr(f"tools/call {request_id} fail: raised ValueError in")


class PromptAndResourceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.worker = Worker("catalog")
        cls.worker.initialize()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.worker.stop()

    def test_prompts_list(self) -> None:
        prompts = {p["name"]: p for p in self.worker.call("prompts/list")["result"]["prompts"]}
        self.assertEqual(
            prompts["review"]["arguments"],
            [
                {"name": "code", "description": "The code to review.", "required": True},
                {"name": "strictness", "description": "How picky to be, 1-3.", "required": False},
            ],
        )
        self.assertEqual(prompts["dialogue"]["title"], "A short dialogue")

    def test_prompt_get_converts_string_arguments(self) -> None:
        answer = self.worker.call(
            "prompts/get", {"name": "review", "arguments": {"code": "x = 1", "strictness": "3"}}
        )
        self.assertEqual(
            answer["result"]["messages"],
            [{"role": "user", "content": {"type": "text", "text": REVIEW_TEXT}}],
        )

    def test_prompt_errors_are_invalid_params(self) -> None:
        unknown = self.worker.call("prompts/get", {"name": "nope"})
        self.assertEqual(unknown["error"], {"code": -32602, "message": "Unknown prompt: nope"})
        missing = self.worker.call("prompts/get", {"name": "review", "arguments": {}})
        self.assertEqual(missing["error"]["code"], -32602)
        self.assertIn("missing required argument 'code'", missing["error"]["message"])

    def test_resources_and_templates_are_listed_apart(self) -> None:
        resources = self.worker.call("resources/list")["result"]["resources"]
        self.assertIn(
            {
                "uri": "tandem://readme",
                "name": "readme",
                "description": "The readme.",
                "mimeType": "text/markdown",
            },
            resources,
        )
        templates = self.worker.call("resources/templates/list")["result"]["resourceTemplates"]
        self.assertEqual(
            [t["uriTemplate"] for t in templates], ["tandem://users/{user_id}/profile"]
        )

    def test_read_static_and_templated_resources(self) -> None:
        readme = self.worker.call("resources/read", {"uri": "tandem://readme"})["result"]
        self.assertEqual(
            readme["contents"],
            [{"uri": "tandem://readme", "mimeType": "text/markdown", "text": "# hello"}],
        )
        profile = self.worker.call("resources/read", {"uri": "tandem://users/7/profile"})["result"]
        self.assertEqual(profile["contents"][0]["mimeType"], "application/json")
        self.assertEqual(json.loads(profile["contents"][0]["text"]), {"id": 7, "name": "user 7"})

    def test_resource_errors(self) -> None:
        missing = self.worker.call("resources/read", {"uri": "tandem://nothing"})
        self.assertEqual(
            missing["error"],
            {
                "code": -32002,
                "message": "Resource not found: tandem://nothing",
                "data": {"uri": "tandem://nothing"},
            },
        )
        broken = self.worker.call("resources/read", {"uri": "tandem://broken"})
        self.assertEqual(broken["error"]["code"], -32603)
        self.assertIn("OSError: disk on fire", broken["error"]["message"])
        bad_variable = self.worker.call("resources/read", {"uri": "tandem://users/abc/profile"})
        self.assertEqual(bad_variable["error"]["code"], -32602)


if __name__ == "__main__":
    unittest.main()
