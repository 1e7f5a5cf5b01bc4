"""Pure: what a run says beyond verdicts and totals, folded case by case in constant memory.

Token calibration per side (calibration.py), the cost split (cost_split.py), the monthly projection
(projection.py), streaming figures and parity (streaming.py), the noise floor counts (noise.py) and
where answers came from (asked now, the cache, a resumed results file). summary.py holds one of
these and merges `to_dict()` into the report's summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.smoke.calibration import Calibration, CalibrationFit
from migrate_cli.smoke.cost_split import CostSplit
from migrate_cli.smoke.noise import seed_notes
from migrate_cli.smoke.projection import MonthlyProjection
from migrate_cli.smoke.records import SIDES, CaseResult, SideName
from migrate_cli.smoke.streaming import ParityStats, StreamStats

#: Seed notes kept by name (the report has each case's noise record).
MAX_SEED_NOTES = 20


@dataclass
class NoiseStats:
    cases: int = 0
    softened: int = 0
    seed_not_repeated: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, result: CaseResult) -> None:
        noise = result.noise
        if noise is None:
            return
        self.cases += 1
        self.softened += noise.softened
        for side, repeated in noise.seed_repeated.items():
            self.seed_not_repeated[side] += repeated is False
        for note in seed_notes(noise):
            if len(self.notes) < MAX_SEED_NOTES:
                self.notes.append(f"{result.case_id}: {note}")

    def to_dict(self) -> dict[str, Any] | None:
        if not self.cases:
            return None
        return {
            "cases": self.cases,
            "drift_within_noise": self.softened,
            "seed_not_repeated": {side: self.seed_not_repeated[side] for side in SIDES},
            "notes": list(self.notes),
        }


class RunInsights:
    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        *,
        monthly_requests: int | None = None,
        completion_fit: bool = True,
    ) -> None:
        #: How each side is named in sentences ("vMira", "the candidate (127.0.0.1:8000)").
        self.names = dict(names or {side: f"the {side}" for side in SIDES})
        #: False for --calibrate: one-token answers say nothing about completion counts.
        self.completion_fit = completion_fit
        self.fits = {side: CalibrationFit() for side in SIDES}
        self.cost_split = CostSplit()
        self.projection = MonthlyProjection(monthly_requests)
        self.streams = {side: StreamStats() for side in SIDES}
        self.parity = {side: ParityStats() for side in SIDES}
        self.noise = NoiseStats()
        self.origins: dict[str, Counter[str]] = {side: Counter() for side in SIDES}
        #: Cases where at least one side's call failed (what `--fail-on error` counts).
        self.error_cases = 0

    def add(self, result: CaseResult) -> None:
        self.error_cases += not (result.baseline.ok and result.candidate.ok)
        for side, answer in zip(SIDES, (result.baseline, result.candidate), strict=True):
            self.fits[side].add(answer)
            self.streams[side].add(answer)
            self.origins[side][answer.origin] += 1
        self.cost_split.add(result)
        self.projection.add(result)
        self.noise.add(result)
        for parity in result.stream_parity:
            self.parity[parity.side].add(result.case_id, parity)

    def calibration(self) -> dict[SideName, Calibration]:
        return {side: self.fits[side].result(self.names[side], completion=self.completion_fit) for side in SIDES}

    def fitted_models(self) -> dict[SideName, set[str]]:
        return {side: set(self.fits[side].models) for side in SIDES}

    def to_dict(self) -> dict[str, Any]:
        streamed = any(stats.streams for stats in self.streams.values())
        checked = any(stats.checked for stats in self.parity.values())
        return {
            "calibration": {side: fit.to_dict() for side, fit in self.calibration().items()},
            "cost_split": self.cost_split.to_dict(),
            "monthly": self.projection.to_dict(),
            "stream": {side: self.streams[side].to_dict() for side in SIDES} if streamed else None,
            "stream_check": {side: self.parity[side].to_dict() for side in SIDES} if checked else None,
            "noise": self.noise.to_dict(),
            "answers_from": {side: dict(sorted(self.origins[side].items())) for side in SIDES},
            "error_cases": self.error_cases,
        }
