"""The session-era MCP revisions a worker speaks, newest first.

Generated from protocol/vectors/versions.json (which the daemon's ProtocolVersions is
tested against); do not edit: change the JSON and run
`python3 reasoning-python/tests/test_protocol_versions.py --write`."""

SUPPORTED = ('2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05')
