"""One call on one side through the real openai SDK and real HTTP: what is recorded, how errors are
classified, which failures the SDK retries."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from conftest import BASELINE_ENV, BASELINE_KEY
from server import ErrorStyle, FakeProvider, Reply

from migrate_cli.smoke.calls import CallSettings, build_request, call_side, open_client
from migrate_cli.smoke.records import Case, Endpoint, SideResult

CASE = Case(
    id="c1",
    line=1,
    messages=({"role": "user", "content": "Name a colour."},),
    model="gpt-4o",
    params={"temperature": 0, "seed": 7},
)


def call(
    provider: FakeProvider,
    *,
    stream: bool = False,
    max_retries: int = 0,
    timeout: float = 10.0,
    case: Case = CASE,
    model: str = "gpt-4o",
    key: str | None = None,
) -> SideResult:
    endpoint = Endpoint("candidate", provider.url, BASELINE_ENV)

    async def go() -> SideResult:
        client = open_client(endpoint, CallSettings(timeout=timeout, max_retries=max_retries, stream=stream))
        try:
            request = build_request(case, model, stream=stream)
            return await call_side(client, endpoint, request, secrets=[key or BASELINE_KEY])
        finally:
            await client.close()

    return asyncio.run(go())


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(BASELINE_ENV, BASELINE_KEY)
    with FakeProvider(api_key=BASELINE_KEY, default=Reply("Blue.")) as fake:
        yield fake


def test_records_answer_usage_and_the_exact_request(provider: FakeProvider) -> None:
    usage = {
        "prompt_tokens": 12,
        "completion_tokens": 2,
        "total_tokens": 14,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 1},
    }
    provider.replies["gpt-4o"] = Reply("Blue.", usage=usage)
    result = call(provider)
    assert result.ok and result.output == "Blue." and result.finish_reason == "stop"
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (12, 2, 14)
    assert (result.usage.cached_tokens, result.usage.reasoning_tokens) == (4, 1)
    assert result.usage.raw == usage
    assert result.latency_s is not None and result.latency_s > 0 and result.ttft_s is None
    sent = provider.chat_requests()[0].body
    assert sent == {"model": "gpt-4o", "messages": list(CASE.messages), "temperature": 0, "seed": 7}
    assert result.request == sent


def test_non_standard_usage_fields_survive_in_raw(provider: FakeProvider) -> None:
    """vMira's top-level thinking_tokens is not in the SDK's model; it must not be dropped."""
    usage = {"prompt_tokens": 35, "completion_tokens": 120, "thinking_tokens": 85, "total_tokens": 240}
    provider.replies["mira"] = Reply("ok", usage=usage)
    result = call(provider, model="mira")
    assert result.usage is not None
    assert result.usage.raw["thinking_tokens"] == 85
    assert result.usage.thinking_tokens == 85


def test_parameters_the_sdk_does_not_know_are_sent_as_written(provider: FakeProvider) -> None:
    case = Case("x", 1, ({"role": "user", "content": "hi"},), "gpt-4o", params={"top_k": 5, "max_tokens": 3})
    assert call(provider, case=case).ok
    body = provider.chat_requests()[0].body
    assert body["top_k"] == 5 and body["max_tokens"] == 3


def test_tool_calls_are_recorded(provider: FakeProvider) -> None:
    tool_call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    provider.replies["gpt-4o"] = Reply(None, tool_calls=[tool_call])
    result = call(provider)
    assert result.output is None and result.finish_reason == "tool_calls"
    assert result.tool_calls == (tool_call,)


def test_stream_measures_ttft_and_reads_the_usage_chunk(provider: FakeProvider) -> None:
    usage = {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}
    provider.replies["gpt-4o"] = Reply("Deep sky blue.", usage=usage, chunk_delay=0.01)
    result = call(provider, stream=True)
    assert result.output == "Deep sky blue."
    assert result.ttft_s is not None and result.latency_s is not None and 0 < result.ttft_s <= result.latency_s
    assert result.usage is not None
    assert result.usage.raw == usage and not result.stream_usage_missing
    sent = provider.chat_requests()[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


def test_stream_without_usage_chunk_is_flagged(provider: FakeProvider) -> None:
    provider.replies["gpt-4o"] = Reply("Blue.", stream_usage=False)
    result = call(provider, stream=True)
    assert result.ok and result.output == "Blue."
    assert result.usage is None and result.stream_usage_missing


def test_streamed_tool_calls_are_reassembled(provider: FakeProvider) -> None:
    tool_call = {"id": "call_9", "type": "function", "function": {"name": "lookup", "arguments": '{"q": 1}'}}
    provider.replies["gpt-4o"] = Reply("", tool_calls=[tool_call])
    result = call(provider, stream=True)
    assert result.tool_calls == (tool_call,)
    assert result.finish_reason == "tool_calls" and result.ttft_s is not None


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "bad_request"),
        (403, "auth"),
        (404, "unknown_model"),
        (422, "bad_request"),
        (429, "rate_limit"),
        (500, "server"),
        (503, "server"),
        (402, "other"),
    ],
)
def test_status_codes_become_error_kinds_with_the_provider_message(
    provider: FakeProvider, status: int, kind: str
) -> None:
    provider.fail(status, message=f"provider says {status}")
    result = call(provider)
    assert result.error is not None
    assert (result.error.kind, result.error.status) == (kind, status)
    assert result.error.message == f"provider says {status}"
    assert result.output is None and result.usage is None


def test_unknown_model_is_a_404_with_the_providers_words(provider: FakeProvider) -> None:
    provider.default = None
    result = call(provider, model="gpt-9")
    assert result.error is not None
    assert result.error.kind == "unknown_model" and "gpt-9" in result.error.message


@pytest.mark.parametrize("style", ["openai", "vmira"])
def test_auth_failure_message_is_read_from_either_body_style_and_redacted(
    provider: FakeProvider, style: ErrorStyle
) -> None:
    provider.auth_style = style
    provider.api_key = "sk-the-key-the-server-wants-0000000000"
    result = call(provider)
    assert result.error is not None
    assert result.error.kind == "auth" and result.error.status == 401
    assert "Incorrect API key provided" in result.error.message
    assert BASELINE_KEY not in result.error.message and "REDACTED" in result.error.message


def test_429_then_200_is_retried_honouring_retry_after(provider: FakeProvider) -> None:
    provider.fail(429, retry_after="0.01", times=1)
    result = call(provider, max_retries=2)
    assert result.ok
    assert [r.retry_count for r in provider.chat_requests()] == [0, 1]


def test_500_is_retried_then_recorded(provider: FakeProvider) -> None:
    provider.fail(500, retry_after_ms="1", times=None, message="upstream exploded")
    result = call(provider, max_retries=2)
    assert result.error is not None
    assert result.error.kind == "server" and result.error.message == "upstream exploded"
    assert [r.retry_count for r in provider.chat_requests()] == [0, 1, 2]


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(provider: FakeProvider, status: int) -> None:
    provider.fail(status, times=None)
    call(provider, max_retries=3)
    assert len(provider.chat_requests()) == 1


def test_retry_after_beyond_the_sdk_limit_is_not_retried(provider: FakeProvider) -> None:
    """A daily quota (Retry-After: 1 day) is recorded as a rate limit at once, not waited out."""
    provider.fail(429, retry_after="86400", times=None, style="vmira", message="daily limit reached")
    result = call(provider, max_retries=3)
    assert result.error is not None
    assert result.error.kind == "rate_limit" and result.error.message == "daily limit reached"
    assert len(provider.chat_requests()) == 1


def test_slow_answer_is_a_timeout(provider: FakeProvider) -> None:
    provider.replies["gpt-4o"] = Reply("late", delay=2.0)
    result = call(provider, timeout=0.2)
    assert result.error is not None
    assert result.error.kind == "timeout"


def test_refused_connection_is_a_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASELINE_ENV, BASELINE_KEY)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = FakeProvider(api_key=BASELINE_KEY)
    dead.port = port
    result = call(dead)
    assert result.error is not None
    assert result.error.kind == "connection"


def test_openai_account_headers_are_not_sent_to_another_provider(
    provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-private")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-private")
    call(provider)
    headers = provider.chat_requests()[0].headers
    assert "openai-organization" not in headers and "openai-project" not in headers
    assert headers["authorization"] == f"Bearer {BASELINE_KEY}"
