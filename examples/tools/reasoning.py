"""A tool that thinks: a prompt template, a model call, tolerant parsing.

The same function runs three ways, unchanged:
- in a notebook: `summarize("...")`, with a local Context whose model is
  whatever `tandem.models.use(...)` set, else $TANDEM_MODEL, else an echoing fake;
- in a tandem worker: `ctx.model` is the host's own model (MCP sampling),
  or the provider $TANDEM_MODEL names (a pool's `env` in tandem.toml);
- in `tandem.traces.replay(...)`: against the recorded model answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tandem import Context, templates, tool

# Read at each render and re-read when the file changes: edit, call again.
SUMMARIZE = templates.load("prompts/summarize.tmpl")


@dataclass
class Summary:
    title: str
    key_points: list[str] = field(default_factory=list)
    sentiment: Literal["positive", "negative", "neutral"] = "neutral"


@tool(read_only=True)
def summarize(text: str, max_points: int = 3, ctx: Context | None = None) -> Summary:
    """Summarize a text as a title, key points and a sentiment.

    Args:
        text: The text to summarize.
        max_points: The most key points to give.
    """
    ctx = ctx or Context()
    ctx.progress(0, total=2, message="asking the model")
    answer = ctx.model.complete(
        SUMMARIZE.render(text=text, max_points=max_points),
        system="You write terse, factual summaries.",
        max_tokens=400,
        into=Summary,
    )
    ctx.progress(2, total=2, message=f"{answer.usage.output_tokens or '?'} tokens")
    return answer.value
