"""Anthropic Messages: `POST {base_url}/v1/messages`.

Headers `x-api-key` and `anthropic-version: 2023-06-01`; body `{model,
max_tokens, system?, messages}`; the answer's text is in `content[]` blocks of
type "text", usage in `usage.input_tokens/output_tokens`. Streaming sends the
events message_start (input usage), content_block_delta (`delta.text`),
message_delta (stop reason, output usage), message_stop, plus ping and, if it
breaks, error. Errors are `{"type": "error", "error": {"type", "message"}}`;
529 means overloaded.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Iterator

from .. import recorder
from .base import Completion, Model, ModelError, Request, Usage
from .http import RetryPolicy, Transport

ANTHROPIC_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"


class AnthropicModel(Model):
    """A Claude model over the Messages API; the key is read from `api_key_env` at each call."""

    # The Messages API requires max_tokens.
    default_max_tokens = 1024

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "ANTHROPIC_API_KEY",
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        self.name = model
        self.provider = "anthropic"
        base = base_url or os.environ.get("ANTHROPIC_BASE_URL") or ANTHROPIC_BASE_URL
        self.base_url = base.rstrip("/")
        self.api_key_env = api_key_env
        self.extra_body = dict(extra_body or {})
        recorder.register_secret_env(api_key_env)
        options = {"sleep": sleep} if sleep is not None else {}
        self.transport = Transport(self.provider, _error_reason, timeout, retry, **options)

    @property
    def url(self) -> str:
        return f"{self.base_url}/v1/messages"

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.api_key_env)
        if not key:
            raise ModelError(
                f"anthropic: ${self.api_key_env} is not set; export your API key",
                provider=self.provider,
            )
        return {"x-api-key": key, "anthropic-version": API_VERSION}

    def _body(self, request: Request, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.name,
            "max_tokens": request.max_tokens or self.default_max_tokens,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        }
        if request.system:
            body["system"] = request.system
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.stop:
            body["stop_sequences"] = list(request.stop)
        body.update(self.extra_body)
        if stream:
            body["stream"] = True
        return body

    def _complete(self, request: Request) -> Completion:
        response = self.transport.post(self.url, self._headers(), self._body(request, False))
        data = response.json()
        blocks = data.get("content") if isinstance(data, dict) else None
        if not isinstance(blocks, list):
            raise response.error(f"no content[] in the response: {json.dumps(data)[:300]}")
        usage = data.get("usage") or {}
        return Completion(
            text="".join(b.get("text", "") for b in blocks if b.get("type") == "text"),
            provider=self.provider,
            model=data.get("model") or self.name,
            usage=Usage(usage.get("input_tokens"), usage.get("output_tokens")),
            stop_reason=data.get("stop_reason"),
            attempts=response.attempts,
            exchange=response.exchange,
        )

    def _stream(self, request: Request) -> Iterator[str | Completion]:
        response = self.transport.post(self.url, self._headers(), self._body(request, True))
        final = Completion(
            "", self.provider, self.name, attempts=response.attempts, exchange=response.exchange
        )
        input_tokens = output_tokens = None
        for event in response.events():
            try:
                data = json.loads(event.data)
            except ValueError:
                raise response.error(f"a stream event is not JSON: {event.data[:200]}") from None
            kind = data.get("type", event.event)
            if kind == "message_start":
                message = data.get("message") or {}
                final.model = message.get("model") or final.model
                usage = message.get("usage") or {}
                input_tokens = usage.get("input_tokens")
                output_tokens = usage.get("output_tokens")
            elif kind == "content_block_delta":
                delta = data.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    yield delta["text"]
            elif kind == "message_delta":
                final.stop_reason = (data.get("delta") or {}).get("stop_reason")
                # message_delta's usage is cumulative, so it replaces the start's.
                output_tokens = (data.get("usage") or {}).get("output_tokens", output_tokens)
            elif kind == "message_stop":
                break
            elif kind == "error":
                raise response.error(
                    f"error in the stream: {_error_reason(data)}", body=event.data
                )
            # ping, content_block_start/stop and future events carry no text.
        final.usage = Usage(input_tokens, output_tokens)
        yield final


def _error_reason(body: Any) -> str | None:
    """`{"type": "error", "error": {"type", "message"}}` as "type: message"."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    kind, message = error.get("type"), error.get("message") or ""
    return f"{kind}: {message}" if kind else message or None
