"""A Context asks its session; the worker's session alone stamps the daemon's `_meta` keys."""

import asyncio
import concurrent.futures
import json
import unittest
from pathlib import Path
from typing import Any

from tandem.context import Context
from tandem.handlers import Methods
from tandem.registry import REGISTRY, Registry
from tandem.session import Session

CONTEXT_SOURCE = Path(__file__).resolve().parents[1] / "tandem" / "context.py"


class RecordingSession:
    """A session that records what a Context asks of it."""

    loop = None

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any], Any, Any]] = []
        self.logged: list[tuple[Any, dict[str, Any]]] = []

    def ask(self, method: str, params: dict[str, Any], *, call_id: Any, key: Any) -> Any:
        self.asked.append((method, params, call_id, key))
        return {"answered": method}

    def log(self, call_id: Any, params: dict[str, Any]) -> None:
        self.logged.append((call_id, params))


class ContextAsksItsSessionTest(unittest.TestCase):
    def test_a_question_reaches_the_session_with_its_call_and_key_and_no_wire_meta(self) -> None:
        session = RecordingSession()
        ctx = Context.for_call(session, 7, "t")  # type: ignore[arg-type]
        answer = ctx.elicit("name?", {"type": "object"}, key="who")
        self.assertEqual(answer, {"answered": "elicitation/create"})
        method, params, call_id, key = session.asked[0]
        self.assertEqual((method, call_id, key), ("elicitation/create", 7, "who"))
        self.assertNotIn("_meta", params)

    def test_a_log_line_reaches_the_session_with_its_call_and_no_wire_meta(self) -> None:
        session = RecordingSession()
        Context.for_call(session, 8, "t").log("info", "hello")  # type: ignore[arg-type]
        self.assertEqual(session.logged, [(8, {"level": "info", "data": "hello"})])

    def test_context_writes_no_routing_key_of_the_daemon(self) -> None:
        self.assertNotIn("tandem/", CONTEXT_SOURCE.read_text())
        self.assertNotIn("_session is None", CONTEXT_SOURCE.read_text())


class WorkerSessionStampsMetaTest(unittest.TestCase):
    def test_ask_stamps_the_call_id_and_input_key(self) -> None:
        frames = asyncio.run(self._ask_and_answer(key="who"))
        request = frames[0]
        self.assertEqual(request["method"], "elicitation/create")
        self.assertEqual(request["params"]["_meta"], {"tandem/callId": 7, "tandem/inputKey": "who"})
        self.assertEqual(request["params"]["message"], "name?")

    def test_ask_without_a_key_stamps_only_the_call_id(self) -> None:
        frames = asyncio.run(self._ask_and_answer(key=None))
        self.assertEqual(frames[0]["params"]["_meta"], {"tandem/callId": 7})

    def test_log_line_to_the_host_carries_the_call_id(self) -> None:
        async def run() -> list[dict[str, Any]]:
            frames: list[dict[str, Any]] = []
            session = Session(frames.append, 1 << 20)
            Context.for_call(session, 9, "t").log("warning", "careful", logger="x")
            return frames

        note = asyncio.run(run())[0]
        self.assertEqual(note["method"], "notifications/message")
        self.assertEqual(
            note["params"],
            {"level": "warning", "data": "careful", "logger": "x", "_meta": {"tandem/callId": 9}},
        )

    def test_progress_goes_out_only_with_the_callers_token(self) -> None:
        async def run() -> list[dict[str, Any]]:
            frames: list[dict[str, Any]] = []
            session = Session(frames.append, 1 << 20)
            Context.for_call(session, 1, "t").progress(1, 2)
            Context.for_call(session, 2, "t", {"progressToken": "p"}).progress(3, message="m")
            return frames

        frames = asyncio.run(run())
        self.assertEqual(len(frames), 1)
        self.assertEqual(frames[0]["params"], {"progressToken": "p", "progress": 3, "message": "m"})

    @staticmethod
    async def _ask_and_answer(key: str | None) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        session = Session(frames.append, 1 << 20)
        session.client_capabilities = {"elicitation": {}}
        ctx = Context.for_call(session, 7, "t")
        asking = asyncio.ensure_future(ctx.elicit("name?", {"type": "object"}, key=key))
        for _ in range(100):  # a few loop turns at most: the request leaves at the task's start
            if frames:
                break
            await asyncio.sleep(0)
        answer = {"jsonrpc": "2.0", "id": frames[0]["id"], "result": {"action": "decline"}}
        session.handle_frame(json.dumps(answer).encode())
        assert (await asking) == {"action": "decline"}
        return frames


class RegistryNotifiersTest(unittest.TestCase):
    def test_a_worker_wires_the_notifiers_of_the_registry_it_serves_and_no_other(self) -> None:
        async def run() -> list[dict[str, Any]]:
            frames: list[dict[str, Any]] = []
            session = Session(frames.append, 1 << 20)
            registry = Registry()
            with concurrent.futures.ThreadPoolExecutor(1) as executor:
                methods = Methods(session, registry, ["m"], executor)
                registry.list_changed("prompts")
                registry.resource_updated("file:///not-subscribed")
                methods.subscriptions.add("file:///a")
                registry.resource_updated("file:///a")
            return frames

        frames = asyncio.run(run())
        self.assertEqual(
            [(f["method"], f["params"]) for f in frames],
            [
                ("notifications/prompts/list_changed", {}),
                ("notifications/resources/updated", {"uri": "file:///a"}),
            ],
        )
        self.assertIsNone(REGISTRY.on_list_changed)
        self.assertIsNone(REGISTRY.on_resource_updated)

    def test_an_unknown_kind_is_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "kind must be"):
            Registry().list_changed("widgets")


if __name__ == "__main__":
    unittest.main()
