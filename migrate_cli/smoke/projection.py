"""Pure: a monthly cost per side, projected from the run's own per-request costs.

`--monthly-requests N` gives the volume; each case's `weight` (default 1) its share of it. With
weights and no N, the weights are read as requests per month. Each side's monthly cost is N times
its weighted mean cost per request over the cases it has a price for; cases a side cannot price
are left out of that mean (and counted), never taken as free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.smoke.cost_split import priced
from migrate_cli.smoke.records import SIDES, CaseResult


@dataclass
class MonthlyProjection:
    monthly_requests: int | None = None
    total_weight: float = 0.0
    weighted: bool = False
    cost: dict[str, float] = field(default_factory=lambda: {side: 0.0 for side in SIDES})
    weight: dict[str, float] = field(default_factory=lambda: {side: 0.0 for side in SIDES})
    cases: dict[str, int] = field(default_factory=lambda: {side: 0 for side in SIDES})

    def add(self, result: CaseResult) -> None:
        w = result.weight
        self.total_weight += w
        self.weighted = self.weighted or w != 1.0
        for side, answer in (("baseline", result.baseline), ("candidate", result.candidate)):
            usd = priced(answer)
            if usd is not None:
                self.cost[side] += w * usd
                self.weight[side] += w
                self.cases[side] += 1

    def to_dict(self) -> dict[str, Any] | None:
        """None when no projection was asked for (no --monthly-requests, no weights)."""
        if self.monthly_requests is None and not self.weighted:
            return None
        requests = self.monthly_requests if self.monthly_requests is not None else self.total_weight
        monthly: dict[str, float | None] = {side: self._monthly(side, requests) for side in SIDES}
        return {
            "monthly_requests": requests,
            "from": "--monthly-requests" if self.monthly_requests is not None else "case weights",
            "baseline_usd": monthly["baseline"],
            "candidate_usd": monthly["candidate"],
            "priced_cases": dict(self.cases),
            "sentence": _sentence(requests, monthly),
        }

    def _monthly(self, side: str, requests: float) -> float | None:
        return requests * self.cost[side] / self.weight[side] if self.weight[side] else None


def _sentence(requests: float, monthly: Mapping[str, float | None]) -> str:
    def usd(value: float | None) -> str:
        return "unpriced" if value is None else f"${value:,.2f}"

    text = f"at {requests:,.0f} requests a month: baseline {usd(monthly['baseline'])}, "
    text += f"candidate {usd(monthly['candidate'])}"
    base, cand = monthly["baseline"], monthly["candidate"]
    if base and cand is not None:
        text += f" ({'+' if cand >= base else '−'}{abs(cand - base) / base * 100:.1f}%)"  # noqa: RUF001 - the sentence is read, not parsed
    return text
