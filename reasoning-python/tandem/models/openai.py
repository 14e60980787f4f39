"""OpenAI-compatible chat completions: OpenAI, Ollama, vLLM, llama.cpp server.

`POST {base_url}/chat/completions`; the answer is `choices[0].message.content`
with `usage.prompt_tokens/completion_tokens`; streaming sends
`data: {chunk}` lines whose `choices[0].delta.content` carry the text, a last
chunk with `usage` (asked for with `stream_options.include_usage`) and
`data: [DONE]`. Errors come as `{"error": {"message", "type", "code"}}`.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Iterator

from .. import recorder
from .base import Completion, Model, ModelError, Request, Usage
from .http import RetryPolicy, Transport

OPENAI_BASE_URL = "https://api.openai.com/v1"


class OpenAIModel(Model):
    """A chat-completions model; the key is read from `api_key_env` at each call.

    `base_url` defaults to $OPENAI_BASE_URL, else OpenAI's own. Servers that
    need no key (Ollama, llama.cpp) get no Authorization header when the
    variable is unset; `api_key_env=None` never sends one.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str | None = "OPENAI_API_KEY",
        provider: str = "openai",
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        self.name = model
        self.provider = provider
        base = base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL
        self.base_url = base.rstrip("/")
        self.api_key_env = api_key_env
        # Provider-specific fields (response_format, seed, top_p, …) sent as given.
        self.extra_body = dict(extra_body or {})
        if api_key_env:
            recorder.register_secret_env(api_key_env)
        options = {"sleep": sleep} if sleep is not None else {}
        self.transport = Transport(provider, _error_reason, timeout, retry, **options)

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if key:
            return {"Authorization": f"Bearer {key}"}
        if self.base_url == OPENAI_BASE_URL:
            raise ModelError(
                f"{self.provider}: ${self.api_key_env} is not set; export your API key, "
                "or set base_url (or $OPENAI_BASE_URL) to a server that needs none",
                provider=self.provider,
            )
        return {}

    def _body(self, request: Request, stream: bool) -> dict[str, Any]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        body: dict[str, Any] = {"model": self.name, "messages": messages}
        if request.max_tokens is not None:
            body["max_tokens"] = request.max_tokens
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.stop:
            body["stop"] = list(request.stop)
        body.update(self.extra_body)
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    def _complete(self, request: Request) -> Completion:
        body = self._body(request, stream=False)
        response = self.transport.post(self.url, self._headers(), body)
        exchange = response.exchange
        data = response.json()
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            missing = f"no choices[0].message in the response: {_excerpt(data)}"
            raise response.error(missing) from None
        text = message.get("content")
        if text is None and message.get("refusal"):
            text = message["refusal"]
        return Completion(
            text=text or "",
            provider=self.provider,
            model=data.get("model") or self.name,
            usage=_usage(data.get("usage")),
            stop_reason=choice.get("finish_reason"),
            attempts=response.attempts,
            exchange=exchange,
        )

    def _stream(self, request: Request) -> Iterator[str | Completion]:
        body = self._body(request, stream=True)
        response = self.transport.post(self.url, self._headers(), body)
        exchange = response.exchange
        final = Completion(
            "", self.provider, self.name, attempts=response.attempts, exchange=exchange
        )
        if not response.is_event_stream:
            # Some compatible servers ignore "stream" and answer in one piece.
            data = response.json()
            message = (data.get("choices") or [{}])[0].get("message") or {}
            final.usage = _usage(data.get("usage"))
            final.model = data.get("model") or self.name
            yield message.get("content") or ""
            yield final
            return
        for event in response.events():
            if event.data.strip() == "[DONE]":
                break
            try:
                chunk = json.loads(event.data)
            except ValueError:
                raise response.error(f"a stream chunk is not JSON: {event.data[:200]}") from None
            if isinstance(chunk, dict) and "error" in chunk:
                reason = _error_reason(chunk)
                raise response.error(f"error in the stream: {reason}", body=event.data)
            final.model = chunk.get("model") or final.model
            if chunk.get("usage"):
                final.usage = _usage(chunk["usage"])
            for choice in chunk.get("choices") or []:
                if choice.get("index", 0) != 0:
                    continue
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    yield delta["content"]
                if choice.get("finish_reason"):
                    final.stop_reason = choice["finish_reason"]
        yield final


def _usage(usage: Any) -> Usage:
    if not isinstance(usage, dict):
        return Usage()
    return Usage(usage.get("prompt_tokens"), usage.get("completion_tokens"))


def _error_reason(body: Any) -> str | None:
    """`{"error": {"message", "type", "code"}}` as "type/code: message"."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return error  # llama.cpp and some proxies send a bare string
    if not isinstance(error, dict):
        return None
    kind = "/".join(str(error[k]) for k in ("type", "code") if error.get(k))
    message = error.get("message") or ""
    return f"{kind}: {message}" if kind else message or None


def _excerpt(data: Any) -> str:
    text = json.dumps(data)
    return text if len(text) <= 300 else text[:300] + "…"
