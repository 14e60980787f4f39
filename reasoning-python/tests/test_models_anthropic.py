"""The Anthropic client against a local server speaking the Messages API."""

from __future__ import annotations

import os
import unittest
from unittest import mock

from fake_providers import (
    ProviderServer,
    anthropic_error,
    anthropic_message,
    anthropic_stream,
)

from tandem.models import AnthropicModel, ModelError, from_spec

KEY = "sk-ant-api03-test-0123456789"


class AnthropicTest(unittest.TestCase):
    def setUp(self) -> None:
        patch = mock.patch.dict(os.environ, {"ANTHROPIC_API_KEY": KEY})
        patch.start()
        self.addCleanup(patch.stop)
        self.sleeps: list[float] = []

    def serve(self, *replies) -> ProviderServer:
        server = ProviderServer(*replies)
        self.addCleanup(server.close)
        return server

    def model(self, server: ProviderServer) -> AnthropicModel:
        return AnthropicModel("claude-sonnet-4-5", base_url=server.url, sleep=self.sleeps.append)

    def test_request_shape_and_answer(self) -> None:
        server = self.serve(anthropic_message("Paris.", input_tokens=20, output_tokens=3))
        answer = self.model(server).complete(
            [{"role": "system", "content": "One word."},
             {"role": "user", "content": "Capital of France?"},
             {"role": "assistant", "content": "The capital is"},
             {"role": "user", "content": "Just the name."}],
            temperature=0.2, stop=["\n\n"],
        )
        self.assertEqual(answer.text, "Paris.")
        self.assertEqual((answer.usage.input_tokens, answer.usage.output_tokens), (20, 3))
        self.assertEqual((answer.model, answer.stop_reason),
                         ("claude-sonnet-4-5-20250929", "end_turn"))
        [request] = server.received
        self.assertEqual(request.path, "/v1/messages")
        self.assertEqual(request.headers["x-api-key"], KEY)
        self.assertEqual(request.headers["anthropic-version"], "2023-06-01")
        self.assertNotIn("authorization", request.headers)
        self.assertEqual(request.body, {
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": "One word.",
            "messages": [{"role": "user", "content": "Capital of France?"},
                         {"role": "assistant", "content": "The capital is"},
                         {"role": "user", "content": "Just the name."}],
            "temperature": 0.2,
            "stop_sequences": ["\n\n"],
        })

    def test_text_of_several_blocks_is_joined(self) -> None:
        reply = anthropic_message("first ")
        reply.body = reply.body.replace(
            b'[{"type": "text", "text": "first "}]',
            b'[{"type": "text", "text": "first "}, {"type": "text", "text": "second"}]',
        )
        server = self.serve(reply)
        self.assertEqual(self.model(server).complete("x").text, "first second")

    def test_streaming_events(self) -> None:
        server = self.serve(anthropic_stream(["Hello", ", ", "world"], input_tokens=8,
                                             output_tokens=5))
        stream = self.model(server).stream("Greet.", max_tokens=20)
        self.assertEqual(list(stream), ["Hello", ", ", "world"])
        done = stream.completion
        self.assertEqual(done.text, "Hello, world")
        self.assertEqual((done.usage.input_tokens, done.usage.output_tokens), (8, 5))
        self.assertEqual(done.stop_reason, "end_turn")
        body = server.received[0].body
        self.assertIs(body["stream"], True)
        self.assertEqual(body["max_tokens"], 20)

    def test_error_event_mid_stream_raises_after_the_text_so_far(self) -> None:
        server = self.serve(anthropic_stream(
            ["Hel"], error={"type": "overloaded_error", "message": "Overloaded"}))
        received: list[str] = []
        expected = "error in the stream: overloaded_error: Overloaded"
        with self.assertRaisesRegex(ModelError, expected):
            for piece in self.model(server).stream("x"):
                received.append(piece)
        self.assertEqual(received, ["Hel"])

    def test_overloaded_529_is_retried(self) -> None:
        server = self.serve(anthropic_error(529, "overloaded_error", "Overloaded"),
                            anthropic_message("ok"))
        answer = self.model(server).complete("hi")
        self.assertEqual((answer.text, answer.attempts), ("ok", 2))
        self.assertEqual(len(self.sleeps), 1)

    def test_rate_limit_honours_retry_after(self) -> None:
        server = self.serve(
            anthropic_error(429, "rate_limit_error",
                            "Number of request tokens has exceeded your per-minute rate limit",
                            {"retry-after": "7"}),
            anthropic_message("ok"),
        )
        self.model(server).complete("hi")
        self.assertEqual(self.sleeps, [7.0])

    def test_a_streaming_request_is_retried_before_its_stream_starts(self) -> None:
        server = self.serve(anthropic_error(529, "overloaded_error", "Overloaded"),
                            anthropic_stream(["ok"]))
        self.assertEqual(self.model(server).stream("hi").text(), "ok")

    def test_error_names_provider_status_type_and_body(self) -> None:
        server = self.serve(anthropic_error(400, "invalid_request_error",
                                            "max_tokens: Field required"))
        with self.assertRaises(ModelError) as caught:
            self.model(server).complete("hi")
        message = str(caught.exception)
        self.assertIn(f"anthropic: HTTP 400 from {server.url}/v1/messages after 1 attempt", message)
        self.assertIn("invalid_request_error: max_tokens: Field required", message)
        self.assertIn('"type": "error"', message)
        self.assertEqual(caught.exception.status, 400)

    def test_missing_key_names_the_variable(self) -> None:
        del os.environ["ANTHROPIC_API_KEY"]
        with self.assertRaisesRegex(ModelError, r"\$ANTHROPIC_API_KEY is not set"):
            AnthropicModel("claude-sonnet-4-5", base_url="http://127.0.0.1:9").complete("hi")

    def test_spec_string(self) -> None:
        model = from_spec("anthropic:claude-haiku-4-5")
        self.assertEqual((model.provider, model.name), ("anthropic", "claude-haiku-4-5"))
        with self.assertRaisesRegex(ValueError, "unknown model provider 'gemini'"):
            from_spec("gemini:pro")


if __name__ == "__main__":
    unittest.main()
