"""What a tool returns maps to the CallToolResult DESIGN.md promises."""

from __future__ import annotations

import enum
import json
import os
import unittest
from dataclasses import dataclass
from unittest import mock

from tandem.results import call_result, exception_result


@dataclass
class Stats:
    words: int
    kind: Kind


class Kind(enum.Enum):
    PROSE = "prose"


class CallResultTest(unittest.TestCase):
    def test_str_is_text(self) -> None:
        self.assertEqual(
            call_result("hello", "dynamic"), {"content": [{"type": "text", "text": "hello"}]}
        )

    def test_dict_is_structured_content_plus_its_json(self) -> None:
        result = call_result({"a": 1}, "dynamic")
        self.assertEqual(result["structuredContent"], {"a": 1})
        self.assertEqual(json.loads(result["content"][0]["text"]), {"a": 1})
        self.assertNotIn("isError", result)

    def test_dataclass_is_structured_content_with_enums_as_values(self) -> None:
        result = call_result(Stats(3, Kind.PROSE), "object")
        self.assertEqual(result["structuredContent"], {"words": 3, "kind": "prose"})
        self.assertEqual(json.loads(result["content"][0]["text"]), {"words": 3, "kind": "prose"})

    def test_primitives_and_lists_are_wrapped_in_result(self) -> None:
        for value in (42, 2.5, True, [1, 2]):
            with self.subTest(value=value):
                result = call_result(value, "dynamic")
                self.assertEqual(result["structuredContent"], {"result": value})
                self.assertEqual(json.loads(result["content"][0]["text"]), value)

    def test_declared_wrapped_output_wraps_even_dicts(self) -> None:
        result = call_result({"a": 1}, "wrapped")
        self.assertEqual(result["structuredContent"], {"result": {"a": 1}})

    def test_none_is_empty_content(self) -> None:
        self.assertEqual(call_result(None, "dynamic"), {"content": []})

    def test_object_output_that_is_not_an_object_fails(self) -> None:
        with self.assertRaisesRegex(TypeError, "declares an object result but returned a int"):
            call_result(3, "object")

    def test_unserializable_value_fails(self) -> None:
        with self.assertRaisesRegex(TypeError, "object cannot be sent as JSON"):
            call_result(object(), "wrapped")
        with self.assertRaises(ValueError):
            call_result(float("nan"), "wrapped")

    def test_exception_is_tool_error_with_type_and_message(self) -> None:
        self.assertEqual(
            exception_result(ValueError("boom")),
            {"content": [{"type": "text", "text": "ValueError: boom"}], "isError": True},
        )



class ExceptionResultTest(unittest.TestCase):
    def test_a_key_quoted_in_an_exception_message_is_redacted(self) -> None:
        with mock.patch.dict(os.environ, {"SERVICE_API_KEY": "sk-live-0123456789"}):
            result = exception_result(RuntimeError("401 for key sk-live-0123456789"))
        self.assertTrue(result["isError"])
        self.assertEqual("RuntimeError: 401 for key [redacted $SERVICE_API_KEY]", result["content"][0]["text"])

if __name__ == "__main__":
    unittest.main()
