"""Arguments are checked against the signature, with errors that name the
parameter, the expected type and the value received."""

from __future__ import annotations

import enum
import unittest
from dataclasses import dataclass
from typing import Literal, Optional, TypedDict

from tandem import Context
from tandem.arguments import InvalidArgument, coerce
from tandem.tools import define_tool


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1


@dataclass
class Point:
    x: float
    y: float = 0.0


@dataclass
class Segment:
    start: Point
    end: Point


class Movie(TypedDict):
    title: str
    year: int


class CoerceTest(unittest.TestCase):
    def test_exact_types_pass_through(self) -> None:
        self.assertEqual(coerce("a", str, "p"), "a")
        self.assertEqual(coerce(3, int, "p"), 3)
        self.assertEqual(coerce(2.5, float, "p"), 2.5)
        self.assertIs(coerce(True, bool, "p"), True)

    def test_lenient_conversions_models_need(self) -> None:
        self.assertEqual(coerce("5", int, "p"), 5)
        self.assertEqual(coerce(2.0, int, "p"), 2)
        self.assertEqual(coerce(2, float, "p"), 2.0)
        self.assertEqual(coerce("2.5", float, "p"), 2.5)
        self.assertIs(coerce("false", bool, "p"), False)

    def test_wrong_type_names_parameter_expected_and_got(self) -> None:
        with self.assertRaises(InvalidArgument) as caught:
            coerce("abc", int, "times")
        self.assertEqual(str(caught.exception), "argument 'times': expected integer, got \"abc\"")

    def test_bool_is_not_a_number_and_numbers_are_not_strings(self) -> None:
        for value, hint in ((True, int), (False, float), (3, str), (2.5, int), ("nan", float)):
            with self.subTest(value=value, hint=hint), self.assertRaises(InvalidArgument):
                coerce(value, hint, "p")

    def test_lists_and_dicts_name_the_bad_element(self) -> None:
        self.assertEqual(coerce([1, "2"], list[int], "xs"), [1, 2])
        with self.assertRaisesRegex(InvalidArgument, r"'xs\[1\]': expected integer, got \"b\""):
            coerce([1, "b"], list[int], "xs")
        with self.assertRaisesRegex(InvalidArgument, r"'m\.k': expected number"):
            coerce({"k": "x"}, dict[str, float], "m")

    def test_optional_and_union(self) -> None:
        self.assertIsNone(coerce(None, Optional[int], "p"))
        self.assertEqual(coerce(4, int | None, "p"), 4)
        # The exact type wins over a lenient conversion of an earlier option.
        self.assertEqual(coerce("5", int | str, "p"), "5")
        with self.assertRaisesRegex(InvalidArgument, "expected integer or null"):
            coerce("x", int | None, "p")

    def test_literal_and_enum(self) -> None:
        self.assertEqual(coerce("a", Literal["a", "b"], "p"), "a")
        with self.assertRaisesRegex(InvalidArgument, 'one of "a", "b"'):
            coerce("c", Literal["a", "b"], "p")
        self.assertIs(coerce("blue", Color, "p"), Color.BLUE)
        self.assertIs(coerce("1", Level, "p"), Level.LOW)
        with self.assertRaisesRegex(InvalidArgument, 'expected one of "red", "blue", got "green"'):
            coerce("green", Color, "color")

    def test_dataclasses_are_built_from_dicts(self) -> None:
        segment = coerce({"start": {"x": 1}, "end": {"x": "2", "y": 3}}, Segment, "s")
        self.assertEqual(segment, Segment(Point(1.0), Point(2.0, 3.0)))
        with self.assertRaisesRegex(InvalidArgument, r"'s\.end': missing required field 'x'"):
            coerce({"start": {"x": 1}, "end": {}}, Segment, "s")
        with self.assertRaisesRegex(InvalidArgument, "unknown field 'z' for Point"):
            coerce({"x": 1, "z": 2}, Point, "p")

    def test_typed_dicts_stay_dicts(self) -> None:
        self.assertEqual(
            coerce({"title": "t", "year": "1999"}, Movie, "m"), {"title": "t", "year": 1999}
        )


def plot(points: list[Point], label: str = "", ctx: Context | None = None) -> str:
    return label


class BindTest(unittest.TestCase):
    def setUp(self) -> None:
        self.signature = define_tool(plot).signature

    def test_binds_converted_arguments_and_injects_context(self) -> None:
        ctx = Context()
        args, kwargs = self.signature.bind({"points": [{"x": 1}]}, ctx)
        self.assertEqual(args, [])
        self.assertEqual(kwargs, {"points": [Point(1.0)], "ctx": ctx})

    def test_positional_only_parameters_keep_their_places(self) -> None:
        def scale(x: int, factor: int = 2, /, offset: int = 0) -> int:
            return x * factor + offset

        signature = define_tool(scale).signature
        args, kwargs = signature.bind({"x": 3, "offset": 1}, None)
        self.assertEqual(scale(*args, **kwargs), 7)

    def test_missing_required_argument(self) -> None:
        with self.assertRaisesRegex(InvalidArgument, "missing required argument 'points'"):
            self.signature.bind({}, None)

    def test_unknown_argument_lists_the_parameters(self) -> None:
        expected = r"unknown argument 'pts' \(parameters: points, label\)"
        with self.assertRaisesRegex(InvalidArgument, expected):
            self.signature.bind({"pts": []}, None)


def say(text: str, times: int = 1, ratio: float = 1.0, loud: bool = False) -> str:
    return text


class ScalarBindTest(unittest.TestCase):
    """Scalar parameters: arguments already of their exact types are passed on as sent
    (no copy, no conversion); anything else still goes through the full checks."""

    def setUp(self) -> None:
        self.signature = define_tool(say).signature

    def test_exact_types_are_passed_as_sent(self) -> None:
        arguments = {"text": "hi", "times": 2, "ratio": 0.5, "loud": True}
        args, kwargs = self.signature.bind(arguments, None)
        self.assertEqual(list(args), [])
        self.assertEqual(kwargs, arguments)

    def test_an_integer_for_a_number_is_still_made_a_float(self) -> None:
        _, kwargs = self.signature.bind({"text": "hi", "ratio": 2}, None)
        self.assertIs(type(kwargs["ratio"]), float)

    def test_lenient_conversions_still_apply(self) -> None:
        _, kwargs = self.signature.bind({"text": "hi", "times": "3", "loud": "true"}, None)
        self.assertEqual(kwargs, {"text": "hi", "times": 3, "loud": True})

    def test_a_boolean_is_still_not_an_integer(self) -> None:
        with self.assertRaisesRegex(InvalidArgument, "argument 'times': expected integer, got true"):
            self.signature.bind({"text": "hi", "times": True}, None)

    def test_missing_and_unknown_arguments_are_still_refused(self) -> None:
        with self.assertRaisesRegex(InvalidArgument, "missing required argument 'text'"):
            self.signature.bind({"times": 2}, None)
        with self.assertRaisesRegex(InvalidArgument, "unknown argument 'txt'"):
            self.signature.bind({"text": "hi", "txt": "x"}, None)


if __name__ == "__main__":
    unittest.main()
