"""Running totals and their rendering: costs never invented, deltas only over comparable cases,
bounded rows with differences first."""

from __future__ import annotations

import io
from typing import Literal

import pytest
from rich.console import Console

from migrate_cli.smoke.gates import GateSettings, evaluate_gates
from migrate_cli.smoke.records import (
    CallError,
    CaseResult,
    Comparison,
    Cost,
    CostStatus,
    ErrorKind,
    SideName,
    SideResult,
    TokenEstimate,
    Usage,
    Verdict,
)
from migrate_cli.smoke.report import RunState, money, render_summary, render_table
from migrate_cli.smoke.summary import RunSummary


def side(
    name: SideName,
    *,
    cost: float | None = None,
    status: CostStatus = "computed",
    prompt: int = 100,
    estimate: int = 80,
    error: ErrorKind | None = None,
    model: str = "m",
) -> SideResult:
    if error is not None:
        return SideResult(name, model, {}, error=CallError(error, "failed"))
    return SideResult(
        name,
        model,
        {},
        output="x",
        usage=Usage(prompt_tokens=prompt, completion_tokens=10),
        estimated_tokens=TokenEstimate(prompt=estimate, completion=10, encoding="o200k_base", exact=True),
        cost=Cost(usd=cost if status == "computed" else None, status=status),
        latency_s=0.5,
    )


def case(
    case_id: str,
    baseline: SideResult,
    candidate: SideResult,
    verdict: Verdict = "same",
    similarity: float | None = 1.0,
    reason: str = "",
) -> CaseResult:
    return CaseResult(case_id, baseline, candidate, Comparison(similarity, verdict, reason or f"because {case_id}"))


def test_costs_sum_per_side_and_the_delta_uses_cases_priced_on_both_sides() -> None:
    summary = RunSummary()
    summary.add(case("a", side("baseline", cost=0.002), side("candidate", cost=0.001)))
    summary.add(case("b", side("baseline", cost=0.004), side("candidate", cost=0.003)))
    # Unpriced on the candidate: in the baseline's total, not in the comparison.
    summary.add(case("c", side("baseline", cost=0.010), side("candidate", status="unpriced", model="mira")))
    result = summary.to_dict()
    assert result["baseline_cost_usd"] == pytest.approx(0.016)
    assert result["candidate_cost_usd"] == pytest.approx(0.004)
    assert result["cost_delta_pct"] == pytest.approx((0.004 - 0.006) / 0.006 * 100, abs=0.01)
    assert result["cost_delta_cases"] == 2
    assert result["sides"]["candidate"]["unpriced_models"] == ["mira"]


def test_a_side_without_any_price_is_unpriced_not_zero() -> None:
    summary = RunSummary()
    summary.add(case("a", side("baseline", cost=0.002), side("candidate", status="unpriced")))
    result = summary.to_dict()
    assert result["candidate_cost_usd"] is None and result["cost_delta_pct"] is None
    out = io.StringIO()
    render_summary(Console(file=out, width=200), summary, RunState(total=1))
    text = out.getvalue()
    assert "candidate unpriced" in text and "$0 " not in text and "delta" not in text


def test_errors_are_counted_per_side_and_kind_and_not_priced() -> None:
    summary = RunSummary()
    summary.add(case("a", side("baseline", cost=0.001), side("candidate", error="rate_limit"), "broken", None))
    summary.add(case("b", side("baseline", error="timeout"), side("candidate", error="rate_limit"), "broken", None))
    result = summary.to_dict()
    assert result["errors"] == {"baseline": 1, "candidate": 2}
    assert result["sides"]["candidate"]["errors_by_kind"] == {"rate_limit": 2}
    assert result["candidate_cost_usd"] is None and result["mean_similarity"] is None
    gates = evaluate_gates(summary, GateSettings(fail_on=("broken", "error")))
    assert [(g.name, g.value, g.passed) for g in gates] == [("fail-on broken", 2, False), ("fail-on error", 2, False)]
    assert gates[0].detail == "2 case(s) broken; allowed: 0"


@pytest.mark.parametrize(
    ("candidate_sides", "failed"),
    [
        (["ok", "ok"], False),
        (["ok", "bad_request"], False),  # a finding about the provider: the case is broken, no more
        (["ok", "unknown_model"], False),
        (["unknown_model", "unknown_model"], True),  # nothing measured on that side
        (["ok", "rate_limit"], True),  # calls lost: the run is incomplete
        (["ok", "server"], True),
        (["ok", "timeout"], True),
        (["ok", "connection"], True),
        (["ok", "other"], True),
    ],
)
def test_provider_failed_when_calls_are_lost_or_a_side_never_answered(
    candidate_sides: list[ErrorKind | Literal["ok"]], failed: bool
) -> None:
    summary = RunSummary()
    for i, kind in enumerate(candidate_sides):
        candidate = side("candidate", cost=0.001) if kind == "ok" else side("candidate", error=kind)
        summary.add(case(f"c{i}", side("baseline", cost=0.001), candidate))
    assert summary.provider_failed() is failed
    expected = (
        []
        if set(candidate_sides) == {"ok"}
        else [
            f"candidate: {candidate_sides.count(kind)} of {len(candidate_sides)} call(s) failed with {kind} (failed): "
            for kind in sorted(set(candidate_sides) - {"ok"})
        ]
    )
    assert [line[: line.index("): ") + 3] for line in summary.failed_calls()] == expected


def test_token_gap_compares_reported_prompt_tokens_with_the_estimate() -> None:
    summary = RunSummary()
    summary.add(case("a", side("baseline", prompt=100, estimate=100), side("candidate", prompt=120, estimate=100)))
    summary.add(case("b", side("baseline", prompt=50, estimate=50), side("candidate", prompt=66, estimate=50)))
    sides = summary.to_dict()["sides"]
    assert sides["baseline"]["prompt_token_gap_pct"] == 0.0
    assert sides["candidate"]["prompt_token_gap_pct"] == pytest.approx(24.0)


def test_mean_similarity_and_thresholds() -> None:
    summary = RunSummary()
    for index, score in enumerate((1.0, 0.5, 0.6)):
        summary.add(case(str(index), side("baseline"), side("candidate"), "drift" if score < 1 else "same", score))
    assert summary.mean_similarity == pytest.approx(0.7)

    def failed(settings: GateSettings) -> list[str]:
        return [g.detail for g in evaluate_gates(summary, settings) if not g.passed]

    assert failed(GateSettings(min_similarity=0.8)) == ["mean similarity 0.700 is 0.100 below the minimum 0.8"]
    assert failed(GateSettings(fail_on=("broken",), min_similarity=0.7)) == []
    assert failed(GateSettings(fail_on=("drift", "broken"))) == ["2 case(s) drift; allowed: 0"]
    # Nothing ran: no gate passes, whatever its threshold.
    empty = evaluate_gates(RunSummary(), GateSettings(fail_on=("broken",), min_similarity=0.0, max_cost_increase=1e9))
    assert [g.passed for g in empty] == [False, False, False]


def test_table_lists_differences_first_and_says_how_many_are_hidden() -> None:
    summary = RunSummary(row_limit=3)
    for index in range(1000):  # memory stays bounded: only `row_limit` rows per bucket are kept
        verdict: Verdict = "drift" if index in (500, 900) else "same"
        summary.add(case(f"case{index}", side("baseline", cost=0.001), side("candidate", cost=0.002), verdict))
    assert len(summary.rows.same) == 3 and len(summary.rows.differing) == 2
    out = io.StringIO()
    render_table(Console(file=out, width=200), summary, report_hint="out.json")
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("case500") and lines[2].startswith("case900") and lines[3].startswith("case0 ")
    assert "997 more case(s) not shown" in out.getvalue() and "out.json" in out.getvalue()


@pytest.mark.parametrize(
    ("usd", "text"),
    [(None, "unpriced"), (0.0, "$0"), (0.0000021, "$0.00000210"), (0.000435, "$0.000435"), (12.5, "$12.5000")],
)
def test_money_keeps_small_amounts_readable(usd: float | None, text: str) -> None:
    assert money(usd) == text


def test_the_table_keeps_one_line_per_case_at_100_columns() -> None:
    summary = RunSummary()
    for index in range(6):
        reason = "tool calls differ: get_weather arguments unit (only on candidate), city, date and 3 more " * 2
        summary.add(
            case(
                f"a-rather-long-case-id-{index}",
                side("baseline", cost=0.000123),
                side("candidate", cost=0.0456),
                "drift",
                0.5,
                reason,
            )
        )
    for width, tokens in ((100, False), (140, True)):
        out = io.StringIO()
        render_table(Console(file=out, width=width), summary)
        lines = out.getvalue().splitlines()
        assert len(lines) == 7 and all(len(line) <= width for line in lines)  # a header and one line per case
        assert ("base tok." in lines[0]) is tokens and "reason" in lines[0]
        assert lines[1].rstrip().endswith("…") and "$0.0456" in lines[1] and "a-rather-long-case-…" in lines[1]
