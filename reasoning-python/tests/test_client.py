"""tandem.client against a local server speaking MCP's Streamable HTTP wire."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from fake_mcp_server import FakeMcpServer

import tandem
from tandem.client import Client, McpError, ToolError, TransportError, connect


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = FakeMcpServer()
        self.addCleanup(self.server.close)
        self.progress: list[dict] = []
        self.logs: list[dict] = []
        self.client = Client(self.server.url, timeout=10, on_progress=self.progress.append,
                             on_log=self.logs.append)
        self.client.initialize()

    def posts(self) -> list[tuple[dict, dict]]:
        return [(headers, body) for verb, headers, body in self.server.received if verb == "POST"]

    def test_handshake_then_session_and_version_headers(self) -> None:
        (first_headers, initialize), (headers, initialized) = self.posts()
        self.assertEqual(initialize["method"], "initialize")
        self.assertEqual(initialize["params"]["protocolVersion"], "2025-11-25")
        self.assertEqual(initialize["params"]["clientInfo"]["name"], "tandem-client")
        self.assertNotIn("mcp-session-id", first_headers)
        self.assertEqual(first_headers["accept"], "application/json, text/event-stream")
        self.assertEqual(initialized, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        self.assertEqual(headers["mcp-session-id"], self.client.session_id)
        self.assertEqual(headers["mcp-protocol-version"], "2025-11-25")
        self.assertEqual(self.client.server_info["name"], "fake-tandem")

    def test_tools_follows_every_page(self) -> None:
        names = [t["name"] for t in self.client.tools()]
        self.assertEqual(names, ["echo", "count", "stats", "fail", "ask_host"])

    def test_call_answers_text_structured_or_unwrapped_result(self) -> None:
        self.assertEqual(self.client.call("echo", text="hi"), "hi")
        self.assertEqual(self.client.call("stats"), {"words": 2})
        self.assertEqual(self.client.call("count"), 2)

    def test_sse_answer_carries_progress_and_logs_before_the_result(self) -> None:
        self.assertEqual(self.client.call_result("count")["structuredContent"], {"result": 2})
        token = self.posts()[-1][1]["params"]["_meta"]["progressToken"]
        self.assertEqual(self.progress, [{"progressToken": token, "progress": 1, "total": 2},
                                         {"progressToken": token, "progress": 2, "total": 2}])
        self.assertEqual(self.logs, [{"level": "info", "data": "counted"}])

    def test_a_failed_tool_raises_with_its_message(self) -> None:
        with self.assertRaisesRegex(ToolError, "tool 'fail' failed: ValueError: boom"):
            self.client.call("fail")

    def test_a_protocol_error_raises_with_its_code(self) -> None:
        with self.assertRaises(McpError) as caught:
            self.client.call("nope")
        self.assertEqual(caught.exception.code, -32602)
        self.assertIn("Unknown tool: nope", str(caught.exception))

    def test_reload_sends_the_tandem_extension_request(self) -> None:
        report = self.client.reload()
        self.assertEqual(report["reloaded"], ["examples"])
        self.assertEqual(report["pools"][0]["tools"], {"before": 5, "after": 5, "added": [],
                                                      "removed": []})
        self.assertEqual(self.posts()[-1][1]["method"], "tandem/reload")
        self.assertEqual(self.server.reloads, 1)

    def test_an_ended_session_is_replaced_and_the_request_retried(self) -> None:
        old = self.client.session_id
        self.server.end_all_sessions()
        self.assertEqual(self.client.call("echo", text="again"), "again")
        self.assertNotEqual(self.client.session_id, old)
        methods = [body.get("method") for _, body in self.posts()[-4:]]
        self.assertEqual(methods, ["tools/call", "initialize", "notifications/initialized",
                                   "tools/call"])

    def test_server_requests_are_refused_since_no_capability_was_declared(self) -> None:
        self.assertEqual(self.client.call("ask_host"), "asked")
        [answer] = self.server.answers_from_client
        self.assertEqual(answer["id"], "w-1")
        self.assertEqual(answer["error"]["code"], -32601)

    def test_close_ends_the_session(self) -> None:
        session = self.client.session_id
        self.client.close()
        verb, headers, _ = self.server.received[-1]
        self.assertEqual((verb, headers["mcp-session-id"]), ("DELETE", session))
        self.assertNotIn(session, self.server.sessions)


class ConnectTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = FakeMcpServer()
        self.addCleanup(self.server.close)
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-runtime-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        env = {"XDG_RUNTIME_DIR": str(self.dir / "run"), "XDG_CACHE_HOME": str(self.dir / "cache"),
               "TANDEM_URL": ""}
        patch = mock.patch.dict(os.environ, env)
        patch.start()
        self.addCleanup(patch.stop)

    def write_runtime_file(self, base: str, pid: int = 1, **extra: str) -> Path:
        path = self.dir / base / "tandem" / "daemon.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"url": self.server.url, "pid": pid, **extra}))
        return path

    def authorizations(self) -> list[str | None]:
        return [headers.get("authorization") for verb, headers, _ in self.server.received if verb == "POST"]

    def test_sends_the_token_the_runtime_file_names_for_its_url(self) -> None:
        self.write_runtime_file("run", token="generated-token-0123")
        with mock.patch.dict(os.environ, {"TANDEM_HTTP_TOKEN": ""}):
            with connect(self.server.url):
                pass
        self.assertEqual({"Bearer generated-token-0123"}, set(self.authorizations()))

    def test_an_explicit_or_environment_token_wins_over_the_runtime_file(self) -> None:
        self.write_runtime_file("run", token="generated-token-0123")
        with mock.patch.dict(os.environ, {"TANDEM_HTTP_TOKEN": "from-env-0123"}):
            with connect():
                pass
            with connect(token="passed-0123"):
                pass
        self.assertEqual(["Bearer from-env-0123", "Bearer passed-0123"], sorted(set(self.authorizations())))

    def test_no_token_goes_to_a_url_the_runtime_file_does_not_name(self) -> None:
        self.write_runtime_file("run", token="generated-token-0123")
        with mock.patch.dict(os.environ, {"TANDEM_HTTP_TOKEN": ""}):
            with connect(self.server.url.replace("127.0.0.1", "localhost")):
                pass
        self.assertEqual({None}, set(self.authorizations()))

    def test_finds_the_daemon_through_the_runtime_file(self) -> None:
        self.write_runtime_file("run")
        with connect() as client:
            self.assertEqual(client.url, self.server.url)
            self.assertIsNotNone(client.session_id)

    def test_falls_back_to_the_cache_directory(self) -> None:
        self.write_runtime_file("cache")
        with tandem.connect() as client:
            self.assertEqual(client.call("echo", text="x"), "x")

    def test_no_daemon_says_where_it_looked(self) -> None:
        expected = r"no running tandem daemon found .*daemon\.json"
        with self.assertRaisesRegex(TransportError, expected):
            connect()

    def test_stale_runtime_file_is_called_stale(self) -> None:
        # What a SIGKILLed daemon leaves: its file, naming a pid that is gone and a closed port.
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        path = self.write_runtime_file("run", pid=dead.pid)
        self.server.close()
        with self.assertRaises(TransportError) as caught:
            connect(timeout=5)
        message = str(caught.exception)
        self.assertIn(f"the runtime file {path} is stale", message)
        self.assertIn(f"pid {dead.pid}, which is not running", message)

    def test_runtime_file_of_a_live_process_keeps_the_transport_error(self) -> None:
        self.write_runtime_file("run", pid=os.getpid())
        self.server.close()
        with self.assertRaisesRegex(TransportError, "cannot reach the tandem daemon at http://127"):
            connect(timeout=5)

    def test_unreachable_url_names_it(self) -> None:
        self.server.close()
        with self.assertRaisesRegex(TransportError, "cannot reach the tandem daemon at http://127"):
            connect(self.server.url, timeout=5)


if __name__ == "__main__":
    unittest.main()
