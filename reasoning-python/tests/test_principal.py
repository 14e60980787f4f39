"""ctx.principal: the identity the daemon validated, read from the call's `_meta` by the session."""

import asyncio
import unittest
from typing import Any

from tandem.context import Context
from tandem.principal import Principal
from tandem.session import Session

META = {
    "tandem/principal": {
        "subject": "alice",
        "scopes": ["mcp:tools", "reports:read"],
        "clientId": "claude",
        "issuer": "https://auth.example.com",
        "expiresAt": 1893456000,
    }
}


def _principal_of(meta: dict[str, Any] | None) -> Principal | None:
    async def run() -> Principal | None:
        session = Session(lambda frame: None, 1 << 20)
        return Context.for_call(session, 1, "t", meta).principal

    return asyncio.run(run())


class PrincipalTest(unittest.TestCase):
    def test_call_with_a_validated_token_shows_subject_scopes_and_client(self) -> None:
        p = _principal_of(META)
        assert p is not None
        self.assertEqual(p.subject, "alice")
        self.assertEqual(p.scopes, frozenset({"mcp:tools", "reports:read"}))
        self.assertTrue(p.has_scope("reports:read"))
        self.assertFalse(p.has_scope("admin"))
        self.assertEqual((p.client_id, p.issuer, p.expires_at),
                         ("claude", "https://auth.example.com", 1893456000))

    def test_call_without_a_token_has_no_principal(self) -> None:
        self.assertIsNone(_principal_of(None))
        self.assertIsNone(_principal_of({"progressToken": 1}))

    def test_malformed_principal_is_none_not_an_error(self) -> None:
        self.assertIsNone(_principal_of({"tandem/principal": "alice"}))
        self.assertIsNone(_principal_of({"tandem/principal": {"scopes": ["x"]}}))
        p = _principal_of({"tandem/principal": {"subject": "bob", "scopes": "x"}})
        assert p is not None
        self.assertEqual(p.scopes, frozenset())

    def test_local_context_has_no_principal(self) -> None:
        self.assertIsNone(Context().principal)


if __name__ == "__main__":
    unittest.main()
