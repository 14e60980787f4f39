"""Every supported type hint becomes the JSON Schema a client validates against."""

from __future__ import annotations

import enum
import unittest
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Optional, TypedDict

from tandem import Context
from tandem.schema import UnsupportedType, schema_for
from tandem.tools import define_tool


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass
class Point:
    x: float
    y: float = 0.0


@dataclass
class Shape:
    name: str
    points: list[Point]
    tags: list[str] = field(default_factory=list)


@dataclass
class Tree:
    value: int
    children: list[Tree] = field(default_factory=list)


class Movie(TypedDict):
    title: str
    year: int


class PartialMovie(TypedDict, total=False):
    title: str


class SchemaForHintsTest(unittest.TestCase):
    def test_primitives(self) -> None:
        self.assertEqual(schema_for(str), {"type": "string"})
        self.assertEqual(schema_for(int), {"type": "integer"})
        self.assertEqual(schema_for(float), {"type": "number"})
        self.assertEqual(schema_for(bool), {"type": "boolean"})
        self.assertEqual(schema_for(Any), {})

    def test_lists(self) -> None:
        self.assertEqual(schema_for(list[int]), {"type": "array", "items": {"type": "integer"}})
        self.assertEqual(schema_for(list), {"type": "array"})
        self.assertEqual(
            schema_for(list[list[str]]),
            {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        )

    def test_dicts(self) -> None:
        self.assertEqual(schema_for(dict), {"type": "object"})
        self.assertEqual(
            schema_for(dict[str, float]),
            {"type": "object", "additionalProperties": {"type": "number"}},
        )

    def test_dict_with_non_string_keys_is_rejected(self) -> None:
        with self.assertRaises(UnsupportedType):
            schema_for(dict[int, str])

    def test_optional_both_spellings(self) -> None:
        expected = {"anyOf": [{"type": "string"}, {"type": "null"}]}
        self.assertEqual(schema_for(Optional[str]), expected)
        self.assertEqual(schema_for(str | None), expected)

    def test_union(self) -> None:
        self.assertEqual(
            schema_for(int | str), {"anyOf": [{"type": "integer"}, {"type": "string"}]}
        )

    def test_literal(self) -> None:
        self.assertEqual(
            schema_for(Literal["fast", "slow"]), {"type": "string", "enum": ["fast", "slow"]}
        )
        self.assertEqual(schema_for(Literal[1, "a"]), {"enum": [1, "a"]})

    def test_enums(self) -> None:
        self.assertEqual(
            schema_for(Color), {"title": "Color", "type": "string", "enum": ["red", "green"]}
        )
        self.assertEqual(schema_for(Level), {"title": "Level", "type": "integer", "enum": [1, 2]})

    def test_nested_dataclasses(self) -> None:
        self.assertEqual(
            schema_for(Shape),
            {
                "type": "object",
                "title": "Shape",
                "properties": {
                    "name": {"type": "string"},
                    "points": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "title": "Point",
                            "properties": {
                                "x": {"type": "number"},
                                "y": {"type": "number", "default": 0.0},
                            },
                            "required": ["x"],
                        },
                    },
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["name", "points"],
            },
        )

    def test_recursive_dataclass_stops_at_the_cycle(self) -> None:
        schema = schema_for(Tree)
        self.assertEqual(
            schema["properties"]["children"]["items"], {"type": "object", "title": "Tree"}
        )

    def test_typed_dicts(self) -> None:
        self.assertEqual(
            schema_for(Movie),
            {
                "type": "object",
                "title": "Movie",
                "properties": {"title": {"type": "string"}, "year": {"type": "integer"}},
                "required": ["title", "year"],
            },
        )
        self.assertNotIn("required", schema_for(PartialMovie))

    def test_annotated_string_is_a_description(self) -> None:
        self.assertEqual(
            schema_for(Annotated[int, "how many"]), {"type": "integer", "description": "how many"}
        )

    def test_unsupported_type_names_it(self) -> None:
        with self.assertRaisesRegex(UnsupportedType, "complex"):
            schema_for(complex)


def search(
    query: str,
    limit: int = 10,
    mode: Literal["fast", "slow"] = "fast",
    color: Color = Color.RED,
    near: Point | None = None,
    ctx: Context | None = None,
) -> list[str]:
    """Search the catalog.

    Longer explanation that is not part of the description.

    Args:
        query: What to look for.
        limit: At most this many
            results (continued line).
        mode: How hard to look.
    """
    return []


def no_params() -> str:
    return ""


class ToolSchemaTest(unittest.TestCase):
    def test_input_schema_from_signature_and_docstring(self) -> None:
        tool = define_tool(search)
        self.assertEqual(tool.description, "Search the catalog.")
        schema = tool.input_schema
        self.assertEqual(schema["required"], ["query"])
        self.assertFalse(schema["additionalProperties"])
        props = schema["properties"]
        self.assertEqual(props["query"], {"type": "string", "description": "What to look for."})
        self.assertEqual(
            props["limit"],
            {
                "type": "integer",
                "description": "At most this many results (continued line).",
                "default": 10,
            },
        )
        self.assertEqual(props["mode"]["default"], "fast")
        self.assertEqual(props["color"]["default"], "red")
        self.assertEqual(props["near"]["anyOf"][1], {"type": "null"})
        self.assertEqual(props["near"]["default"], None)

    def test_context_parameter_is_not_in_the_schema(self) -> None:
        tool = define_tool(search)
        self.assertNotIn("ctx", tool.input_schema["properties"])
        self.assertEqual(tool.signature.context_param, "ctx")

    def test_no_parameters_accepts_only_an_empty_object(self) -> None:
        self.assertEqual(
            define_tool(no_params).input_schema,
            {"type": "object", "additionalProperties": False},
        )


def returns_str() -> str:
    return ""


def returns_int() -> int:
    return 1


def returns_list() -> list[int]:
    return []


def returns_point() -> Point:
    return Point(1)


def returns_movie() -> Movie:
    return {"title": "x", "year": 1}


def returns_dict() -> dict[str, int]:
    return {}


def returns_nothing() -> None:
    return None


def returns_unannotated():  # type: ignore[no-untyped-def]
    return 1


class OutputSchemaTest(unittest.TestCase):
    def test_str_has_no_output_schema(self) -> None:
        self.assertIsNone(define_tool(returns_str).output_schema)
        self.assertIsNone(define_tool(returns_nothing).output_schema)
        self.assertIsNone(define_tool(returns_unannotated).output_schema)

    def test_primitives_are_wrapped_in_result(self) -> None:
        self.assertEqual(
            define_tool(returns_int).output_schema,
            {
                "type": "object",
                "properties": {"result": {"type": "integer"}},
                "required": ["result"],
            },
        )
        self.assertEqual(define_tool(returns_list).output, "wrapped")

    def test_objects_are_their_own_schema(self) -> None:
        self.assertEqual(define_tool(returns_point).output_schema, schema_for(Point))
        self.assertEqual(define_tool(returns_movie).output_schema, schema_for(Movie))
        self.assertEqual(
            define_tool(returns_dict).output_schema,
            {"type": "object", "additionalProperties": {"type": "integer"}},
        )


if __name__ == "__main__":
    unittest.main()
