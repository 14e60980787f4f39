"""HTTP for model providers: one POST with timeouts, retries with backoff on
429/5xx that honour Retry-After, and errors that name provider, status and body.

Only the opening of a response is retried. Once a streamed body has started,
text may already have reached the caller, and a retry would repeat it.
"""

from __future__ import annotations

import datetime
import email.utils
import http.client
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .. import sse
from ..recorder import redact_headers
from .base import ModelError

_log = logging.getLogger("tandem.models")

# 408 timeout, 409 lock conflict, 429 rate limit, 5xx server trouble and
# Anthropic's 529 overloaded: the statuses both official SDKs retry.
RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))

# How much of an error body goes into the exception message.
_BODY_EXCERPT = 1000


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    # The first wait; each retry doubles it, up to max_backoff, with jitter.
    backoff: float = 0.5
    max_backoff: float = 8.0
    # A server asking for a longer pause than this gets an error instead:
    # a tool call waiting minutes for a rate limit is worse than failing now.
    max_retry_after: float = 60.0

    def backoff_for(self, retry: int) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (retry - 1))
        return base * random.uniform(0.75, 1.0)


@dataclass
class Response:
    """An open HTTP response whose status is 2xx."""

    provider: str
    url: str
    status: int
    headers: http.client.HTTPMessage
    body: http.client.HTTPResponse
    attempts: int
    exchange: dict[str, Any]

    @property
    def is_event_stream(self) -> bool:
        return self.headers.get_content_type() == "text/event-stream"

    def json(self) -> Any:
        with self.body:
            try:
                text = self.body.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as e:
                raise self.error(f"reading the response failed: {e}") from e
        try:
            return json.loads(text)
        except ValueError:
            raise self.error(f"the response is not JSON: {text[:_BODY_EXCERPT]}") from None

    def events(self) -> Iterator[sse.Event]:
        with self.body:
            try:
                yield from sse.events(self.body)
            except (OSError, http.client.HTTPException, UnicodeDecodeError) as e:
                raise self.error(f"the event stream broke: {e}") from e

    def error(self, what: str, status: int | None = None, body: str | None = None) -> ModelError:
        return ModelError(
            f"{self.provider}: {what} (HTTP {status or self.status} from {self.url})",
            provider=self.provider, status=status or self.status, body=body,
            attempts=self.attempts, exchange=self.exchange,
        )


# Turns a provider's error body into a one-line reason ("rate_limit: slow down").
ErrorReason = Callable[[Any], str | None]


class Transport:
    """POSTs JSON for one provider; `sleep` is replaceable so tests need not wait."""

    def __init__(
        self,
        provider: str,
        error_reason: ErrorReason,
        timeout: float = 60.0,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.provider = provider
        self.error_reason = error_reason
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep

    def post(self, url: str, headers: dict[str, str], body: dict[str, Any]) -> Response:
        """Open a 2xx response, retrying what is worth retrying; ModelError otherwise."""
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", **headers}
        exchange = {"url": url, "headers": redact_headers(headers)}
        attempt = 0
        while True:
            attempt += 1
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            try:
                raw = urllib.request.urlopen(request, timeout=self.timeout)
                return Response(
                    self.provider, url, raw.status, raw.headers, raw, attempt, exchange
                )
            except urllib.error.HTTPError as e:
                text = _read_body(e)
                status, retry_after = e.code, parse_retry_after(e.headers)
                failure = self._status_error(url, status, text, attempt, exchange)
            except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
                status, retry_after = None, None
                reason = getattr(e, "reason", e)
                failure = ModelError(
                    f"{self.provider}: no response from {url} after {_attempts(attempt)}: {reason}",
                    provider=self.provider, attempts=attempt, exchange=exchange,
                )
            retryable = status is None or status in RETRY_STATUSES
            if not retryable or attempt >= self.retry.attempts:
                raise failure
            if retry_after is not None and retry_after > self.retry.max_retry_after:
                raise ModelError(
                    f"{failure} (the server asks to retry after {retry_after:g} s, longer "
                    f"than the {self.retry.max_retry_after:g} s this client waits)",
                    provider=self.provider, status=status, body=failure.body,
                    attempts=attempt, exchange=exchange,
                )
            wait = retry_after if retry_after is not None else self.retry.backoff_for(attempt)
            _log.info(
                "%s: %s from %s; retry %d in %.2f s",
                self.provider, status or "no response", url, attempt, wait,
            )
            self.sleep(wait)

    def _status_error(
        self, url: str, status: int, text: str, attempt: int, exchange: dict[str, Any]
    ) -> ModelError:
        try:
            reason = self.error_reason(json.loads(text))
        except ValueError:
            reason = None
        excerpt = text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "…"
        message = f"{self.provider}: HTTP {status} from {url} after {_attempts(attempt)}"
        message += f": {reason}" if reason else ""
        message += f"; body: {excerpt}" if excerpt else "; empty body"
        return ModelError(
            message, provider=self.provider, status=status, body=text,
            attempts=attempt, exchange=exchange,
        )


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from retry-after-ms (OpenAI) or Retry-After (seconds or a date)."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = datetime.datetime.now(when.tzinfo or datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _read_body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        error.close()


def _attempts(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"
