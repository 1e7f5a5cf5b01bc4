"""One call against a provider that breaks (tests/smoke/faults.py): every fault is that call's own
error of its own kind, or an answer once retried, never an exception, a hang or a leaked key."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from conftest import BASELINE_ENV, KEY_SHAPES, leaks
from server import FakeProvider, FaultMode, Reply

from migrate_cli.smoke.calls import CallSettings, build_request, call_side, open_client
from migrate_cli.smoke.records import Case, Endpoint, SideResult

CASE = Case(id="c1", line=1, messages=({"role": "user", "content": "Name a colour."},), model="gpt-4o")


def call(provider: FakeProvider, *, stream: bool = False, max_retries: int = 0, timeout: float = 10.0) -> SideResult:
    endpoint = Endpoint("candidate", provider.url, BASELINE_ENV)

    async def go() -> SideResult:
        client = open_client(endpoint, CallSettings(timeout=timeout, max_retries=max_retries, stream=stream))
        try:
            return await call_side(
                client, endpoint, build_request(CASE, "gpt-4o", stream=stream), secrets=[provider.api_key]
            )
        finally:
            await client.close()

    return asyncio.run(go())


@pytest.fixture(params=sorted(KEY_SHAPES))
def provider(request: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A provider whose key is one of the shapes no pattern catches."""
    key = KEY_SHAPES[request.param]
    monkeypatch.setenv(BASELINE_ENV, key)
    with FakeProvider(api_key=key, default=Reply("Blue.")) as fake:
        yield fake


@pytest.fixture
def hex_provider(monkeypatch: pytest.MonkeyPatch) -> Any:
    key = KEY_SHAPES["hex64"]
    monkeypatch.setenv(BASELINE_ENV, key)
    with FakeProvider(api_key=key, default=Reply("Blue.")) as fake:
        yield fake


def everything(result: SideResult) -> str:
    """What a run could print or write of this result."""
    return repr(result) + json.dumps(result.usage.raw if result.usage else None)


# --- connection faults: retried, then the call's own error -----------------------------------


@pytest.mark.parametrize("mode", ["reset_before", "reset_mid_body"])
def test_a_reset_connection_is_retried_then_answered(hex_provider: FakeProvider, mode: FaultMode) -> None:
    hex_provider.inject(mode, times=1)
    result = call(hex_provider, max_retries=1)
    assert result.ok and result.output == "Blue."
    assert len(hex_provider.chat_requests()) == 2


@pytest.mark.parametrize("mode", ["reset_before", "reset_mid_body"])
def test_a_connection_reset_on_every_attempt_is_a_connection_error(hex_provider: FakeProvider, mode: FaultMode) -> None:
    hex_provider.inject(mode, times=None)
    result = call(hex_provider, max_retries=1)
    assert result.error is not None and result.error.kind == "connection"
    assert result.output is None and len(hex_provider.chat_requests()) == 2


# --- streams that stop before their end -------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream_cut", "reset_mid_stream"])
def test_a_stream_that_stops_before_its_finish_reason_is_an_error_not_an_answer(
    hex_provider: FakeProvider, mode: FaultMode
) -> None:
    hex_provider.inject(mode, times=None, chunks=3)
    result = call(hex_provider, stream=True)
    assert result.error is not None and result.error.kind == "stream_cut"
    assert "after 4 chunk(s)" in result.error.message  # the role chunk and three content chunks
    assert result.output is None and result.finish_reason is None and result.usage is None


@pytest.mark.parametrize("mode", ["stream_cut", "reset_mid_stream"])
def test_a_cut_stream_is_sent_again_like_a_dropped_connection(hex_provider: FakeProvider, mode: FaultMode) -> None:
    hex_provider.inject(mode, times=2)
    result = call(hex_provider, stream=True, max_retries=2)
    assert result.ok and result.output == "Blue." and result.finish_reason == "stop"
    assert len(hex_provider.chat_requests()) == 3


def test_retries_of_a_cut_stream_stop_at_max_retries(hex_provider: FakeProvider) -> None:
    hex_provider.inject("stream_cut", times=None)
    result = call(hex_provider, stream=True, max_retries=2)
    assert result.error is not None and result.error.kind == "stream_cut"
    assert len(hex_provider.chat_requests()) == 3


# --- a 200 that is not a chat completion --------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("truncated_json", "not complete JSON"),
        ("deep_json", "nested too deeply"),
        ("not_a_completion", "no 'choices' list"),
        ("html", "HTTP 200, text/html"),
    ],
)
def test_a_200_that_is_not_a_completion_is_this_calls_bad_response(
    hex_provider: FakeProvider, mode: FaultMode, says: str
) -> None:
    hex_provider.inject(mode)
    result = call(hex_provider, max_retries=2)
    assert result.error is not None and result.error.kind == "bad_response"
    assert says in result.error.message and len(result.error.message) <= 300
    assert len(hex_provider.chat_requests()) == 1  # an answer that arrived is not paid for twice


@pytest.mark.parametrize("mode", ["truncated_json", "html"])
def test_a_body_that_is_not_a_stream_where_a_stream_was_asked_for_is_a_bad_response(
    hex_provider: FakeProvider, mode: FaultMode
) -> None:
    hex_provider.inject(mode)
    result = call(hex_provider, stream=True, max_retries=1)
    assert result.error is not None and result.error.kind == "bad_response"
    assert len(hex_provider.chat_requests()) == 1


def test_a_server_that_ignores_stream_is_read_as_a_whole_answer(hex_provider: FakeProvider) -> None:
    hex_provider.inject("ignores_stream")
    result = call(hex_provider, stream=True)
    assert result.ok and result.output == "A whole answer." and result.finish_reason == "stop"
    assert result.ttft_s is None and not result.stream_usage_missing


def test_a_stream_event_that_is_not_json_is_a_bad_response(hex_provider: FakeProvider) -> None:
    hex_provider.inject("bad_chunk")
    result = call(hex_provider, stream=True, max_retries=1)
    assert result.error is not None and result.error.kind == "bad_response"
    assert "not valid JSON" in result.error.message and len(hex_provider.chat_requests()) == 1


# --- keys echoed back ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("mode", ["html_echo", "error_echo_auth", "error_echo_auth_long", "answer_echo_auth"])
def test_an_echoed_authorization_header_never_reaches_the_result(
    provider: FakeProvider, mode: FaultMode, stream: bool
) -> None:
    provider.inject(mode)
    result = call(provider, stream=stream)
    assert not leaks(everything(result), provider.api_key)
    if mode == "answer_echo_auth":
        assert result.ok and "…REDACTED" in (result.output or "")
        assert result.usage is not None
        shown = json.dumps([result.usage.raw, result.tool_calls], ensure_ascii=False)
        assert shown.count("…REDACTED") == 2


def test_a_long_error_body_is_redacted_before_it_is_cut(hex_provider: FakeProvider) -> None:
    """The key straddles character 300, where the message is cut: cutting first would leave its
    first characters, which no longer match the whole key."""
    hex_provider.inject("error_echo_auth_long")
    result = call(hex_provider)
    assert result.error is not None and result.error.kind == "server" and result.error.status == 502
    assert "Authorization: Bearer …REDACTED" in result.error.message
    assert not leaks(result.error.message, hex_provider.api_key, width=4)


# --- time ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_a_drip_feed_times_out_as_a_whole_and_is_retried_as_a_timeout(hex_provider: FakeProvider, stream: bool) -> None:
    # ~300 bytes at one per 50 ms would take 15 s; every single read is far under the timeout.
    hex_provider.inject("drip", times=None, interval=0.05)
    result = call(hex_provider, stream=stream, timeout=0.5, max_retries=1)
    assert result.error is not None and result.error.kind == "timeout"
    assert len(hex_provider.chat_requests()) == 2


def test_a_huge_retry_after_is_recorded_not_waited_out(hex_provider: FakeProvider) -> None:
    hex_provider.fail(429, retry_after="86400", times=None)
    result = call(hex_provider, max_retries=3)
    assert result.error is not None and result.error.kind == "rate_limit"
    assert len(hex_provider.chat_requests()) == 1


# --- odd but valid answers ----------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_a_huge_answer_is_recorded_whole(hex_provider: FakeProvider, stream: bool) -> None:
    hex_provider.inject("huge", size=2_000_000)
    result = call(hex_provider, stream=stream)
    assert result.ok and len(result.output or "") == 2_000_000 and result.finish_reason == "stop"


@pytest.mark.parametrize("stream", [False, True])
def test_an_answer_without_usage_has_no_usage(hex_provider: FakeProvider, stream: bool) -> None:
    hex_provider.inject("no_usage")
    result = call(hex_provider, stream=stream)
    assert result.ok and result.output == "An answer without usage." and result.usage is None
    assert result.stream_usage_missing == stream


@pytest.mark.parametrize("stream", [False, True])
def test_a_same_host_redirect_is_followed(hex_provider: FakeProvider, stream: bool) -> None:
    hex_provider.inject("redirect", status=307)
    result = call(hex_provider, stream=stream)
    assert result.ok and result.output == "Blue."
    assert [r.path for r in hex_provider.chat_requests()] == ["/v1/chat/completions", "/v1/moved/chat/completions"]


def test_a_redirect_to_another_host_does_not_carry_the_key(hex_provider: FakeProvider) -> None:
    with FakeProvider(api_key="the-other-hosts-key", default=Reply("elsewhere")) as other:
        hex_provider.inject("redirect", status=307, location=f"{other.url}/chat/completions")
        result = call(hex_provider)
        assert [r.headers.get("authorization") for r in other.chat_requests()] == [None]
    assert result.error is not None and result.error.kind == "auth"  # the other host wants its own key


def test_non_finite_numbers_and_lone_surrogates_in_an_answer_are_made_writable(hex_provider: FakeProvider) -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4, "score": float("nan")}
    hex_provider.replies["gpt-4o"] = Reply("bad \ud800 half", usage=usage)
    result = call(hex_provider)
    assert result.usage is not None
    assert result.ok and result.output == "bad \ufffd half" and result.usage.raw["score"] is None
    json.dumps([result.output, result.usage.raw], allow_nan=False).encode("utf-8")  # raises if not writable
