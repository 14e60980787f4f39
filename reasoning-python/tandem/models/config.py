"""Choosing a model by name: TANDEM_MODEL, and the process-wide default.

Spec strings are PROVIDER:MODEL — `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`,
`ollama:llama3.2` (an OpenAI-compatible server at $OLLAMA_HOST, default
localhost:11434) — or `fake` (the echoing fake) or `host` (the host's model,
which needs the call's Context).
"""

from __future__ import annotations

import contextlib
import os
import threading

from .anthropic import AnthropicModel
from .base import Model
from .fake import FakeModel
from .openai import OpenAIModel

_default: Model | None = None
_lock = threading.Lock()
_from_env: dict[str, Model] = {}


def from_spec(spec: str) -> Model:
    """The model a spec string names; ValueError for an unknown provider."""
    provider, _, name = spec.strip().partition(":")
    provider = provider.lower()
    if provider == "fake" and not name:
        return FakeModel()
    if not name:
        raise ValueError(f"model {spec!r} needs a name: PROVIDER:MODEL, e.g. openai:gpt-4o-mini")
    if provider == "openai":
        return OpenAIModel(name)
    if provider == "anthropic":
        return AnthropicModel(name)
    if provider == "ollama":
        host = os.environ.get("OLLAMA_HOST") or "localhost:11434"
        if "://" not in host:
            host = f"http://{host}"
        return OpenAIModel(name, base_url=f"{host}/v1", api_key_env=None, provider="ollama")
    raise ValueError(
        f"unknown model provider {provider!r} in {spec!r}; use openai:, anthropic:, "
        "ollama:, fake or host"
    )


def from_env() -> Model | None:
    """The model $TANDEM_MODEL names (one instance per spec), or None if unset or `host`."""
    spec = os.environ.get("TANDEM_MODEL", "").strip()
    if not spec or spec.lower() == "host":
        return None
    with _lock:
        if spec not in _from_env:
            _from_env[spec] = from_spec(spec)
        return _from_env[spec]


def wants_host() -> bool:
    return os.environ.get("TANDEM_MODEL", "").strip().lower() in ("", "host")


class use(contextlib.AbstractContextManager["use"]):
    """Make `model` the default of local Contexts (notebooks, replay).

    `tandem.models.use(FakeModel([...]))` sets it for the process;
    `with tandem.models.use(model): ...` sets it for the block only.
    """

    def __init__(self, model: Model | None) -> None:
        global _default
        self.previous = _default
        _default = model

    def __exit__(self, *exc: object) -> None:
        global _default
        _default = self.previous


def default_model() -> Model:
    """For a local Context: what `use` set, else $TANDEM_MODEL, else the echoing fake."""
    if _default is not None:
        return _default
    return from_env() or FakeModel()
