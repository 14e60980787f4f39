"""Who a call is made for, when the daemon checked an OAuth access token for it.

The daemon validates the host's token (issuer, expiry, audience, signature) and
passes the result, never the token, with each call. A tool reads it as
`ctx.principal` to decide what this caller may see or do; over stdio, or over
HTTP without `[http.auth]`, it is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Principal:
    """The validated identity behind a call.

    `subject` is the token's `sub` at `issuer`; `scopes` what it grants;
    `client_id` the OAuth client (the host application) it was issued to;
    `expires_at` its expiry in epoch seconds, if it has one.
    """

    subject: str
    scopes: frozenset[str]
    client_id: str | None = None
    issuer: str | None = None
    expires_at: int | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @classmethod
    def from_meta(cls, value: Any) -> Principal | None:
        """The daemon's `_meta["tandem/principal"]` object; None if absent or malformed."""
        if not isinstance(value, dict) or not isinstance(value.get("subject"), str):
            return None
        scopes = value.get("scopes")
        client_id = value.get("clientId")
        issuer = value.get("issuer")
        expires_at = value.get("expiresAt")
        return cls(
            subject=value["subject"],
            scopes=frozenset(s for s in scopes if isinstance(s, str))
            if isinstance(scopes, list) else frozenset(),
            client_id=client_id if isinstance(client_id, str) else None,
            issuer=issuer if isinstance(issuer, str) else None,
            expires_at=expires_at if isinstance(expires_at, int) else None,
        )
