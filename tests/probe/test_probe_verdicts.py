"""Every verdict path of every feature: the fake provider accepts, ignores, rejects or confuses one
feature at a time, and `migrate probe --only FEATURE --json` must say so, with the evidence.

chat, embeddings and responses have no "ignored" path: a provider cannot half-serve an endpoint;
a 200 that is not the object asked for is "unknown".
"""

from __future__ import annotations

import time

import pytest
from probe_helpers import Probe

from migrate_cli.features import FEATURE_NAMES

ACCEPTED, IGNORED, REJECTED, UNKNOWN = "accepted", "ignored", "rejected", "unknown"

CASES = [
    ("chat", "accept", ACCEPTED, 'answered "1 2 3 4 5 6 7 8 9"'),
    ("chat", "malformed", UNKNOWN, 'not a chat completion: {"object": "not.a.completion"}'),
    ("stream", "accept", ACCEPTED, "finish_reason stop, ended with [DONE]"),
    ("stream", "ignore", IGNORED, "answered with one application/json instead of a stream"),
    ("stream", "cut", UNKNOWN, "the stream was cut after 2 chunk(s), before finish_reason and [DONE]"),
    ("stream_usage", "accept", ACCEPTED, "the stream carried usage: 8 prompt + 9 completion tokens"),
    ("stream_usage", "ignore", IGNORED, "the stream ended with [DONE] after 11 chunks and carried no usage"),
    ("stream_usage", "cut", UNKNOWN, "a cut stream is not evidence"),
    ("tools", "accept", ACCEPTED, 'called get_weather({"city": "Paris"})'),
    ("tools", "ignore", IGNORED, "the tool definition added no prompt tokens (8 with it, 8 without)"),
    ("tools", "mute", UNKNOWN, "the tool definition did reach it (28 prompt tokens with it, 8 without)"),
    ("tool_choice_required", "accept", ACCEPTED, "called get_weather"),
    ("tool_choice_required", "ignore", IGNORED, 'tool_choice "required", but no tool call: "I cannot check'),
    ("tool_choice_required", "cut", UNKNOWN, "the token budget (48) ran out before any answer"),
    ("tool_choice_named", "accept", ACCEPTED, 'called the forced tool: get_time({"city": "Paris"})'),
    ("tool_choice_named", "ignore", IGNORED, "forced get_time, but the model called get_weather"),
    ("tool_choice_named", "cut", UNKNOWN, "the token budget (48) ran out before any answer"),
    ("parallel_tool_calls", "accept", ACCEPTED, "2 tool calls when allowed, 1 with parallel_tool_calls false"),
    ("parallel_tool_calls", "ignore", IGNORED, "parallel_tool_calls false still gave 2 tool calls"),
    ("parallel_tool_calls", "one_call", UNKNOWN, "one tool call even with parallel calls allowed"),
    ("json_object", "accept", ACCEPTED, 'a bare JSON object: {"sea": "calm and blue"}'),
    ("json_object", "ignore", IGNORED, 'not JSON: "The sea is calm and blue today."'),
    ("json_object", "fence", IGNORED, "JSON inside a Markdown code fence"),
    ("json_object", "cut", UNKNOWN, "cut at the token limit before the JSON ended"),
    ("json_schema", "accept", ACCEPTED, 'matches the schema: {"city": "Tokyo", "population": 37400000}'),
    ("json_schema", "ignore", IGNORED, "(city missing; population missing; name is not in the schema)"),
    ("json_schema", "cut", UNKNOWN, "cut at the token limit before the JSON ended"),
    ("seed", "accept", ACCEPTED, "the same seed gave the same answer twice"),
    ("seed", "ignore", IGNORED, "though the provider repeats itself at temperature 0"),
    ("seed", "repeat", UNKNOWN, "the answers repeat without a seed too"),
    ("seed", "noisy", UNKNOWN, "does not repeat itself even at temperature 0"),
    ("n", "accept", ACCEPTED, "2 choices"),
    ("n", "ignore", IGNORED, "asked for n=2, got 1 choice"),
    ("n", "malformed", UNKNOWN, "the answer has no choices at all"),
    ("logprobs", "accept", ACCEPTED, '9 token logprob(s), the first "1": -0.5'),
    ("logprobs", "ignore", IGNORED, "asked for logprobs, the answer has none"),
    ("logprobs", "cut", UNKNOWN, "the token budget (48) ran out before any answer"),
    ("stop", "accept", ACCEPTED, 'stopped before "5": "1 2 3 4" (without stop: "1 2 3 4 5 6 7 8 9")'),
    ("stop", "ignore", IGNORED, 'the answer goes past the stop sequence "5"'),
    ("stop", "mute", UNKNOWN, 'the model did not write "5" even without stop'),
    ("max_tokens", "accept", ACCEPTED, 'finish_reason length after 5 chunk(s) of text: "1 2 3 4 5"'),
    ("max_tokens", "ignore", IGNORED, "more than 5 tokens came back: 6 chunks of text, and the probe stopped reading"),
    ("max_tokens", "mute", UNKNOWN, "the answer ended by itself (stop) after 1 chunk(s) of text"),
    ("max_completion_tokens", "accept", ACCEPTED, "finish_reason length after 5 chunk(s) of text"),
    ("max_completion_tokens", "ignore", IGNORED, "more than 5 tokens came back: 6 chunks of text"),
    ("max_completion_tokens", "mute", UNKNOWN, "the answer ended by itself (stop) after 1 chunk(s) of text"),
    ("embeddings", "accept", ACCEPTED, "a vector of 4 numbers (model probe-model)"),
    ("embeddings", "malformed", UNKNOWN, "No embedding data received"),
    ("responses", "accept", ACCEPTED, 'answered "pong" (status completed)'),
    ("responses", "malformed", UNKNOWN, "the answer is not a Responses API object"),
]
# A refusal is the provider's own words, for every feature.
CASES += [
    (feature, "reject", REJECTED, f"HTTP 400: Unrecognized request argument supplied: {feature}")
    for feature in FEATURE_NAMES
]
# A rate limit says nothing about a feature.
CASES += [(feature, "rate_limit", UNKNOWN, "HTTP 429: Rate limit reached") for feature in FEATURE_NAMES]
# Features whose requests also carry another feature's parameter are refused for that one.
_REFUSED_AS = {"tool_choice_required": "tools", "tool_choice_named": "tools", "parallel_tool_calls": "tools"}
_NEEDS = {"embeddings": ("--embedding-model", "probe-model")}
# The plain chat request carries max_tokens too: rate-limiting it leaves nothing probed (exit 3).
_GATE_FAILS = {("chat", "reject"), ("chat", "malformed"), ("chat", "rate_limit"), ("max_tokens", "rate_limit")}


@pytest.mark.parametrize(("feature", "mode", "verdict", "evidence"), CASES, ids=lambda v: str(v)[:24])
def test_verdict_and_evidence(probe: Probe, feature: str, mode: str, verdict: str, evidence: str) -> None:
    probe.provider.behaviour[feature] = mode
    result = probe("--only", feature, "--json", *_NEEDS.get(feature, ()))

    assert result.verdicts() == {feature: (verdict, result.verdicts()[feature][1])}
    assert evidence in result.verdicts()[feature][1]
    assert result.exit_code == (3 if (feature, mode) in _GATE_FAILS else 0), result.stderr


def test_every_feature_has_every_verdict_it_can_have() -> None:
    seen = {(feature, verdict) for feature, _mode, verdict, _evidence in CASES}
    for feature in FEATURE_NAMES:
        possible = {ACCEPTED, REJECTED, UNKNOWN}
        if feature not in ("chat", "embeddings", "responses"):
            possible.add(IGNORED)
        assert {verdict for f, verdict in seen if f == feature} == possible, feature


def test_a_feature_refused_through_a_parameter_it_shares_is_rejected_with_that_message(probe: Probe) -> None:
    probe.provider.behaviour["tools"] = "reject"
    result = probe("--only", ",".join(_REFUSED_AS), "--json")

    for feature in _REFUSED_AS:
        assert result.verdicts()[feature] == (REJECTED, "HTTP 400: Unrecognized request argument supplied: tools")


def test_embeddings_refused_for_the_chat_model_is_unknown_and_says_how_to_decide(probe: Probe) -> None:
    probe.provider.behaviour["embeddings"] = "reject"
    verdict, evidence = probe("--only", "embeddings", "--json").verdicts()["embeddings"]

    assert verdict == UNKNOWN
    assert "probed with the chat model probe-model; give --embedding-model NAME" in evidence


def test_a_feature_past_its_deadline_is_unknown(probe: Probe) -> None:
    probe.provider.behaviour["n"] = "slow"
    result = probe("--only", "n", "--json", "--timeout", "0.5")

    verdict, evidence = result.verdicts()["n"]
    assert verdict == UNKNOWN
    assert "within 0.5 s" in evidence or "no answer within the timeout" in evidence
    assert result.exit_code == 0


def test_a_refused_token_limit_name_on_the_plain_chat_switches_every_probe_to_the_other(probe: Probe) -> None:
    probe.provider.behaviour["max_tokens"] = "reject"
    result = probe("--only", "chat,stop,max_tokens,max_completion_tokens", "--json")

    verdicts = result.verdicts()
    assert verdicts["chat"][0] == ACCEPTED
    assert "with max_completion_tokens: max_tokens was refused (HTTP 400" in verdicts["chat"][1]
    assert verdicts["stop"][0] == ACCEPTED
    assert verdicts["max_tokens"][0] == REJECTED
    assert verdicts["max_completion_tokens"][0] == ACCEPTED
    assert result.document["token_limit_param"] == "max_completion_tokens"
    chat = probe.provider.chat_requests()
    assert "max_tokens" in chat[0].body  # the gate's first try
    later = [
        r.body for r in chat[1:] if r.body["messages"][0]["content"] != "Write a long story about a lighthouse keeper."
    ]
    assert later and all("max_tokens" not in body and body["max_completion_tokens"] == 48 for body in later)


@pytest.mark.parametrize(("preset", "param"), [("groq", "max_completion_tokens"), ("vmira", "max_tokens")])
def test_the_token_limit_name_follows_the_preset_as_rewrite_does(preset: str, param: str) -> None:
    from migrate_cli.config import resolve_target
    from migrate_cli.probe.session import token_param_for

    assert token_param_for(resolve_target(provider=preset)) == param


@pytest.mark.parametrize(
    ("mode", "verdict", "evidence"),
    [("accept", ACCEPTED, "cut at 5 tokens"), ("ignore", IGNORED, "the provider counted 9")],
)
def test_a_token_limit_is_probed_plain_where_streaming_is_refused(
    probe: Probe, mode: str, verdict: str, evidence: str
) -> None:
    probe.provider.behaviour.update({"stream": "reject", "max_tokens": mode})
    found, said = probe("--only", "max_tokens", "--json").verdicts()["max_tokens"]

    assert found == verdict
    assert evidence in said
    assert (
        "(sent without streaming: streamed, it was refused: HTTP 400: Unrecognized request argument supplied: stream)"
        in said
    )


def test_a_provider_ignoring_a_token_limit_is_cut_off_after_a_few_chunks(probe: Probe) -> None:
    probe.provider.behaviour["max_tokens"] = "ignore"
    probe.provider.stream_words = 200_000  # a model that would not stop (and more than socket buffers hold)
    result = probe("--only", "max_tokens", "--json")

    assert result.verdicts()["max_tokens"][0] == IGNORED
    # The server notices the closed connection on its own thread, a moment after the client left.
    waited = 0
    while probe.provider.streams_cut_by_client == 0 and waited < 1000:
        time.sleep(0.01)
        waited += 1
    assert probe.provider.streams_cut_by_client == 1
