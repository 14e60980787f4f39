"""Many calls in flight at once: async tools share the loop, sync tools the pool."""

from __future__ import annotations

import time
import unittest

from harness import Worker


class ConcurrencyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("basics", "slow_tools")
        self.addCleanup(self.worker.stop)
        self.worker.initialize()

    def run_concurrently(self, count: int, name: str, arguments: dict) -> float:
        started = time.monotonic()
        ids = {self.worker.start_tool(name, arguments) for _ in range(count)}
        while ids:
            answer = self.worker.wait_for(lambda m: m.get("id") in ids)
            self.assertNotIn("isError", answer["result"])
            ids.discard(answer["id"])
        return time.monotonic() - started

    def test_200_async_sleeps_overlap(self) -> None:
        elapsed = self.run_concurrently(200, "sleep", {"seconds": 0.2})
        # Serially this would take 40 s; overlapped it is ~0.2 s plus overhead.
        self.assertLess(elapsed, 1.5)

    def test_sync_tools_run_on_a_thread_pool(self) -> None:
        elapsed = self.run_concurrently(20, "sleep_sync", {"seconds": 0.2})
        self.assertLess(elapsed, 1.5)


if __name__ == "__main__":
    unittest.main()
