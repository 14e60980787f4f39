"""The notebook loop: a tool is a plain function that runs in a cell with a
local Context, its model chosen by `tandem.models.use`, its prompt a file
that is re-read when edited, its output a dataclass with an outputSchema."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

from harness import EXAMPLE_TOOLS

from tandem import Context, models, templates
from tandem.models import FakeModel
from tandem.templates import TemplateError
from tandem.tools import define_tool

sys.path.insert(0, str(EXAMPLE_TOOLS))

import reasoning  # noqa: E402

ANSWER = (
    'Here you go:\n```json\n{"title": "Rain", "keyPoints": ["wet"], "sentiment": "Negative",}\n```'
)


class NotebookLoopTest(unittest.TestCase):
    def test_a_tool_runs_in_a_cell_with_the_model_in_use(self) -> None:
        fake = FakeModel([ANSWER])
        out = io.StringIO()
        with models.use(fake), contextlib.redirect_stdout(out):
            summary = reasoning.summarize("It rained all day.", max_points=1)
        self.assertEqual(summary, reasoning.Summary("Rain", ["wet"], "negative"))
        self.assertEqual(out.getvalue(),
                         "progress 0/2: asking the model\nprogress 2/2: 11 tokens\n")
        [request] = fake.requests
        self.assertEqual(request.system, "You write terse, factual summaries.")
        self.assertIn("Give at most 1 key points.", request.last_user_text())
        self.assertIn("It rained all day.", request.last_user_text())

    def test_use_restores_the_previous_default(self) -> None:
        first, second = FakeModel(), FakeModel()
        with models.use(first):
            with models.use(second):
                self.assertIs(Context().model, second)
            self.assertIs(Context().model, first)

    def test_an_explicit_context_model_wins(self) -> None:
        with models.use(FakeModel(["wrong"])), contextlib.redirect_stdout(io.StringIO()):
            ctx = Context(model=FakeModel(['{"title": "Right"}']))
            self.assertEqual(reasoning.summarize("x", ctx=ctx).title, "Right")

    def test_dataclass_output_gets_an_output_schema(self) -> None:
        schema = define_tool(reasoning.summarize).output_schema
        self.assertEqual(schema["title"], "Summary")
        self.assertEqual(schema["required"], ["title"])
        self.assertEqual(schema["properties"]["key_points"],
                         {"type": "array", "items": {"type": "string"}})
        self.assertEqual(schema["properties"]["sentiment"]["enum"],
                         ["positive", "negative", "neutral"])

    def test_streaming_in_a_cell(self) -> None:
        stream = FakeModel(["one two three"]).stream("count")
        self.assertEqual(list(stream), ["one ", "two ", "three"])
        self.assertEqual(stream.completion.usage.output_tokens, 3)


class TemplateTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-templates-"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name: str, text: str) -> Path:
        path = self.dir / name
        path.write_text(text)
        return path

    def touch_later(self, path: Path) -> None:
        """Move the mtime on explicitly: two writes can share a timestamp tick."""
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    def test_an_edit_is_picked_up_at_the_next_render(self) -> None:
        path = self.write("greet.txt", "Hello {name}.")
        template = templates.load(path)
        self.assertEqual(template.render(name="Ada"), "Hello Ada.")
        path.write_text("Goodbye {name}.")
        self.touch_later(path)
        self.assertEqual(template.render(name="Ada"), "Goodbye Ada.")

    def test_format_style_has_str_format_features(self) -> None:
        template = templates.load(self.write("t.md", "{who.title}: {score:.1f} {{literal}}"))
        who = reasoning.Summary("Dr", [])
        self.assertEqual(template.render(who=who, score=0.25), "Dr: 0.2 {literal}")
        self.assertEqual(template.fields, {"who", "score"})

    def test_dollar_style_for_prompts_full_of_braces(self) -> None:
        template = templates.load(self.write("j.tmpl", 'Answer as {"x": 1} about $topic.'))
        self.assertEqual(template.style, "dollar")
        self.assertEqual(template(topic="cats"), 'Answer as {"x": 1} about cats.')

    def test_a_missing_value_names_the_file_and_line(self) -> None:
        path = self.write("p.txt", "line one\nabout {topic}\n")
        with self.assertRaisesRegex(TemplateError, rf"{path} line 2: no value for 'topic'"):
            templates.load(path).render()

    def test_stray_braces_explain_the_way_out(self) -> None:
        path = self.write("bad.txt", 'Reply as {"a": 1}')
        with self.assertRaisesRegex(TemplateError, r"use a \.tmpl file with \$names"):
            templates.load(path).render()

    def test_relative_paths_are_beside_the_calling_module(self) -> None:
        self.assertEqual(reasoning.SUMMARIZE.path, EXAMPLE_TOOLS / "prompts" / "summarize.tmpl")

    def test_a_directory_of_templates(self) -> None:
        self.write("summarize.txt", "S {x}")
        prompts = templates.directory(self.dir)
        self.assertEqual(prompts.summarize(x=1), "S 1")
        with self.assertRaisesRegex(AttributeError, "no template named 'missing'"):
            prompts.missing


if __name__ == "__main__":
    unittest.main()
