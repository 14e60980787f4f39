"""A Context's session outside a worker (a tool run as a plain function, or in a notebook):
progress and log lines go to the console, sampling to a local model, and a request only a host
can answer (elicitation, roots) raises."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator

if TYPE_CHECKING:
    from .models import Model


class LocalSession:
    # Answers come at once: nothing to await on a loop.
    loop = None

    def __init__(self, model: Callable[[], Model]) -> None:
        # The Context's own model (given, or the default), read when first sampled.
        self._model = model

    def progress(self, meta: dict[str, Any], params: dict[str, Any]) -> None:
        progress, total, message = params["progress"], params.get("total"), params.get("message")
        shown = f"{progress}/{total}" if total is not None else f"{progress}"
        print(f"progress {shown}" + (f": {message}" if message else ""))

    def log(self, call_id: str | int | None, params: dict[str, Any]) -> None:
        print(f"[{params['level']}] {params['data']}")

    def capabilities_for(self, meta: dict[str, Any]) -> dict[str, Any]:
        return {}

    def principal_for(self, meta: dict[str, Any]) -> None:
        return None

    def ask(
        self, method: str, params: dict[str, Any], *, call_id: str | int | None, key: str | None
    ) -> Any:
        if method == "sampling/createMessage":
            return _sample_locally(self._model(), params)
        raise RuntimeError(
            f"{method} needs an MCP host: this Context is local (not inside a "
            "tandem worker), so there is no client to ask"
        )

    def model_for(self, ctx: object) -> Model:
        from . import models

        return models.default_model()


class _Answered(dict):  # type: ignore[type-arg]
    """A CreateMessageResult that can also be awaited, so `await ctx.sample(...)`
    in an async tool and `ctx.sample(...)` in a sync one both work locally
    (a notebook cell runs inside an event loop, so the caller cannot be told
    apart by asking for a running loop)."""

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self
        yield  # a generator that finishes at once, with the dict as its value


def _sample_locally(model: Model, params: dict[str, Any]) -> _Answered:
    completion = model.complete(
        params["messages"],
        system=params.get("systemPrompt"),
        max_tokens=params["maxTokens"],
        temperature=params.get("temperature"),
        stop=params.get("stopSequences"),
    )
    return _Answered(
        role="assistant",
        content={"type": "text", "text": completion.text},
        model=completion.model,
        stopReason=_STOP_REASONS.get(completion.stop_reason or "", completion.stop_reason),
    )


# Provider stop reasons in MCP sampling's vocabulary.
_STOP_REASONS = {"end_turn": "endTurn", "stop": "endTurn", "length": "maxTokens",
                 "max_tokens": "maxTokens", "stop_sequence": "stopSequence"}
