"""Pure running totals of a smoke run, in constant memory however many cases it has.

Each finished case is folded into counters and sums, and into a bounded sample of table rows
(differences first), so a 100,000-case run holds a few hundred rows, not 100,000 answers.

Costs: a side's total is the sum over its priced responses, and `None` ("unpriced") when none was
priced, never 0. The delta in % is taken over the cases priced on BOTH sides, so a side with
unpriced cases is not made to look cheaper by what it is missing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from migrate_cli.smoke.compare import percent_change
from migrate_cli.smoke.insights import RunInsights
from migrate_cli.smoke.records import SIDES, CaseResult, SideName, SideResult, Verdict

VERDICTS: tuple[Verdict, ...] = ("same", "equivalent", "drift", "broken")
DEFAULT_ROW_LIMIT = 40

# Failed calls that are findings about the provider's compatibility: the case is `broken`, and
# `--fail-on broken` decides whether that fails the run. Every other kind means calls were lost
# (the run could not measure what it was asked to), which is a provider failure (exit 3).
COMPATIBILITY_ERRORS = frozenset({"bad_request", "unknown_model"})

# What to do about each kind of failed call, for the line that reports it.
ERROR_ADVICE = {
    "unknown_model": "check the model name (--model, --model-map, or the case's model) and that the "
    "base URL is the API root (most end in /v1)",
    "bad_request": "the provider rejects a parameter of these cases (the report names it): drop it "
    "from those cases or expect the difference",
    "rate_limit": "the provider's rate limit held after retries: lower --concurrency or raise --max-retries",
    "server": "the provider failed after retries: run again later or raise --max-retries",
    "timeout": "no answer within --timeout after retries: raise --timeout or lower --concurrency",
    "connection": "the host could not be reached: check the base URL and the network",
    "bad_response": "the provider answered 200 with something that is not a chat completion (the message "
    "quotes it): check the base URL (a proxy or login page answers this way)",
    "stream_cut": "streams broke off before their finish_reason, after retries: the server dropped them "
    "(some serve one request at a time): lower --concurrency or raise --max-retries",
    "auth": "the key was refused: check this side's key variable and its plan or permissions",
    "other": "an unexpected answer: the report (--report FILE.json) has each case's error",
}


class SideCell(NamedTuple):
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    #: "computed", "unpriced", "no_usage", or "error" for a failed call.
    cost_status: str
    error_kind: str | None


class CaseRow(NamedTuple):
    """What the terminal table shows for one case; small on purpose."""

    case_id: str
    verdict: Verdict
    similarity: float | None
    reason: str
    baseline: SideCell
    candidate: SideCell


def _cell(side: SideResult) -> SideCell:
    usage, cost = side.usage, side.cost
    return SideCell(
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        cost_usd=cost.usd if cost else None,
        cost_status=cost.status if cost else "error",
        error_kind=side.error.kind if side.error else None,
    )


@dataclass
class SideTotals:
    responses: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    cost_usd: float = 0.0
    priced: int = 0
    unpriced: int = 0
    no_usage: int = 0
    #: Models without a price on this side (few: one per distinct model).
    unpriced_models: set[str] = field(default_factory=set)
    #: tiktoken estimate and reported prompt tokens, summed over responses that have both.
    estimated_prompt: int = 0
    reported_prompt: int = 0
    estimates_exact: bool = True
    reported_completion: int = 0
    latency_total: float = 0.0
    latency_count: int = 0
    ttft_total: float = 0.0
    ttft_count: int = 0
    stream_usage_missing: int = 0
    #: The first message of each kind of error (already redacted), to quote in the summary.
    first_errors: dict[str, str] = field(default_factory=dict)

    def add(self, side: SideResult) -> None:
        self.responses += 1
        if side.error is not None:
            self.errors[side.error.kind] += 1
            status = f"{side.error.status}: " if side.error.status else ""
            self.first_errors.setdefault(side.error.kind, status + side.error.message)
        if side.latency_s is not None and side.error is None:
            self.latency_total += side.latency_s
            self.latency_count += 1
        if side.ttft_s is not None:
            self.ttft_total += side.ttft_s
            self.ttft_count += 1
        self.stream_usage_missing += side.stream_usage_missing
        cost = side.cost
        if cost is not None:
            if cost.status == "computed" and cost.usd is not None:
                self.cost_usd += cost.usd
                self.priced += 1
            elif cost.status == "unpriced":
                self.unpriced += 1
                self.unpriced_models.add(side.model)
            else:
                self.no_usage += 1
        usage, estimate = side.usage, side.estimated_tokens
        if usage is not None and usage.prompt_tokens is not None and estimate is not None:
            self.estimated_prompt += estimate.prompt
            self.reported_prompt += usage.prompt_tokens
            self.estimates_exact = self.estimates_exact and estimate.exact
        if usage is not None and usage.completion_tokens is not None:
            self.reported_completion += usage.completion_tokens

    @property
    def total_cost_usd(self) -> float | None:
        return self.cost_usd if self.priced else None

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def prompt_gap_pct(self) -> float | None:
        """How far the provider's prompt count is from tiktoken's, in % of tiktoken's."""
        return percent_change(self.estimated_prompt, self.reported_prompt)

    def to_dict(self) -> dict[str, Any]:
        return {
            "responses": self.responses,
            "errors": self.error_count,
            "errors_by_kind": dict(sorted(self.errors.items())),
            "cost_usd": self.total_cost_usd,
            "priced_responses": self.priced,
            "unpriced_responses": self.unpriced,
            "unpriced_models": sorted(self.unpriced_models),
            "responses_without_usage": self.no_usage,
            "estimated_prompt_tokens": self.estimated_prompt,
            "reported_prompt_tokens": self.reported_prompt,
            "prompt_token_gap_pct": _round(self.prompt_gap_pct, 2),
            "estimates_exact": self.estimates_exact,
            "reported_completion_tokens": self.reported_completion,
            "mean_latency_s": _mean(self.latency_total, self.latency_count),
            "mean_ttft_s": _mean(self.ttft_total, self.ttft_count),
            "stream_usage_missing": self.stream_usage_missing,
        }


class RowSample:
    """The first `limit` differing cases and the first `limit` same ones: enough for any table."""

    def __init__(self, limit: int = DEFAULT_ROW_LIMIT) -> None:
        self.limit = limit
        self.differing: list[CaseRow] = []
        self.same: list[CaseRow] = []

    def add(self, row: CaseRow) -> None:
        bucket = self.same if row.verdict == "same" else self.differing
        if len(bucket) < self.limit:
            bucket.append(row)

    def shown(self) -> list[CaseRow]:
        """Differences first, then same cases, `limit` rows in all."""
        return (self.differing + self.same)[: self.limit]


class RunSummary:
    def __init__(self, row_limit: int = DEFAULT_ROW_LIMIT, insights: RunInsights | None = None) -> None:
        self.cases = 0
        self.verdicts: Counter[str] = Counter()
        self.similarity_total = 0.0
        self.similarity_count = 0
        self.sides = {side: SideTotals() for side in SIDES}
        self.paired_cost = {side: 0.0 for side in SIDES}
        self.paired_cases = 0
        self.rows = RowSample(row_limit)
        #: Calibration, cost split, projection, streaming, noise: merged into `to_dict()`.
        self.insights = insights or RunInsights()

    def add(self, result: CaseResult) -> None:
        self.cases += 1
        self.insights.add(result)
        comparison = result.comparison
        self.verdicts[comparison.verdict] += 1
        if comparison.similarity is not None:
            self.similarity_total += comparison.similarity
            self.similarity_count += 1
        sides: dict[SideName, SideResult] = {"baseline": result.baseline, "candidate": result.candidate}
        for name, side in sides.items():
            self.sides[name].add(side)
        costs = {
            name: side.cost.usd
            for name, side in sides.items()
            if side.cost and side.cost.status == "computed" and side.cost.usd is not None
        }
        # Only a case priced on both sides counts toward the cost change.
        if len(costs) == len(sides):
            self.paired_cases += 1
            for name, usd in costs.items():
                self.paired_cost[name] += usd
        self.rows.add(
            CaseRow(
                result.case_id,
                comparison.verdict,
                comparison.similarity,
                comparison.reason,
                _cell(result.baseline),
                _cell(result.candidate),
            )
        )

    @property
    def mean_similarity(self) -> float | None:
        return _mean(self.similarity_total, self.similarity_count)

    @property
    def cost_delta_pct(self) -> float | None:
        """Candidate vs baseline cost in %, over the cases priced on both sides."""
        if not self.paired_cases:
            return None
        return percent_change(self.paired_cost["baseline"], self.paired_cost["candidate"])

    @property
    def hidden_rows(self) -> int:
        return self.cases - len(self.rows.shown())

    def failed_calls(self) -> list[str]:
        """One line per side and kind of failed call: how many, the first message, what to do."""
        lines = []
        for side in SIDES:
            totals = self.sides[side]
            for kind, count in sorted(totals.errors.items()):
                lines.append(
                    f"{side}: {count} of {totals.responses} call(s) failed with {kind} "
                    f"({totals.first_errors[kind]}): {ERROR_ADVICE.get(kind, ERROR_ADVICE['other'])}"
                )
        return lines

    def provider_failed(self) -> bool:
        """True when calls were lost to the provider (limits, 5xx, timeouts, connections: the
        run is incomplete), or when every call on a side failed (nothing was measured there)."""
        for totals in self.sides.values():
            if set(totals.errors) - COMPATIBILITY_ERRORS:
                return True
            if totals.responses and totals.error_count == totals.responses:
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "verdicts": {v: self.verdicts[v] for v in VERDICTS},
            "mean_similarity": _round(self.mean_similarity, 4),
            "baseline_cost_usd": self.sides["baseline"].total_cost_usd,
            "candidate_cost_usd": self.sides["candidate"].total_cost_usd,
            "cost_delta_pct": _round(self.cost_delta_pct, 2),
            "cost_delta_cases": self.paired_cases,
            "errors": {side: self.sides[side].error_count for side in SIDES},
            "failed_calls": self.failed_calls(),
            "sides": {side: self.sides[side].to_dict() for side in SIDES},
            **self.insights.to_dict(),
        }


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
