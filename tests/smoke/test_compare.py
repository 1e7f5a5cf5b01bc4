"""The verdict table, JSON- and tool-call-aware comparison, similarity and the diff."""

from __future__ import annotations

import json
from typing import Any

import pytest

from migrate_cli.smoke.compare import (
    EQUIVALENT_SIMILARITY,
    compare,
    json_differences,
    normalise,
    percent_change,
    similarity,
)
from migrate_cli.smoke.json_diff import MAX_DIFFERENCES
from migrate_cli.smoke.records import CallError, SideName, SideResult


def side(name: SideName, output: str | None = None, **fields: Any) -> SideResult:
    model = "gpt-4o" if name == "baseline" else "mira"
    return SideResult(side=name, model=model, request={}, output=output, **fields)


def pair(base: str | None = None, cand: str | None = None, **fields: Any):
    """fields like base_finish_reason=..., cand_tool_calls=... go to one side each."""
    split: dict[str, dict[str, Any]] = {"base": {}, "cand": {}}
    for key, value in fields.items():
        prefix, _, name = key.partition("_")
        split[prefix][name] = value
    return side("baseline", base, **split["base"]), side("candidate", cand, **split["cand"])


def call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


RATE_LIMITED = CallError(kind="rate_limit", message="Too many requests", status=429)
LONG_A = "The quick brown fox jumps over the lazy dog near the riverbank at dawn."
LONG_B = "The quick brown fox jumped over the lazy dog near the riverbank at dawn."

VERDICTS = [
    # (baseline, candidate, extra fields, verdict, reason fragment)
    ("Paris.", "  Paris.\n", {}, "same", "identical after normalising"),
    ("```python\nprint(1)\n```", "print(1)", {}, "same", "identical after normalising"),
    (LONG_A, LONG_B, {}, "equivalent", "similar wording"),
    ("The answer is 42.", "The answer is 43.", {}, "drift", "numbers differ (baseline says 42; candidate says 43)"),
    ("The capital of France is Paris.", "I am not sure, sorry.", {}, "drift", "different wording"),
    ('{"a": 1, "b": [1, 2]}', '{"b":[1,2],\n "a":1}', {}, "equivalent", "same JSON value"),
    ('```json\n{"a": 1}\n```', '{"a": 1.0}', {}, "equivalent", "same JSON value"),
    ('{"a": 1}', '{"a": 1}', {}, "same", "identical JSON"),
    (
        '{"a": 1, "b": 2}',
        '{"a": 1, "c": 2}',
        {},
        "drift",
        "JSON differs at $.b (missing on candidate), $.c (only on candidate)",
    ),
    ('{"a": {"n": 1}}', '{"a": {"n": "1"}}', {}, "drift", "$.a.n (number vs string)"),
    ('{"ok": true}', '{"ok": 1}', {}, "drift", "$.ok (boolean vs number)"),
    ("[1, 2, 3]", "[1, 2]", {}, "drift", "$ (3 items vs 2)"),
    (
        '{"a": 1}',
        "Sure! a is 1.",
        {},
        "broken",
        "the baseline answered with JSON; the candidate's answer is not valid JSON "
        "(Expecting value at line 1 column 1)",
    ),
    ('{"a": 1}', '{"a": 1', {}, "broken", "not valid JSON (Expecting ',' delimiter"),
    ("a is 1", '{"a": 1}', {}, "drift", "different wording"),
    ("Hello", None, {"cand_error": RATE_LIMITED}, "broken", "candidate failed: rate_limit 429: Too many requests"),
    (
        None,
        None,
        {"base_error": RATE_LIMITED, "cand_error": CallError("auth", "bad key", 401)},
        "broken",
        "both sides failed",
    ),
    ("Hello", "", {}, "broken", "the candidate's answer is empty; the baseline answered with text"),
    ("", "Hello", {}, "broken", "the baseline's answer is empty; the candidate answered with text"),
    ("", "", {}, "same", "both answers are empty"),
    ("```\n```", "Hello", {}, "broken", "the baseline's answer is empty"),
    (
        "Once upon a",
        "Once upon a time.",
        {"base_finish_reason": "length", "cand_finish_reason": "stop"},
        "broken",
        "the baseline stopped at the token limit (finish_reason=length); the candidate did not",
    ),
    (
        "Once upon a",
        "Once upon a",
        {"base_finish_reason": "length", "cand_finish_reason": "length"},
        "same",
        "identical",
    ),
    ("Here it is", "", {"cand_finish_reason": "content_filter"}, "broken", "the candidate was cut by a content filter"),
    (
        None,
        "It is sunny.",
        {"base_tool_calls": (call("get_weather", '{"city": "Paris"}'),)},
        "broken",
        "only the baseline called a tool (get_weather); the candidate did not",
    ),
    (
        None,
        None,
        {
            "base_tool_calls": (call("f", '{"a": 1, "b": 2}', "call_x"),),
            "cand_tool_calls": (call("f", '{"b":2,"a":1}', "call_y"),),
        },
        "same",
        "same tool calls (name and arguments)",
    ),
    (
        None,
        None,
        {
            "base_tool_calls": (call("get_weather", '{"city": "Paris"}'),),
            "cand_tool_calls": (call("get_weather", '{"city": "paris"}'),),
        },
        "drift",
        'tool calls differ: get_weather arguments city ("Paris" vs "paris")',
    ),
    (
        None,
        None,
        {"base_tool_calls": (call("get_weather", "{}"),), "cand_tool_calls": (call("get_time", "{}"),)},
        "drift",
        "call 1 is get_weather vs get_time",
    ),
    (
        None,
        None,
        {"base_tool_calls": (call("f", "{}"),), "cand_tool_calls": (call("f", "{}"), call("g", "{}"))},
        "drift",
        "1 calls (f) vs 2 (f, g)",
    ),
    (
        None,
        None,
        {"base_tool_calls": (call("f", "{bad"),), "cand_tool_calls": (call("f", "{bad"),)},
        "same",
        "same tool calls",
    ),
    # The same call, narrated by one side only ("Let me check."): the calls decide, the text is extra.
    (
        None,
        "Let me check the weather.",
        {"base_tool_calls": (call("get_weather", "{}"),), "cand_tool_calls": (call("get_weather", "{}"),)},
        "equivalent",
        "same tool calls (name and arguments); only the candidate also wrote text",
    ),
    (
        "Checking.",
        "```\n```",
        {"base_tool_calls": (call("get_weather", "{}"),), "cand_tool_calls": (call("get_weather", "{}"),)},
        "equivalent",
        "same tool calls (name and arguments); only the baseline also wrote text",
    ),
]


@pytest.mark.parametrize(("base", "cand", "fields", "verdict", "reason"), VERDICTS)
def test_verdict_table(base: str | None, cand: str | None, fields: dict[str, Any], verdict: str, reason: str) -> None:
    result = compare(*pair(base, cand, **fields))
    assert result.verdict == verdict, result.reason
    assert reason in result.reason


def test_similarity_is_reported_with_each_verdict() -> None:
    assert compare(*pair("Paris.", "Paris.")).similarity == 1.0
    equivalent = compare(*pair(LONG_A, LONG_B))
    assert equivalent.similarity is not None and EQUIVALENT_SIMILARITY <= equivalent.similarity < 1.0
    assert compare(*pair("Yes.", None, cand_error=RATE_LIMITED)).similarity is None
    assert compare(*pair('{"a":1}', '{"a": 1}')).json_equal is True
    drift = compare(*pair('{"a": 1, "b": "x"}', '{"a": 2, "b": "x"}'))
    assert drift.json_equal is False and drift.similarity is not None and 0 < drift.similarity < 1


@pytest.mark.parametrize(
    ("base", "cand", "score", "verdict"),
    [
        ("Paris is the capital of France.", "city is the capital France of France.", 0.8499, "drift"),
        ("Water boils at sea level when heated.", "Water town at in level when heated.", 0.85, "equivalent"),
        ("Water boils at sea level when heated.", "Water noon at sea water when heated.", 0.8501, "equivalent"),
    ],
)
def test_the_equivalence_threshold_is_inclusive(base: str, cand: str, score: float, verdict: str) -> None:
    # Pairs found to score just under, exactly at and just over EQUIVALENT_SIMILARITY (0.85): the
    # README says "similarity ≥ 0.85" is equivalent, so the boundary itself is.
    assert EQUIVALENT_SIMILARITY == 0.85
    result = compare(*pair(base, cand))
    assert result.similarity == score
    assert result.verdict == verdict, result.reason
    sign = "<" if verdict == "drift" else ">="
    assert result.reason.endswith(f"(similarity {score:.2f} {sign} 0.85)")


def test_a_number_only_one_side_states_is_drift_and_repetition_is_not() -> None:
    dropped = compare(
        *pair(
            "The train leaves at 9 and arrives at 11 in the morning.",
            "The train leaves at 9 and arrives in the morning.",
        )
    )
    assert (dropped.verdict, dropped.reason) == (
        "drift",
        "similar wording (similarity 0.97) but numbers differ (baseline says 11)",
    )
    added = compare(
        *pair(
            "The train leaves at 9 and arrives in the morning.",
            "The train leaves at 9 and arrives at 11 in the morning.",
        )
    )
    assert added.verdict == "drift" and added.reason.endswith("but numbers differ (candidate says 11)")
    # The same numbers, one stated twice: nothing differs but the wording.
    repeated = compare(*pair("Take 2 tablets, then 2 more after lunch.", "Take 2 tablets, then more after lunch."))
    assert (repeated.verdict, repeated.reason) == ("equivalent", "similar wording (similarity 0.99 >= 0.85)")


def test_similarity_is_kept_for_a_broken_case_with_two_answers_and_absent_with_one() -> None:
    # Both answered, one was cut at the token limit: how close they were still helps the reader.
    cut = compare(*pair(LONG_A, LONG_B, cand_finish_reason="length"))
    assert cut.verdict == "broken" and cut.similarity == similarity(normalise(LONG_A), normalise(LONG_B))
    # One answer is empty: no similarity to speak of (not 0.0, which would drag the mean down).
    empty = compare(*pair("Hello there.", ""))
    assert empty.verdict == "broken" and empty.similarity is None
    same_json = compare(*pair('{"a": 1, "b": 2}', '{"b": 2, "a": 1}'))
    assert (same_json.verdict, same_json.similarity, same_json.json_equal) == ("equivalent", 1.0, True)
    identical = compare(*pair('{"a": 1}', '{"a": 1}'))
    assert (identical.verdict, identical.reason, identical.json_equal) == ("same", "identical JSON", True)
    plain = compare(*pair("Paris.", "Paris."))
    assert (plain.verdict, plain.json_equal) == ("same", None)  # not JSON: no JSON verdict either way


def test_similarity_bounds_and_symmetry() -> None:
    assert similarity("abc", "abc") == 1.0
    assert similarity("Yes.", "No.") < 0.3
    a, b = "The capital of France is Paris.", "Paris is the capital of France."
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
    # A one-word answer against a sentence holding it is not equivalent (token_set alone would say 1.0).
    assert similarity("Paris", "The capital of France is Paris.") < EQUIVALENT_SIMILARITY


def test_normalise() -> None:
    assert normalise("Cafe\u0301\n\n  au   lait ") == "Café au lait"
    assert normalise('```json\n{"a": 1}\n```') == '{"a": 1}'


def test_many_json_differences_are_summarised() -> None:
    base = json.dumps({f"k{i}": i for i in range(7)})
    cand = json.dumps({f"k{i}": i + 1 for i in range(7)})
    result = compare(*pair(base, cand))
    assert result.reason == "JSON differs at $.k0 (0 vs 1), $.k1 (1 vs 2), $.k2 (2 vs 3), $.k3 (3 vs 4) and 3 more"


def test_json_differences_cut_at_the_limit_say_at_least() -> None:
    # json_differences stops at MAX_DIFFERENCES: with exactly that many, there may be more.
    at_limit = compare(*pair(json.dumps(list(range(MAX_DIFFERENCES))), json.dumps([-1] * MAX_DIFFERENCES)))
    assert at_limit.reason.endswith(f" and {MAX_DIFFERENCES - 4}+ more")
    below = compare(*pair(json.dumps(list(range(MAX_DIFFERENCES - 1))), json.dumps([-1] * (MAX_DIFFERENCES - 1))))
    assert below.reason.endswith(f" and {MAX_DIFFERENCES - 5} more")


def test_json_differences_paths() -> None:
    assert json_differences({"a": [1, {"b": None}]}, {"a": [1, {"b": False}]}) == ["$.a[1].b (null vs boolean)"]
    assert json_differences({"x": 1}, {"x": 1.0}) == []


def test_diff_splits_long_one_line_answers_into_sentences() -> None:
    base = "Photosynthesis makes sugar from light. It happens in chloroplasts. Oxygen is released as a by-product."
    cand = "Photosynthesis makes sugar from light. It happens in mitochondria. Oxygen is released as a by-product."
    diff = compare(*pair(base, cand)).diff
    assert diff.splitlines() == [
        "--- baseline (gpt-4o)",
        "+++ candidate (mira)",
        "@@ -1,3 +1,3 @@",
        " Photosynthesis makes sugar from light.",
        "-It happens in chloroplasts.",
        "+It happens in mitochondria.",
        " Oxygen is released as a by-product.",
    ]


def test_diff_of_json_is_pretty_printed_and_of_tool_calls_lists_them() -> None:
    diff = compare(*pair('{"b": 1, "a": 2}', '{"a": 2, "b": 3}')).diff
    assert '-  "b": 1' in diff and '+  "b": 3' in diff and '   "a": 2,' in diff
    tools = compare(
        *pair(None, None, base_tool_calls=(call("f", '{"x": 1}'),), cand_tool_calls=(call("f", '{"x": 2}'),))
    ).diff
    assert '-[tool call] f({"x": 1})' in tools and '+[tool call] f({"x": 2})' in tools


def test_no_diff_when_a_side_failed_or_answers_match() -> None:
    assert compare(*pair("Hello", None, cand_error=RATE_LIMITED)).diff == ""
    assert compare(*pair("Hello", "Hello")).diff == ""


def test_percent_change() -> None:
    assert percent_change(200, 150) == -25.0
    assert percent_change(0.004, 0.005) == pytest.approx(25.0)
    assert percent_change(0, 5) is None
    assert percent_change(None, 5) is None
    assert percent_change(5, None) is None


def test_deeply_nested_json_is_compared_as_text_without_crashing() -> None:
    deep_a, deep_b = "[" * 5000 + "1" + "]" * 5000, "[" * 5000 + "2" + "]" * 5000
    assert compare(*pair(deep_a, deep_b)).verdict == "drift"
    shallow = compare(*pair("[[1]]", "[[2]]"))
    assert shallow.reason == "JSON differs at $[0][0] (1 vs 2)"
