"""The host's own model, through MCP sampling (`sampling/createMessage`).

The worker asks the client that made the call; the daemon routes the request
to that host session. So a tool written against `Model` can run on a provider
in a notebook and on whatever model the user's host runs in production.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol

from .base import Completion, Model, ModelError, Request, Usage, content_text


class Sampler(Protocol):
    """What HostModel asks: a `tandem.Context` (named here only by what it does, so the
    context, which builds a HostModel, and this module do not import each other)."""

    def sample(
        self,
        messages: list[dict[str, Any]],
        *,
        max_tokens: int,
        system_prompt: str | None,
        temperature: float | None,
        stop_sequences: list[str] | None,
        model_preferences: dict[str, Any] | None,
    ) -> Any: ...


class HostModel(Model):
    provider = "host"
    # sampling/createMessage requires maxTokens.
    default_max_tokens = 1024

    def __init__(self, ctx: Sampler, *, model_preferences: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.name = "host"
        self.model_preferences = model_preferences

    def _params(self, request: Request) -> dict[str, Any]:
        return {
            "messages": [
                {"role": m.role, "content": {"type": "text", "text": m.content}}
                for m in request.messages
            ],
            "max_tokens": request.max_tokens or self.default_max_tokens,
            "system_prompt": request.system,
            "temperature": request.temperature,
            "stop_sequences": list(request.stop) or None,
            "model_preferences": self.model_preferences,
        }

    def _complete(self, request: Request) -> Completion:
        answer = self.ctx.sample(**self._params(request))
        if inspect.isawaitable(answer):
            # On the event loop a blocking wait would deadlock the worker.
            close = getattr(answer, "close", None)
            if close is not None:
                close()
            raise RuntimeError(
                "HostModel.complete() blocks, and this is an async tool: "
                "use `await model.acomplete(...)` instead"
            )
        return self._completion(answer)

    async def _acomplete(self, request: Request) -> Completion:
        answer = self.ctx.sample(**self._params(request))
        if inspect.isawaitable(answer):
            answer = await answer
        return self._completion(answer)

    def _completion(self, answer: Any) -> Completion:
        if not isinstance(answer, dict) or "content" not in answer:
            raise ModelError(
                f"host: sampling/createMessage answered without content: {answer!r:.200}",
                provider=self.provider,
            )
        content = answer["content"]
        # Since 2025-11-25 content may be a list of blocks (text, tool use, …).
        blocks = content if isinstance(content, list) else [content]
        text = "".join(content_text(b) for b in blocks if b.get("type") == "text")
        return Completion(
            text=text,
            provider=self.provider,
            model=str(answer.get("model") or "host"),
            # MCP sampling does not report token usage.
            usage=Usage(),
            stop_reason=answer.get("stopReason"),
        )
