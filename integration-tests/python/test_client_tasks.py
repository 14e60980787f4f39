"""tandem.client's tasks against the real daemon: a long call started as a task, polled,
fetched when it ends (tasks/result waits for it), refused a late cancel, and invisible to
another session."""

from __future__ import annotations

import shutil
import tempfile
import unittest
from pathlib import Path

from daemon import Daemon, pool_config

from tandem.client import Client, McpError

SLOW = '''
import asyncio
from tandem import Context, tool

@tool(task="optional", idempotent=True)
async def slow_greet(name: str, ctx: Context) -> str:
    """Greets someone, slowly, reporting progress."""
    await ctx.progress(1, 2, "warming up")
    await asyncio.sleep(1)
    return f"hello at last, {name}"
'''


class ClientTasksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = Path(tempfile.mkdtemp(prefix="tandem-client-tasks-"))
        tools = cls.dir / "tools"
        tools.mkdir()
        (tools / "slow.py").write_text(SLOW)
        config = pool_config(cls.dir, tools, modules=["slow"], name="slow", replicas=1)
        env = {"XDG_RUNTIME_DIR": str(cls.dir / "run"), "TANDEM_TASKS_DIR": str(cls.dir / "tasks"),
               "TANDEM_TRACE_DIR": str(cls.dir / "traces"), "TANDEM_URL": ""}
        (cls.dir / "run").mkdir()
        cls.daemon = Daemon(config, env=env)
        token = (cls.dir / "run" / "tandem" / "http-token").read_text().strip()
        cls.token = token

    @classmethod
    def tearDownClass(cls) -> None:
        cls.daemon.stop()
        shutil.rmtree(cls.dir, True)

    def client(self) -> Client:
        client = Client(self.daemon.url, token=self.token, on_progress=None)
        client.initialize()
        return client

    def test_a_long_call_as_a_task_started_polled_and_fetched(self) -> None:
        with self.client() as client:
            self.assertIn("call", client.capabilities["tasks"]["requests"]["tools"])
            task_id = client.start_task("slow_greet", name="Ada")
            self.assertIn(client.task(task_id)["status"], ("working", "completed"))
            self.assertEqual(client.task_result(task_id, "slow_greet"), "hello at last, Ada")
            self.assertEqual(client.task(task_id)["status"], "completed")
            with self.assertRaises(McpError) as refused:
                client.cancel_task(task_id)
            self.assertEqual(refused.exception.code, -32602)
        with self.client() as other:
            with self.assertRaises(McpError) as unknown:
                other.task(task_id)
            self.assertEqual(unknown.exception.code, -32602)


if __name__ == "__main__":
    unittest.main()
