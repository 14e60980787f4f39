"""Where a worker runs plain `def` tools: threads until proved quick, then the event loop."""

from __future__ import annotations

import unittest

from harness import Worker

from tandem.placement import QUICK_CALLS

LOOP = "MainThread"


class PlacementTest(unittest.TestCase):
    def setUp(self) -> None:
        self.worker = Worker("placed_tools")
        self.addCleanup(self.worker.stop)
        self.worker.initialize()

    def thread_of(self, name: str, **arguments: object) -> str:
        answer = self.worker.call_tool(name, arguments)
        self.assertNotIn("isError", answer["result"], answer)
        return answer["result"]["content"][0]["text"]

    def threads_over(self, calls: int, name: str, **arguments: object) -> list[str]:
        return [self.thread_of(name, **arguments) for _ in range(calls)]

    def test_a_quick_tool_moves_onto_the_loop(self) -> None:
        threads = self.threads_over(QUICK_CALLS * 3, "where")
        self.assertTrue(threads[0].startswith("tandem-tool"), threads[0])
        self.assertEqual(threads[-1], LOOP)
        # Once moved it stays while it stays quick.
        first_on_loop = threads.index(LOOP)
        self.assertEqual(set(threads[first_on_loop:]), {LOOP})

    def test_a_tool_that_blocks_is_never_moved(self) -> None:
        threads = self.threads_over(QUICK_CALLS * 2, "where_slowly")
        self.assertNotIn(LOOP, threads)

    def test_declared_blocking_stays_on_threads_and_quick_starts_on_the_loop(self) -> None:
        self.assertNotIn(LOOP, self.threads_over(QUICK_CALLS * 2, "where_declared_blocking"))
        self.assertEqual(self.thread_of("where_declared_quick"), LOOP)

    def test_a_slow_call_on_the_loop_sends_the_tool_back_to_threads(self) -> None:
        threads = self.threads_over(QUICK_CALLS * 3, "where_then_block")
        self.assertEqual(threads[-1], LOOP)
        self.assertEqual(self.thread_of("where_then_block", block_ms=50), LOOP)
        self.worker.wait_stderr("where_then_block held the event loop")
        self.assertTrue(self.thread_of("where_then_block").startswith("tandem-tool"))

    def test_pings_are_answered_while_a_demoted_tool_blocks(self) -> None:
        self.threads_over(QUICK_CALLS * 3, "where_then_block")
        # Back on threads after one slow call on the loop, a long call no longer holds pings.
        self.thread_of("where_then_block", block_ms=20)
        long_call = self.worker.start_tool("where_then_block", {"block_ms": 3000})
        self.worker.response(self.worker.request("ping"), timeout=2.5)
        self.worker.response(long_call)


if __name__ == "__main__":
    unittest.main()
