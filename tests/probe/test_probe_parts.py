"""The pure parts of the probe: the vocabulary, the requests, the stream reader, the judge's edge
cases that the fake provider does not reach, and saved files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate_cli.errors import UsageError
from migrate_cli.features import FEATURE_NAMES, FEATURES, VERDICT_MEANINGS, VERDICTS, FeatureName
from migrate_cli.probe import saved
from migrate_cli.probe.judge import judge
from migrate_cli.probe.judging import rejects_feature
from migrate_cli.probe.records import Exchange, StreamRecord
from migrate_cli.probe.requests import PROBE_LIMIT, ProbeSettings, feature_requests
from migrate_cli.probe.stream_read import StreamAssembler
from migrate_cli.smoke.records import CallError, ErrorKind

SETTINGS = ProbeSettings(model="m")

# --- the vocabulary ---------------------------------------------------------------------------------


def test_the_contract_names_are_all_there_in_order() -> None:
    assert FEATURE_NAMES == (
        "chat", "stream", "stream_usage", "tools", "tool_choice_required", "tool_choice_named",
        "parallel_tool_calls", "json_object", "json_schema", "seed", "n", "logprobs", "stop",
        "max_tokens", "max_completion_tokens", "embeddings", "responses",
    )  # fmt: skip
    assert VERDICTS == ("accepted", "ignored", "rejected", "unknown")
    assert set(VERDICT_MEANINGS) == set(VERDICTS)
    assert all("\n" not in f.description and f.description for f in FEATURES.values())


# --- the requests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("feature", FEATURE_NAMES)
def test_every_request_is_small_and_only_controls_leave_the_feature_out(feature: FeatureName) -> None:
    requests = feature_requests(feature, SETTINGS)

    assert requests and all(r.feature == feature for r in requests)
    for request in requests:
        limits = [request.body.get(k) for k in ("max_tokens", "max_completion_tokens", "max_output_tokens")]
        assert request.api == "embeddings" or any(limit is not None and limit <= 48 for limit in limits)
        assert request.uses_feature == (request.role not in ("control", "unseeded", "greedy"))


def test_controls_are_the_probe_without_the_feature() -> None:
    probe, control = feature_requests("stop", SETTINGS)
    assert {k: v for k, v in probe.body.items() if k != "stop"} == dict(control.body)
    probe, control = feature_requests("tools", SETTINGS)
    assert {k: v for k, v in probe.body.items() if k != "tools"} == dict(control.body)


def test_the_token_limit_probes_carry_only_their_own_limit() -> None:
    (limit,) = feature_requests("max_completion_tokens", SETTINGS)
    assert limit.body["max_completion_tokens"] == PROBE_LIMIT and "max_tokens" not in limit.body


# --- the stream reader ------------------------------------------------------------------------------


def _chunk(delta: dict, finish: str | None = None, usage: dict | None = None) -> str:
    choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return "data: " + json.dumps({"object": "chat.completion.chunk", "choices": choices, "usage": usage})


def _read(lines: list[str], content_type: str = "text/event-stream") -> StreamRecord:
    assembler = StreamAssembler(content_type=content_type)
    for line in lines:
        assembler.feed(line)
    return assembler.finish()


def test_a_complete_stream_is_reassembled() -> None:
    record = _read(
        [
            _chunk({"role": "assistant", "content": "po"}), "",
            ": keep-alive comment", "",
            _chunk({"content": "ng"}), "",
            _chunk({}, "stop"), "",
            _chunk({}, usage={"prompt_tokens": 3, "completion_tokens": 1}), "",
            "data: [DONE]", "",
        ]
    )  # fmt: skip

    assert (record.content, record.finish_reason, record.done, record.chunks) == ("pong", "stop", True, 4)
    assert record.usage == {"prompt_tokens": 3, "completion_tokens": 1} and record.streamed


def test_a_stream_that_just_stops_is_not_done() -> None:
    record = _read([_chunk({"content": "1 "}), "", _chunk({"content": "2 "})])

    assert (record.content, record.finish_reason, record.done) == ("1 2 ", None, False)


def test_tool_call_pieces_are_merged_by_index() -> None:
    first = {"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "get_", "arguments": '{"ci'}}]}
    second = {"tool_calls": [{"index": 0, "function": {"name": "weather", "arguments": 'ty": "Paris"}'}}]}
    record = _read([_chunk(first), "", _chunk(second), "", _chunk({}, "tool_calls"), "", "data: [DONE]", ""])

    assert record.tool_calls == (
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
    )


def test_an_error_event_and_a_json_body_are_told_apart_from_a_stream() -> None:
    errored = _read(["event: error", 'data: {"error": {"message": "upstream overloaded"}}', ""])
    assert errored.error == "upstream overloaded"
    body = _read(['{"object": "chat.completion",', '"choices": []}'], "application/json")
    assert not body.streamed and body.body == {"object": "chat.completion", "choices": []}


# --- the judge, past what the fake provider shows ---------------------------------------------------


def _completion(text: str, finish: str = "stop", usage: dict | None = None) -> dict:
    message = {"role": "assistant", "content": text}
    return {"choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage}


def _exchanges(feature: FeatureName, answers: list[dict | CallError]) -> list[Exchange]:
    requests = feature_requests(feature, SETTINGS)
    return [
        Exchange(r, error=a) if isinstance(a, CallError) else Exchange(r, answer=a)
        for r, a in zip(requests, answers, strict=True)
    ]


def test_a_failed_control_matters_only_when_the_verdict_needs_it() -> None:
    refused = CallError("bad_request", "temperature 0 is not supported", 400)
    same, a, b = _completion("zorp blick"), _completion("one"), _completion("two")

    accepted = judge("seed", _exchanges("seed", [same, same, a, b, refused, refused]), SETTINGS)
    assert accepted.verdict == "accepted"

    undecided = judge("seed", _exchanges("seed", [a, b, a, b, refused, refused]), SETTINGS)
    assert undecided.verdict == "unknown"
    assert undecided.evidence == "the greedy request failed: HTTP 400: temperature 0 is not supported"


@pytest.mark.parametrize(
    ("text", "finish", "verdict"),
    [
        ("one two three four five six seven", "stop", "ignored"),  # more words than 5 tokens hold
        ("one two", "length", "accepted"),
        ("Done.", "stop", "unknown"),
    ],
)
def test_a_token_limit_without_usage_is_judged_by_words(text: str, finish: str, verdict: str) -> None:
    found = judge("max_tokens", _exchanges("max_tokens", [_completion(text, finish)]), SETTINGS)

    assert found.verdict == verdict
    if verdict != "unknown":
        assert "no usage reported" in found.evidence


def test_a_200_carrying_an_error_instead_of_a_stream_is_not_called_ignored() -> None:
    (request,) = feature_requests("stream", SETTINGS)
    record = _read(['{"error": {"message": "overloaded"}}'], "application/json")
    found = judge("stream", [Exchange(request, answer=record)], SETTINGS)

    assert (found.verdict, found.evidence) == (
        "unknown",
        'the provider answered 200 with an error: {"message": "overloaded"}',
    )


def test_tools_without_a_call_are_unknown_when_usage_is_all_zeros() -> None:
    zeros = {"prompt_tokens": 0, "completion_tokens": 0}
    found = judge("tools", _exchanges("tools", [_completion("No.", usage=zeros)] * 2), SETTINGS)

    assert found.verdict == "unknown" and "no usage to tell whether the tool definition reached it" in found.evidence


@pytest.mark.parametrize(
    ("status", "kind", "rejects"),
    [(400, "bad_request", True), (404, "unknown_model", True), (422, "bad_request", True), (500, "server", True),
     (429, "rate_limit", False), (503, "server", False), (None, "timeout", False), (None, "connection", False)],
)  # fmt: skip
def test_only_errors_about_the_request_reject_a_feature(status: int | None, kind: ErrorKind, rejects: bool) -> None:
    assert rejects_feature(CallError(kind, "message", status)) is rejects


# --- saved probes -----------------------------------------------------------------------------------


def test_a_saved_probe_loads_and_changes_are_listed_in_order(tmp_path: Path) -> None:
    def document(verdicts: dict[str, str]) -> dict:
        features = [{"feature": f, "verdict": v, "evidence": f"{f} was {v}"} for f, v in verdicts.items()]
        return {"target": {"base_url": "http://x/v1"}, "model": "m", "features": features}

    path = tmp_path / "old.json"
    saved.save(path, document({"chat": "accepted", "seed": "accepted", "future_feature": "ignored"}))
    old = saved.load(path)
    new = saved.parse(document({"chat": "accepted", "seed": "ignored", "n": "rejected"}), Path("new"))

    assert [(c.feature, c.before, c.after) for c in saved.changes(old.verdicts, new.verdicts)] == [
        ("seed", "accepted", "ignored"),
        ("n", None, "rejected"),
        ("future_feature", "ignored", None),
    ]
    assert saved.same_target(old, new)


def test_an_unknown_verdict_in_a_saved_probe_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"features": [{"feature": "seed", "verdict": "maybe"}]}), "utf-8")

    with pytest.raises(UsageError, match=r"features\[0\] \(seed\) has an unknown verdict 'maybe'"):
        saved.load(path)
