"""Real-world malformed model outputs, replayed from parse_corpus.jsonl: each
either parses to the expected value or fails with a message quoting the problem."""

from __future__ import annotations

import enum
import json
import unittest
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tandem.parse import ParseError, parse
from tandem.results import to_jsonable

CORPUS = Path(__file__).resolve().parent / "parse_corpus.jsonl"


@dataclass
class Person:
    name: str
    age: int
    email: str | None = None


@dataclass
class Review:
    title: str
    score: float
    sentiment: Literal["positive", "negative", "neutral"]
    tags: list[str] = field(default_factory=list)
    summary: str | None = None


@dataclass
class Task:
    title: str
    due_date: str
    is_urgent: bool = False


@dataclass
class Step:
    action: str
    done: bool = False


class Priority(enum.Enum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


TARGETS: dict[str, Any] = {
    "Person": Person,
    "Review": Review,
    "Task": Task,
    "list[Step]": list[Step],
    "list[str]": list[str],
    "int": int,
    "bool": bool,
    "str": str,
    "Any": Any,
    "dict[str, int]": dict[str, int],
    "Sentiment": Literal["positive", "negative", "neutral"],
    "Priority": Priority,
}


def load_corpus() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class ParseCorpusTest(unittest.TestCase):
    def test_corpus_is_large_enough(self) -> None:
        self.assertGreaterEqual(len(load_corpus()), 40)

    def test_every_case(self) -> None:
        for case in load_corpus():
            with self.subTest(case["name"]):
                into = TARGETS[case["into"]]
                if "error" in case:
                    with self.assertRaises(ParseError) as caught:
                        parse(case["output"], into)
                    for quoted in case["error"]:
                        self.assertIn(quoted, str(caught.exception))
                    self.assertEqual(caught.exception.text, case["output"])
                else:
                    self.assertEqual(to_jsonable(parse(case["output"], into)), case["expected"])


if __name__ == "__main__":
    unittest.main()
