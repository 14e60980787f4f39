"""The OpenAI-compatible client against a local server speaking chat completions."""

from __future__ import annotations

import os
import socket
import unittest
from unittest import mock

from fake_providers import ProviderServer, openai_completion, openai_error, openai_stream

from tandem import recorder
from tandem.models import ModelError, OpenAIModel, RetryPolicy, from_spec

KEY = "sk-test-0123456789abcdef"


class OpenAITest(unittest.TestCase):
    def setUp(self) -> None:
        patch = mock.patch.dict(os.environ, {"OPENAI_API_KEY": KEY})
        patch.start()
        self.addCleanup(patch.stop)
        self.sleeps: list[float] = []

    def serve(self, *replies) -> ProviderServer:
        server = ProviderServer(*replies)
        self.addCleanup(server.close)
        return server

    def model(self, server: ProviderServer, **options) -> OpenAIModel:
        return OpenAIModel("gpt-4o-mini", base_url=f"{server.url}/v1",
                           sleep=self.sleeps.append, **options)

    def test_request_shape_and_answer(self) -> None:
        server = self.serve(openai_completion("Paris.", prompt_tokens=21, completion_tokens=2))
        answer = self.model(server).complete(
            [{"role": "system", "content": "Answer in one word."},
             {"role": "user", "content": "Capital of France?"}],
            max_tokens=10, temperature=0, stop=["\n"],
        )
        self.assertEqual(answer.text, "Paris.")
        self.assertEqual((answer.usage.input_tokens, answer.usage.output_tokens), (21, 2))
        self.assertEqual(answer.model, "gpt-4o-mini-2024-07-18")
        self.assertEqual(answer.stop_reason, "stop")
        self.assertGreater(answer.latency_ms, 0)
        [request] = server.received
        self.assertEqual(request.path, "/v1/chat/completions")
        self.assertEqual(request.headers["authorization"], f"Bearer {KEY}")
        self.assertEqual(request.headers["content-type"], "application/json")
        self.assertEqual(request.body, {
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "Answer in one word."},
                         {"role": "user", "content": "Capital of France?"}],
            "max_tokens": 10, "temperature": 0, "stop": ["\n"],
        })

    def test_streaming_yields_deltas_and_usage_from_the_last_chunk(self) -> None:
        server = self.serve(openai_stream(["Once", " upon", " a time."], usage=(7, 4)))
        stream = self.model(server).stream("Tell a story.")
        self.assertEqual(list(stream), ["Once", " upon", " a time."])
        self.assertEqual(stream.completion.text, "Once upon a time.")
        self.assertEqual(stream.completion.usage.output_tokens, 4)
        self.assertEqual(stream.completion.stop_reason, "stop")
        body = server.received[0].body
        self.assertIs(body["stream"], True)
        self.assertEqual(body["stream_options"], {"include_usage": True})

    def test_streaming_server_that_ignores_stream_still_answers(self) -> None:
        server = self.serve(openai_completion("whole"))
        self.assertEqual(self.model(server).stream("x").text(), "whole")

    def test_rate_limit_waits_as_long_as_retry_after_says(self) -> None:
        server = self.serve(
            openai_error(429, "Rate limit reached for gpt-4o-mini", "requests",
                         "rate_limit_exceeded", {"retry-after": "2"}),
            openai_completion("ok"),
        )
        answer = self.model(server).complete("hi")
        self.assertEqual(answer.text, "ok")
        self.assertEqual(answer.attempts, 2)
        self.assertEqual(self.sleeps, [2.0])

    def test_retry_after_ms_wins_over_retry_after(self) -> None:
        server = self.serve(
            openai_error(429, "slow down", "requests", "rate_limit_exceeded",
                         {"retry-after": "3", "retry-after-ms": "250"}),
            openai_completion("ok"),
        )
        self.model(server).complete("hi")
        self.assertEqual(self.sleeps, [0.25])

    def test_server_errors_are_retried_with_growing_backoff(self) -> None:
        server = self.serve(
            openai_error(503, "The engine is currently overloaded", "server_error", None),
            openai_error(502, "Bad gateway", "server_error", None),
            openai_completion("ok"),
        )
        self.assertEqual(self.model(server).complete("hi").attempts, 3)
        first, second = self.sleeps
        self.assertTrue(0.375 <= first <= 0.5 and 0.75 <= second <= 1.0, self.sleeps)

    def test_giving_up_names_provider_status_and_body(self) -> None:
        failure = openai_error(500, "The server had an error", "server_error", None)
        server = self.serve(*[failure] * 4)
        with self.assertRaises(ModelError) as caught:
            self.model(server).complete("hi")
        error = caught.exception
        self.assertEqual((error.provider, error.status, error.attempts), ("openai", 500, 4))
        self.assertIn(f"openai: HTTP 500 from {server.url}/v1/chat/completions after 4 attempts",
                      str(error))
        self.assertIn("server_error: The server had an error", str(error))
        self.assertIn('"message": "The server had an error"', str(error))

    def test_client_errors_are_not_retried(self) -> None:
        server = self.serve(openai_error(400, "Invalid 'messages': empty array",
                                         "invalid_request_error", "empty_array"))
        with self.assertRaisesRegex(ModelError, "HTTP 400 .* after 1 attempt: "
                                    "invalid_request_error/empty_array: Invalid 'messages'"):
            self.model(server).complete("hi")
        self.assertEqual(len(server.received), 1)
        self.assertEqual(self.sleeps, [])

    def test_a_key_echoed_in_an_error_body_is_redacted(self) -> None:
        server = self.serve(openai_error(401, f"Incorrect API key provided: {KEY}.",
                                         "invalid_request_error", "invalid_api_key"))
        with self.assertRaises(ModelError) as caught:
            self.model(server).complete("hi")
        self.assertNotIn(KEY, str(caught.exception))
        self.assertNotIn(KEY, caught.exception.body or "")
        self.assertIn("[redacted $OPENAI_API_KEY]", str(caught.exception))

    def test_retry_after_beyond_the_limit_fails_at_once(self) -> None:
        server = self.serve(openai_error(429, "quota", "insufficient_quota", "insufficient_quota",
                                         {"retry-after": "3600"}))
        with self.assertRaisesRegex(ModelError, "retry after 3600 s, longer than the 60 s"):
            self.model(server).complete("hi")
        self.assertEqual(self.sleeps, [])

    def test_error_inside_a_stream(self) -> None:
        reply = openai_stream(["partial"])
        reply.chunks.insert(2, b'data: {"error": {"message": "context overflow", '
                               b'"type": "server_error", "code": null}}\n\n')
        server = self.serve(reply)
        stream = self.model(server).stream("x")
        expected = "error in the stream: server_error: context overflow"
        with self.assertRaisesRegex(ModelError, expected):
            list(stream)

    def test_connection_refused_is_retried_then_reported(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        model = OpenAIModel("m", base_url=f"http://127.0.0.1:{port}/v1", sleep=self.sleeps.append,
                            retry=RetryPolicy(attempts=2))
        with self.assertRaisesRegex(ModelError, "openai: no response from .* after 2 attempts"):
            model.complete("hi")
        self.assertEqual(len(self.sleeps), 1)

    def test_local_servers_get_no_authorization_without_a_key(self) -> None:
        server = self.serve(openai_completion("hi"))
        with mock.patch.dict(os.environ, {"OLLAMA_HOST": server.url.removeprefix("http://")}):
            model = from_spec("ollama:llama3.2")
        self.assertEqual((model.provider, model.name), ("ollama", "llama3.2"))
        model.complete("hello")
        self.assertEqual(server.received[0].path, "/v1/chat/completions")
        self.assertNotIn("authorization", server.received[0].headers)

    def test_openai_without_a_key_says_which_variable(self) -> None:
        with mock.patch.dict(os.environ, {"OPENAI_BASE_URL": ""}):
            del os.environ["OPENAI_API_KEY"]
            with self.assertRaisesRegex(ModelError, r"\$OPENAI_API_KEY is not set"):
                OpenAIModel("gpt-4o-mini").complete("hi")

    def test_the_key_is_not_in_repr_or_the_recorded_exchange(self) -> None:
        server = self.serve(openai_completion("ok"))
        model = self.model(server)
        record = recorder.CallRecord("t", "m", "f", {}, 1)
        token = recorder.current_record.set(record)
        try:
            model.complete("hi")
        finally:
            recorder.current_record.reset(token)
        self.assertNotIn(KEY, repr(model))
        [entry] = record.models
        self.assertEqual(entry["headers"]["Authorization"], "[redacted]")
        self.assertNotIn(KEY, repr(entry))
        self.assertEqual(entry["usage"], {"inputTokens": 9, "outputTokens": 3})
        self.assertEqual(entry["response"]["text"], "ok")
        self.assertEqual(entry["url"], f"{server.url}/v1/chat/completions")


if __name__ == "__main__":
    unittest.main()
