"""Secrets kept out of traces: environment variables named like credentials (the rule the
daemon's log redaction shares, in protocol/vectors/secret_names.jsonl) and credential headers."""

from __future__ import annotations

import os
from typing import Any

REDACTED = "[redacted]"
# Header names whose values are credentials, lower-case.
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})
# Environment variables that hold credentials by naming convention. The daemon's log
# redaction (dev.tandem.supervisor.log.Secrets) uses the same rule;
# protocol/vectors/secret_names.jsonl holds both to it.
_SECRET_SUFFIXES = ("_API_KEY", "_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
# Shorter values are too likely to occur by accident ("1", "true") to redact.
_MIN_SECRET_LENGTH = 8

_secret_env_names: set[str] = set()


def register_secret_env(name: str) -> None:
    """Treat the value of environment variable `name` as a secret from now on."""
    _secret_env_names.add(name)


def secret_values() -> list[tuple[str, str]]:
    """(value, variable) pairs, read now: a notebook may set keys at any time."""
    found = []
    for name, value in os.environ.items():
        secret = name in _secret_env_names or name.upper().endswith(_SECRET_SUFFIXES)
        if secret and len(value) >= _MIN_SECRET_LENGTH:
            found.append((value, name))
    # Longest first, so a key that contains another is replaced whole.
    return sorted(found, key=lambda pair: -len(pair[0]))


def redact(value: Any) -> Any:
    """`value` with every known secret replaced, at any depth, inside any string."""
    secrets = secret_values()
    return redact_with(value, secrets) if secrets else value


def redact_text(text: str) -> str:
    return redact_with(text, secret_values())


def redact_with(value: Any, secrets: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for secret, name in secrets:
            if secret in value:
                value = value.replace(secret, f"[redacted ${name}]")
        return value
    if isinstance(value, dict):
        return {k: redact_with(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_with(v, secrets) for v in value]
    return value


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}
