"""Pure: where the money goes when a run moves from the baseline to the candidate.

Over the cases priced on both sides, three sums:

- `baseline_usd`: the baseline's cost at its own reported token counts;
- `candidate_usd`: the candidate's cost at its own reported token counts;
- `candidate_at_baseline_tokens_usd`: the candidate's prices applied to the baseline's counts.

The total change splits into a price effect (`candidate_at_baseline_tokens - baseline`: what the
new price list alone does) and a tokenizer effect (`candidate - candidate_at_baseline_tokens`: what
the candidate counting more or fewer tokens for the same requests and answers does). The two add up
to the total by construction, and the sentence is written so its rounded figures add up too:
"-41.0% total: -52.0% from prices, +11.0% from the tokenizer".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from migrate_cli.smoke.records import CaseResult, SideResult


def priced(side: SideResult) -> float | None:
    """The side's cost when it was computed from reported usage, else None."""
    cost = side.cost
    return cost.usd if cost is not None and cost.status == "computed" else None


@dataclass
class CostSplit:
    baseline: float = 0.0
    candidate: float = 0.0
    candidate_at_baseline: float = 0.0
    cases: int = 0

    def add(self, result: CaseResult) -> None:
        base, cand, middle = priced(result.baseline), priced(result.candidate), result.candidate_at_baseline_tokens_usd
        if base is None or cand is None or middle is None:
            return
        self.cases += 1
        self.baseline += base
        self.candidate += cand
        self.candidate_at_baseline += middle

    def to_dict(self) -> dict[str, Any]:
        if not self.cases:
            return {
                "baseline_usd": None,
                "candidate_usd": None,
                "candidate_at_baseline_tokens_usd": None,
                "price_effect_usd": None,
                "tokenizer_effect_usd": None,
                "cases": 0,
                "sentence": "no case was priced on both sides: give both models a price (--pricing FILE)",
            }
        price_effect = self.candidate_at_baseline - self.baseline
        tokenizer_effect = self.candidate - self.candidate_at_baseline
        return {
            "baseline_usd": self.baseline,
            "candidate_usd": self.candidate,
            "candidate_at_baseline_tokens_usd": self.candidate_at_baseline,
            "price_effect_usd": price_effect,
            "tokenizer_effect_usd": tokenizer_effect,
            "cases": self.cases,
            "sentence": self.sentence(),
        }

    def sentence(self) -> str:
        if not self.baseline:
            return "the baseline cost nothing on these cases, so the change has no percentage"
        total = round((self.candidate - self.baseline) / self.baseline * 100, 1)
        prices = round((self.candidate_at_baseline - self.baseline) / self.baseline * 100, 1)
        # The tokenizer's share is what is left, so the three rounded figures add up as printed.
        tokenizer = round(total - prices, 1)
        return (
            f"{signed(total)}% total: {signed(prices)}% from prices, {signed(tokenizer)}% from the tokenizer "
            f"(over {self.cases} case{'s' if self.cases != 1 else ''} priced on both sides)"
        )


def signed(value: float) -> str:
    """+11.0 / -52.0 (a real minus sign, as the sentence is read, not parsed)."""
    if value == 0:
        return "±0.0"
    return f"{'+' if value > 0 else '−'}{abs(value):.1f}"  # noqa: RUF001 - the sentence is read, not parsed
