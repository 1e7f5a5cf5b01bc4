"""Pure: the CI gates of a smoke run, each with its threshold, the run's value and the result.

- `--fail-on LIST`: verdicts (`same`, `equivalent`, `drift`, `broken`) and/or `error` (a case where
  a call failed on either side); one gate per item, which fails when any case has it.
- `--min-similarity X`: the mean similarity must be at least X.
- `--max-cost-increase PCT`: the candidate's cost may exceed the baseline's by at most PCT% over the
  cases priced on both sides (negative PCT demands a saving).

A run that ran nothing, or a gate whose value could not be measured (no similarity, no case priced
on both sides), never passes: a gate that cannot look is not a gate that saw nothing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from migrate_cli.smoke.cost_split import priced

if TYPE_CHECKING:
    from migrate_cli.smoke.records import CaseResult
    from migrate_cli.smoke.summary import RunSummary

FAIL_ON_ITEMS = ("same", "equivalent", "drift", "broken", "error")
NOTHING_RAN = "no case ran, so this gate cannot pass: nothing was measured"


@dataclass(frozen=True)
class GateSettings:
    fail_on: tuple[str, ...] = ()
    min_similarity: float | None = None
    max_cost_increase: float | None = None

    @property
    def given(self) -> bool:
        return bool(self.fail_on) or self.min_similarity is not None or self.max_cost_increase is not None


@dataclass(frozen=True)
class Gate:
    name: str
    threshold: float
    value: float | None
    passed: bool
    #: The result in words, with the margin when it failed.
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "threshold": self.threshold,
            "value": self.value,
            "passed": self.passed,
            "detail": self.detail,
        }


def evaluate_gates(summary: RunSummary, settings: GateSettings) -> list[Gate]:
    gates = []
    nothing_ran = summary.cases == 0
    for item in settings.fail_on:
        count = summary.insights.error_cases if item == "error" else summary.verdicts[item]
        label = "with a failed call" if item == "error" else item
        if nothing_ran:
            detail = NOTHING_RAN
        elif count:
            detail = f"{count} case(s) {label}; allowed: 0"
        else:
            detail = f"no case {label}"
        gates.append(Gate(f"fail-on {item}", 0, None if nothing_ran else count, not nothing_ran and count == 0, detail))
    if settings.min_similarity is not None:
        gates.append(_min_similarity(summary, settings.min_similarity))
    if settings.max_cost_increase is not None:
        gates.append(_max_cost_increase(summary, settings.max_cost_increase))
    return gates


def _min_similarity(summary: RunSummary, minimum: float) -> Gate:
    mean = summary.mean_similarity
    name = "min-similarity"
    if summary.cases == 0:
        return Gate(name, minimum, None, False, NOTHING_RAN)
    if mean is None:
        return Gate(
            name, minimum, None, False, f"no case had two answers to score, so --min-similarity {minimum} cannot pass"
        )
    value = round(mean, 4)
    if mean >= minimum:
        return Gate(name, minimum, value, True, f"mean similarity {mean:.3f} >= {minimum}")
    return Gate(
        name, minimum, value, False, f"mean similarity {mean:.3f} is {minimum - mean:.3f} below the minimum {minimum}"
    )


def _max_cost_increase(summary: RunSummary, limit: float) -> Gate:
    delta = summary.cost_delta_pct
    name = "max-cost-increase"
    if summary.cases == 0:
        return Gate(name, limit, None, False, NOTHING_RAN)
    if delta is None:
        detail = (
            "no case was priced on both sides, so the cost change cannot be checked: "
            "price both models with --pricing FILE"
        )
        return Gate(name, limit, None, False, detail)
    value = round(delta, 2)
    over = f"over {summary.paired_cases} case(s) priced on both sides"
    if delta <= limit:
        return Gate(
            name, limit, value, True, f"the candidate costs {delta:+.1f}% vs the baseline (limit {limit:+g}%) {over}"
        )
    return Gate(
        name,
        limit,
        value,
        False,
        f"the candidate costs {delta:+.1f}% vs the baseline, "
        f"{delta - limit:.1f} points over the limit of {limit:+g}% {over}",
    )


def case_failures(result: CaseResult, settings: GateSettings) -> list[str]:
    """The gates this one case counts against, in words (a JUnit `<failure>` per case)."""
    found = []
    verdict = result.comparison.verdict
    if verdict in settings.fail_on:
        found.append(f"fail-on {verdict}: {result.comparison.reason}")
    if "error" in settings.fail_on and not (result.baseline.ok and result.candidate.ok):
        found.append(f"fail-on error: {result.comparison.reason}")
    similarity = result.comparison.similarity
    if settings.min_similarity is not None and similarity is not None and similarity < settings.min_similarity:
        found.append(f"min-similarity: similarity {similarity:.3f} < {settings.min_similarity}")
    limit = settings.max_cost_increase
    base, cand = priced(result.baseline), priced(result.candidate)
    if limit is not None and base and cand is not None:
        change = (cand - base) / base * 100
        if change > limit:
            found.append(f"max-cost-increase: this case costs {change:+.1f}% (limit {limit:+g}%)")
    return found
