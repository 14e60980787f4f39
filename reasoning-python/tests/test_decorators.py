"""Decorating keeps functions plain and registers them once, by name."""

from __future__ import annotations

import asyncio
import unittest
from unittest import mock

from tandem import Context, prompt, resource, tool
from tandem.prompts import prompt_messages
from tandem.registry import Registry


class DecoratorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.registry = Registry()
        patches = [
            mock.patch(f"tandem.{module}.REGISTRY", self.registry)
            for module in ("tools", "prompts", "resources")
        ]
        for patch in patches:
            patch.start()
            self.addCleanup(patch.stop)

    def test_decorated_function_stays_a_plain_callable(self) -> None:
        def add(a: int, b: int = 2) -> int:
            return a + b

        self.assertIs(tool(add), add)
        self.assertEqual(add(1), 3)
        self.assertEqual(self.registry.tools.get("add").definition()["name"], "add")

    def test_async_tool_stays_awaitable(self) -> None:
        @tool
        async def later(x: int) -> int:
            return x * 2

        self.assertEqual(asyncio.run(later(2)), 4)
        self.assertTrue(self.registry.tools.get("later").is_async)

    def test_options(self) -> None:
        @tool(name="renamed", title="Renamed", description="Explicit.", read_only=True,
              annotations={"openWorldHint": False})
        def original() -> str:
            """Docstring loses to description."""
            return ""

        definition = self.registry.tools.get("renamed").definition()
        self.assertEqual(definition["title"], "Renamed")
        self.assertEqual(definition["description"], "Explicit.")
        self.assertEqual(definition["annotations"], {"openWorldHint": False, "readOnlyHint": True})

    def test_task_support_and_idempotence_are_declared_in_the_definition(self) -> None:
        @tool(task="optional", idempotent=True)
        def crawl(url: str) -> str:
            return url

        @tool(task="required", input_first=True)
        def ask_then_run() -> str:
            return ""

        crawl_def = self.registry.tools.get("crawl").definition()
        self.assertEqual(crawl_def["execution"], {"taskSupport": "optional"})
        self.assertEqual(crawl_def["annotations"], {"idempotentHint": True})
        self.assertNotIn("_meta", crawl_def)
        ask_def = self.registry.tools.get("ask_then_run").definition()
        self.assertEqual(ask_def["execution"], {"taskSupport": "required"})
        self.assertEqual(ask_def["_meta"], {"tandem/inputFirst": True})

    def test_a_tool_without_task_option_declares_no_execution(self) -> None:
        @tool
        def quick() -> str:
            return ""

        self.assertNotIn("execution", self.registry.tools.get("quick").definition())

    def test_a_bad_task_option_is_an_error_naming_the_tool(self) -> None:
        with self.assertRaisesRegex(ValueError, "'weird'.*task='sometimes'"):
            @tool(task="sometimes")  # type: ignore[arg-type]
            def weird() -> str:
                return ""
        with self.assertRaisesRegex(ValueError, "'eager'.*input_first=True needs task"):
            @tool(input_first=True)
            def eager() -> str:
                return ""

    def test_same_name_from_two_functions_is_an_error_naming_both(self) -> None:
        @tool(name="twin")
        def first() -> str:
            return ""

        def second() -> str:
            return ""

        expected = "tool 'twin' is defined twice: by .*first and by .*second"
        with self.assertRaisesRegex(ValueError, expected):
            tool(name="twin")(second)

    def test_redefining_the_same_function_replaces_it(self) -> None:
        # What re-running a notebook cell does.
        for text in ("one", "two"):
            @tool
            def cell() -> str:
                return text

        self.assertEqual(self.registry.tools.get("cell").fn(), "two")

    def test_bad_names_and_signatures_fail_at_decoration(self) -> None:
        with self.assertRaisesRegex(ValueError, "tool name 'has space'"):
            tool(name="has space")(lambda: "")
        with self.assertRaisesRegex(TypeError, r"\*args and \*\*kwargs"):
            def variadic(*args: str) -> str:
                return ""
            tool(variadic)
        with self.assertRaisesRegex(TypeError, "complex"):
            def takes_complex(z: complex) -> str:
                return ""
            tool(takes_complex)

    def test_prompt_arguments_from_signature(self) -> None:
        @prompt
        def summarize(text: str, words: int = 50, ctx: Context | None = None) -> str:
            """Summarize a text.

            Args:
                text: The text.
            """
            return text

        self.assertEqual(
            self.registry.prompts.get("summarize").definition(),
            {
                "name": "summarize",
                "description": "Summarize a text.",
                "arguments": [
                    {"name": "text", "description": "The text.", "required": True},
                    {"name": "words", "required": False},
                ],
            },
        )

    def test_prompt_messages_from_strings_and_dicts(self) -> None:
        self.assertEqual(
            prompt_messages(["hi", {"role": "assistant", "content": "hello"}]),
            [
                {"role": "user", "content": {"type": "text", "text": "hi"}},
                {"role": "assistant", "content": {"type": "text", "text": "hello"}},
            ],
        )
        with self.assertRaisesRegex(TypeError, "prompt message 0"):
            prompt_messages([{"role": "system", "content": "x"}])

    def test_resource_templates_match_and_decode_variables(self) -> None:
        @resource("notes://{folder}/{+path}", mime_type="text/plain")
        def note(folder: str, path: str) -> str:
            return path

        entry = self.registry.resources.get("notes://{folder}/{+path}")
        self.assertTrue(entry.is_template)
        self.assertEqual(
            entry.match("notes://work/a/b%20c.txt"), {"folder": "work", "path": "a/b c.txt"}
        )
        self.assertIsNone(entry.match("other://work/a"))
        self.assertEqual(
            entry.definition(),
            {"uriTemplate": "notes://{folder}/{+path}", "name": "note", "mimeType": "text/plain"},
        )

    def test_resource_parameters_must_match_the_template(self) -> None:
        with self.assertRaisesRegex(TypeError, "URI variables"):
            @resource("notes://{folder}")
            def wrong(name: str) -> str:
                return name


if __name__ == "__main__":
    unittest.main()
