"""The one interface every model client speaks: messages in, a `Completion`
out (text, or a parsed value with `into=`), with usage and latency recorded.

A provider implements `_complete` (and `_stream` where its API streams); the
base class measures latency, attaches each request and response to the trace
of the tools/call in flight, and parses structured output. Tools written
against `Model` run unchanged on a provider, the host's model or a fake.
"""

from __future__ import annotations

import abc
import asyncio
import contextvars
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence, TypeVar

from .. import recorder

T = TypeVar("T")

# What callers may pass as messages: one user turn as a string, or a list of
# {"role", "content"} dicts (content a string or text blocks) or Messages.
Messages = str | Sequence[Any]

_ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class Request:
    """A provider-neutral request; system messages are lifted into `system`."""

    messages: tuple[Message, ...]
    system: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    stop: tuple[str, ...] = ()

    def last_user_text(self) -> str:
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")

    def to_json(self) -> dict[str, Any]:
        turns = [{"role": m.role, "content": m.content} for m in self.messages]
        out: dict[str, Any] = {"messages": turns}
        if self.system is not None:
            out["system"] = self.system
        for key in ("max_tokens", "temperature"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.stop:
            out["stop"] = list(self.stop)
        return out


@dataclass(frozen=True)
class Usage:
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass
class Completion:
    text: str
    provider: str
    model: str
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    stop_reason: str | None = None
    attempts: int = 1
    # The parsed value when the caller passed `into=`.
    value: Any = None
    # What went over the wire (URL, body), for the trace; keys never included.
    exchange: dict[str, Any] = field(default_factory=dict, repr=False)


class ModelError(Exception):
    """A model call failed; the message names the provider, the status and the body."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        body: str | None = None,
        attempts: int = 1,
        exchange: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(recorder.redact_text(message))
        self.provider = provider
        self.status = status
        self.body = recorder.redact_text(body) if body is not None else None
        self.attempts = attempts
        self.exchange = exchange or {}


# Set by tandem.traces.replay: every model call in this context goes to it,
# whichever client the tool code constructed.
_override: contextvars.ContextVar[Model | None] = contextvars.ContextVar(
    "tandem_model_override", default=None
)


class Model(abc.ABC):
    provider: str = "model"
    name: str = "model"
    # Sent when the caller gives no max_tokens; None leaves it to the server.
    default_max_tokens: int | None = None

    # -- the interface ------------------------------------------------------

    def complete(
        self,
        messages: Messages,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        into: Any = None,
    ) -> Completion:
        """Send `messages` and wait for the whole answer; `into=` a type parses it."""
        target = _override.get()
        if target is not None and target is not self:
            return target.complete(
                messages, system=system, max_tokens=max_tokens,
                temperature=temperature, stop=stop, into=into,
            )
        request = self.request(messages, system, max_tokens, temperature, stop)
        started = time.monotonic()
        try:
            completion = self._complete(request)
        except Exception as e:
            self._record(request, None, e, started, stream=False)
            raise
        return self._finish(request, completion, started, into, stream=False)

    async def acomplete(
        self,
        messages: Messages,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
        into: Any = None,
    ) -> Completion:
        """`complete` for async tools: it does not block the event loop."""
        target = _override.get()
        if target is not None and target is not self:
            return await target.acomplete(
                messages, system=system, max_tokens=max_tokens,
                temperature=temperature, stop=stop, into=into,
            )
        request = self.request(messages, system, max_tokens, temperature, stop)
        started = time.monotonic()
        try:
            completion = await self._acomplete(request)
        except Exception as e:
            self._record(request, None, e, started, stream=False)
            raise
        return self._finish(request, completion, started, into, stream=False)

    def stream(
        self,
        messages: Messages,
        *,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> Stream:
        """Iterate over text as it arrives; `.completion` holds the whole after the end."""
        target = _override.get()
        if target is not None and target is not self:
            return target.stream(
                messages, system=system, max_tokens=max_tokens, temperature=temperature, stop=stop
            )
        return Stream(self, self.request(messages, system, max_tokens, temperature, stop))

    # -- what a provider implements ----------------------------------------

    @abc.abstractmethod
    def _complete(self, request: Request) -> Completion:
        """One round trip (with the provider's retries); raise ModelError on failure."""

    async def _acomplete(self, request: Request) -> Completion:
        # to_thread copies the context, so the call's trace record follows.
        return await asyncio.to_thread(self._complete, request)

    def _stream(self, request: Request) -> Iterator[str | Completion]:
        """Text deltas, then one Completion with usage and stop reason.

        Providers whose API does not stream answer in one piece."""
        completion = self._complete(request)
        yield completion.text
        yield completion

    # -- shared machinery ---------------------------------------------------

    def request(
        self,
        messages: Messages,
        system: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        stop: Sequence[str] | None = None,
    ) -> Request:
        """The provider-neutral request these arguments describe."""
        turns, systems = normalize_messages(messages)
        if system is not None:
            systems.insert(0, system)
        return Request(
            messages=tuple(turns),
            system="\n\n".join(systems) if systems else None,
            max_tokens=max_tokens if max_tokens is not None else self.default_max_tokens,
            temperature=temperature,
            stop=tuple(stop or ()),
        )

    def _finish(
        self, request: Request, completion: Completion, started: float, into: Any, stream: bool
    ) -> Completion:
        completion.latency_ms = round((time.monotonic() - started) * 1000, 3)
        self._record(request, completion, None, started, stream)
        if into is not None:
            from ..parse import parse

            completion.value = parse(completion.text, into)
        return completion

    def _record(
        self,
        request: Request,
        completion: Completion | None,
        error: Exception | None,
        started: float,
        stream: bool,
    ) -> None:
        if completion is not None:
            exchange = completion.exchange
        else:
            exchange = getattr(error, "exchange", None) or {}
        entry: dict[str, Any] = {
            "provider": self.provider,
            "model": completion.model if completion is not None else self.name,
            "request": request.to_json(),
            "stream": stream,
            "latencyMs": round((time.monotonic() - started) * 1000, 3),
            **exchange,
        }
        if completion is not None:
            entry["response"] = {"text": completion.text, "stopReason": completion.stop_reason}
            entry["usage"] = {
                "inputTokens": completion.usage.input_tokens,
                "outputTokens": completion.usage.output_tokens,
            }
            entry["attempts"] = completion.attempts
        if error is not None:
            entry["error"] = {
                "type": type(error).__name__,
                "message": str(error),
                "status": getattr(error, "status", None),
            }
            entry["attempts"] = getattr(error, "attempts", 1)
        recorder.record_model_call(entry)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Stream:
    """A streamed completion: iterate for text deltas; then `.completion`."""

    def __init__(self, model: Model, request: Request) -> None:
        self._model = model
        self._request = request
        self._completion: Completion | None = None
        self._started = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("a Stream can be iterated only once")
        self._started = True
        started = time.monotonic()
        parts: list[str] = []
        final: Completion | None = None
        try:
            for item in self._model._stream(self._request):
                if isinstance(item, Completion):
                    final = item
                elif item:
                    parts.append(item)
                    yield item
        except Exception as e:
            self._model._record(self._request, None, e, started, stream=True)
            raise
        if final is None:
            final = Completion("", self._model.provider, self._model.name)
        final.text = "".join(parts)
        self._completion = self._model._finish(self._request, final, started, None, stream=True)

    @property
    def completion(self) -> Completion:
        if self._completion is None:
            raise RuntimeError("the stream has not been read to the end yet")
        return self._completion

    def text(self) -> str:
        """Read the rest of the stream and return the whole text."""
        if not self._started:
            for _ in self:
                pass
        return self.completion.text


def normalize_messages(messages: Messages) -> tuple[list[Message], list[str]]:
    """(turns, system texts): the forms callers write, as one shape."""
    if isinstance(messages, str):
        return [Message("user", messages)], []
    turns: list[Message] = []
    systems: list[str] = []
    for i, item in enumerate(messages):
        if isinstance(item, Message):
            role, content = item.role, item.content
        elif isinstance(item, Mapping):
            role, content = item.get("role"), content_text(item.get("content"))
        else:
            raise TypeError(
                f"message {i} is a {type(item).__name__}; use a dict with role and content"
            )
        if role not in _ROLES:
            raise ValueError(f"message {i} has role {role!r}; use one of {', '.join(_ROLES)}")
        if role == "system":
            systems.append(content)
        else:
            turns.append(Message(role, content))
    if not turns:
        raise ValueError("no user or assistant message to send")
    return turns, systems


def content_text(content: Any) -> str:
    """The text of message content: a string, a text block or a list of them."""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        if content.get("type", "text") != "text":
            raise ValueError(f"only text content is supported, got a {content.get('type')!r} block")
        return str(content.get("text", ""))
    if isinstance(content, Sequence):
        return "".join(content_text(block) for block in content)
    raise TypeError(f"message content must be text, got {type(content).__name__}")
