"""tandem.client against the real daemon over Streamable HTTP: found through the runtime file
`serve --http` writes, its tools listed and called, its workers reloaded onto edited code, and
a reload onto broken code answered with the error that names the module."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from daemon import Daemon, pool_config

import tandem
from tandem.client import Client, McpError, ToolError, TransportError

GREETER = '''
from tandem import tool

GREETING = "hello"

@tool
def greet(name: str) -> str:
    """Greets someone."""
    return f"{GREETING}, {name}"

@tool
def fail() -> str:
    """Always fails."""
    raise ValueError("boom")
'''


class ClientAgainstDaemonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = Path(tempfile.mkdtemp(prefix="tandem-client-it-"))
        cls.tools = cls.dir / "tools"
        cls.tools.mkdir()
        (cls.tools / "greeter.py").write_text(GREETER)
        config = pool_config(cls.dir, cls.tools, modules=["greeter"], name="greeter", replicas=2)
        cls.runtime = cls.dir / "run"
        cls.runtime.mkdir()
        cls.env = {"XDG_RUNTIME_DIR": str(cls.runtime), "XDG_CACHE_HOME": str(cls.dir / "cache"),
                   "TANDEM_TRACE_DIR": str(cls.dir / "traces"), "TANDEM_URL": ""}
        cls.daemon = Daemon(config, env=cls.env)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.daemon.stop()
        shutil.rmtree(cls.dir, True)

    def setUp(self) -> None:
        patch = mock.patch.dict(os.environ, self.env)
        patch.start()
        self.addCleanup(patch.stop)

    def test_connect_without_a_url_finds_the_daemon_by_its_runtime_file(self) -> None:
        file = self.runtime / "tandem" / "daemon.json"
        record = json.loads(file.read_text())
        self.assertEqual(record["url"], self.daemon.url)
        self.assertEqual(record["pid"], self.daemon.process.pid)
        self.assertEqual(stat.S_IMODE(file.stat().st_mode), 0o600)
        with tandem.connect() as client:
            self.assertEqual(client.url, self.daemon.url)
            self.assertEqual(client.server_info["name"], "tandem")

    def test_the_daemon_generated_a_private_token_that_connect_finds_by_itself(self) -> None:
        token_file = self.runtime / "tandem" / "http-token"
        self.assertEqual(stat.S_IMODE(token_file.stat().st_mode), 0o600)
        with self.assertRaisesRegex(TransportError, "HTTP 401"):
            Client(self.daemon.url).initialize()
        with tandem.connect(self.daemon.url) as client:
            self.assertEqual(client.server_info["name"], "tandem")

    def test_tools_and_calls(self) -> None:
        with tandem.connect(self.daemon.url) as client:
            self.assertEqual(sorted(t["name"] for t in client.tools()), ["fail", "greet"])
            self.assertTrue(client.call("greet", name="Ada").endswith(", Ada"))
            with self.assertRaisesRegex(ToolError, "tool 'fail' failed: .*boom"):
                client.call("fail")

    def test_reload_runs_the_edited_code_and_a_broken_edit_keeps_the_old(self) -> None:
        module = self.tools / "greeter.py"
        with tandem.connect() as client:
            before = client.call("greet", name="Ada")
            module.write_text(GREETER.replace('"hello"', '"good morning"'))
            report = client.reload()
            self.assertEqual(report["reloaded"], ["greeter"])
            [pool] = report["pools"]
            self.assertEqual((pool["tools"]["before"], pool["tools"]["after"]), (2, 2))
            self.assertTrue(set(pool["oldPids"]).isdisjoint(pool["newPids"]), pool)
            self.assertEqual(client.call("greet", name="Ada"), "good morning, Ada")

            module.write_text(GREETER + "\ndef broken(:\n")
            with self.assertRaises(McpError) as caught:
                client.reload()
            error = caught.exception
            self.assertEqual(error.code, -32050)
            self.assertIn("pool \"greeter\" was not reloaded: module 'greeter' failed to import", str(error))
            self.assertIn("SyntaxError", str(error))
            self.assertEqual(error.data["failed"][0]["module"], "greeter")
            self.assertEqual(client.call("greet", name="Ada"), "good morning, Ada")

            module.write_text(GREETER)
            client.reload()
            self.assertEqual(client.call("greet", name="Ada"), before)


if __name__ == "__main__":
    unittest.main()
