"""x-mcp-header declarations (SEP-2243): what a tool advertises, and what it may not."""

from __future__ import annotations

import unittest
from typing import Annotated, Optional

from tandem import Header
from tandem.headers import InvalidHeader
from tandem.tools import define_tool


def _region(region: Annotated[str, "where to run", Header("Region")], query: str) -> str:
    return region + query


class DeclaredHeaders(unittest.TestCase):
    def test_an_annotated_parameter_carries_its_header_name_in_the_schema(self):
        schema = define_tool(_region).input_schema
        self.assertEqual(
            {"type": "string", "description": "where to run", "x-mcp-header": "Region"},
            schema["properties"]["region"],
        )
        self.assertNotIn("x-mcp-header", schema["properties"]["query"])

    def test_the_annotation_does_not_change_how_arguments_bind(self):
        tool = define_tool(_region)
        self.assertEqual(
            ([], {"region": "eu", "query": "q"}),
            tool.signature.bind({"region": "eu", "query": "q"}, None),
        )

    def test_int_and_bool_parameters_may_be_mirrored(self):
        def f(n: Annotated[int, Header("N")], on: Annotated[bool, Header("On")]) -> None: ...

        props = define_tool(f).input_schema["properties"]
        self.assertEqual("N", props["n"]["x-mcp-header"])
        self.assertEqual("On", props["on"]["x-mcp-header"])


class RefusedAtDefinition(unittest.TestCase):
    def assertRefused(self, fn, *fragments, **options):
        with self.assertRaises(InvalidHeader) as caught:
            define_tool(fn, **options)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))

    def test_a_float_parameter(self):
        def ratio(r: Annotated[float, Header("Ratio")]) -> None: ...

        self.assertRefused(ratio, "tool 'ratio'", "parameter 'r'", "'number'")

    def test_an_optional_parameter_whose_schema_is_not_one_primitive(self):
        def maybe(r: Annotated[Optional[str], Header("R")] = None) -> None: ...

        self.assertRefused(maybe, "tool 'maybe'", "parameter 'r'")

    def test_a_name_that_is_not_an_http_token(self):
        def spaced(r: Annotated[str, Header("My Region")]) -> None: ...

        self.assertRefused(spaced, "parameter 'r'", "'My Region'", "token")

    def test_an_empty_name(self):
        def empty(r: Annotated[str, Header("")]) -> None: ...

        self.assertRefused(empty, "parameter 'r'", "non-empty")

    def test_two_names_equal_but_for_case(self):
        def twice(a: Annotated[str, Header("Zone")], b: Annotated[str, Header("ZONE")]) -> None: ...

        self.assertRefused(twice, "parameter 'b'", "already used by parameter 'a'")

    def test_a_header_inside_an_array_in_an_explicit_schema(self):
        schema = {
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": {"type": "string", "x-mcp-header": "Tag"}}
            },
        }

        def tags(tags: list[str]) -> None: ...

        self.assertRefused(tags, "tool 'tags'", "tags/items", input_schema=schema)

    def test_a_nested_property_reached_through_properties_is_allowed(self):
        schema = {
            "type": "object",
            "properties": {
                "where": {
                    "type": "object",
                    "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
                }
            },
        }

        def nested(where: dict) -> None: ...

        self.assertEqual(schema, define_tool(nested, input_schema=schema).input_schema)


if __name__ == "__main__":
    unittest.main()
