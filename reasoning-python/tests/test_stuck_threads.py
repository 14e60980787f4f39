"""A cancelled `def` tool keeps its thread; tandem/stats tells the daemon so (issue 17 item 5)."""

from __future__ import annotations

import time
import unittest

from harness import DEADLINE_SECONDS, Worker


class StuckThreadsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("slow_tools")
        self.addCleanup(self.worker.stop)
        self.worker.initialize()

    def stats(self) -> dict:
        return self.worker.call("tandem/stats")["result"]

    def cancel_while_holding(self, seconds: float) -> None:
        request_id = self.worker.start_tool("hold_thread", {"seconds": seconds})
        self.worker.wait_stderr(f"hold_thread {request_id} holds its thread")
        self.worker.notify("notifications/cancelled", {"requestId": request_id, "reason": "deadline"})

    def test_a_cancelled_call_still_on_its_thread_is_reported_stuck(self) -> None:
        self.assertEqual(self.stats()["stuckThreads"], 0)
        self.cancel_while_holding(3600)
        self.cancel_while_holding(3600)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while (stats := self.stats())["stuckThreads"] < 2 and time.monotonic() < deadline:
            pass
        self.assertEqual(stats["stuckThreads"], 2)
        self.assertEqual(stats["inFlight"], 0)
        first = stats["stuckForMs"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while self.stats()["stuckForMs"] <= first and time.monotonic() < deadline:
            pass
        self.assertGreater(self.stats()["stuckForMs"], first)

    def test_a_thread_that_returns_after_its_cancel_is_no_longer_stuck(self) -> None:
        self.cancel_while_holding(0.3)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while self.stats()["stuckThreads"] and time.monotonic() < deadline:
            pass
        stats = self.stats()
        self.assertEqual((stats["stuckThreads"], stats["stuckForMs"]), (0, 0))


if __name__ == "__main__":
    unittest.main()
