"""A scripted model for tests and offline notebooks: no network, same interface.

`FakeModel(["first reply", ValueError("boom"), lambda request: "..."])` answers
each call with the next item: a string is the reply, an exception is raised,
a callable gets the `Request` and returns the reply. With no script it echoes
the last user message, so a tool runs end to end before any model is set up.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, Iterable, Iterator

from .base import Completion, Model, ModelError, Request, Usage

Reply = str | BaseException | Callable[[Request], str]


class FakeModel(Model):
    provider = "fake"

    def __init__(self, replies: Iterable[Reply] | None = None, *, name: str = "fake") -> None:
        self.name = name
        self._script: list[Reply] | None = list(replies) if replies is not None else None
        self._lock = threading.Lock()
        # Every request received, in order, for tests and notebooks to inspect.
        self.requests: list[Request] = []

    @property
    def remaining(self) -> int | None:
        """Replies left in the script; None when echoing."""
        return None if self._script is None else len(self._script)

    def _next(self, request: Request) -> str:
        with self._lock:
            self.requests.append(request)
            if self._script is None:
                return request.last_user_text()
            if not self._script:
                raise ModelError(
                    f"fake: the script ran out after {len(self.requests) - 1} replies; the "
                    f"next request asked: {_excerpt(request.last_user_text())!r}",
                    provider=self.provider,
                )
            reply = self._script.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    def _complete(self, request: Request) -> Completion:
        text = self._next(request)
        return Completion(
            text=text,
            provider=self.provider,
            model=self.name,
            usage=Usage(_tokens(request_text(request)), _tokens(text)),
            stop_reason="end_turn",
        )

    def _stream(self, request: Request) -> Iterator[str | Completion]:
        completion = self._complete(request)
        # Word-sized pieces, so code reading a stream sees more than one delta.
        yield from re.findall(r"\s*\S+\s*|\s+", completion.text)
        yield completion


def request_text(request: Request) -> str:
    return " ".join([request.system or ""] + [m.content for m in request.messages])


def _tokens(text: str) -> int:
    # Roughly what a tokenizer counts, so usage figures look plausible.
    return len(text.split())


def _excerpt(text: Any) -> str:
    text = str(text)
    return text if len(text) <= 120 else text[:117] + "..."
