"""Pure: how one side's provider counts tokens, measured against tiktoken on the run's own answers.

tiktoken stays the reference ruler. For each answered case a side's provider reports
`prompt_tokens`; tiktoken estimates the same request (the cookbook chat formula). The fit is

    reported prompt tokens ≈ prompt_ratio x tiktoken estimate            (least squares through 0)

and, only when the data clearly calls for it (at least 4 cases with different message counts, the
residual halved, more than a token of error left without it), a per-message term:

    reported prompt tokens ≈ prompt_ratio x tiktoken estimate + per_message x messages

The spread is the standard deviation of the per-case ratios (reported - per_message x messages) /
estimate, so "1.24x (spread 0.03)" means most cases fall within a few hundredths of 1.24.
`completion_ratio` compares reported completion tokens (less any reasoning tokens, which have no
text) with tiktoken's count of the returned text. Failed calls and answers without usage are left
out, and the fit says how many cases it used. Calibration never changes what was reported: it only
makes projections of prompts that were not run (`--dry-run --calibration FILE`) honest.

Sums are kept instead of the cases, so a fit costs the same memory for 10 cases or 100,000.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.smoke.records import SideResult

#: Cases needed before a per-message term is even considered.
MIN_CASES_FOR_PER_MESSAGE = 4


@dataclass(frozen=True)
class Calibration:
    """One side's fit, as the report's `summary.calibration.<side>` shows it."""

    prompt_ratio: float | None
    completion_ratio: float | None
    cases: int
    spread: float | None
    sentence: str
    #: Tokens the provider adds per message beyond the ratio (None: the data does not support one).
    per_message: float | None = None
    #: Cases whose answer text gave the completion ratio.
    completion_cases: int = 0
    #: False when tiktoken's counts were approximate (encoding files unavailable).
    exact: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt_ratio": _round(self.prompt_ratio, 4),
            "completion_ratio": _round(self.completion_ratio, 4),
            "cases": self.cases,
            "spread": _round(self.spread, 4),
            "sentence": self.sentence,
            "per_message": _round(self.per_message, 2),
            "completion_cases": self.completion_cases,
            "tiktoken_exact": self.exact,
        }

    def project(self, estimate: int, messages: int) -> int:
        """A calibrated prompt-token count for a request tiktoken puts at `estimate` tokens."""
        if self.prompt_ratio is None:
            return estimate
        return round(self.prompt_ratio * estimate + (self.per_message or 0.0) * messages)


@dataclass
class CalibrationFit:
    """Running sums for one side (x: tiktoken's estimate, y: reported, m: messages)."""

    n: int = 0
    sxx: float = 0.0
    sxy: float = 0.0
    syy: float = 0.0
    sxm: float = 0.0
    smm: float = 0.0
    smy: float = 0.0
    # per-case ratio r = y/x and q = m/x, for the spread with or without a per-message term
    sr: float = 0.0
    srr: float = 0.0
    sq: float = 0.0
    sqq: float = 0.0
    srq: float = 0.0
    message_counts: set[int] = field(default_factory=set)
    completion_estimate: int = 0
    completion_reported: int = 0
    completion_cases: int = 0
    exact: bool = True
    models: set[str] = field(default_factory=set)

    def add(self, side: SideResult) -> None:
        usage, estimate = side.usage, side.estimated_tokens
        if side.error is not None or usage is None or estimate is None:
            return
        if usage.prompt_tokens is not None and estimate.prompt > 0:
            x, y, m = float(estimate.prompt), float(usage.prompt_tokens), float(len(side.request.get("messages", ())))
            self.n += 1
            self.sxx += x * x
            self.sxy += x * y
            self.syy += y * y
            self.sxm += x * m
            self.smm += m * m
            self.smy += m * y
            r, q = y / x, m / x
            self.sr += r
            self.srr += r * r
            self.sq += q
            self.sqq += q * q
            self.srq += r * q
            self.message_counts.add(int(m))
            self.exact = self.exact and estimate.exact
            self.models.add(side.model)
        text_tokens = estimate.completion
        if usage.completion_tokens is not None and text_tokens:
            self.completion_estimate += text_tokens
            self.completion_reported += usage.completion_tokens - (usage.reasoning_tokens or 0)
            self.completion_cases += 1

    def result(self, name: str, *, completion: bool = True) -> Calibration:
        """The fit, with its sentence naming the side as `name` ("vMira", "the candidate (host)")."""
        completion_ratio = None
        if completion and self.completion_cases:
            completion_ratio = self.completion_reported / self.completion_estimate
        if self.n == 0:
            sentence = f"{name}: no answered case reported prompt tokens, so there is nothing to calibrate from"
            return Calibration(None, completion_ratio, 0, None, sentence, completion_cases=self.completion_cases)
        ratio, per_message = self._fit()
        spread = self._spread(per_message or 0.0)
        return Calibration(
            prompt_ratio=ratio,
            completion_ratio=completion_ratio,
            cases=self.n,
            spread=spread,
            sentence=self._sentence(name, ratio, per_message, spread, completion_ratio),
            per_message=per_message,
            completion_cases=self.completion_cases if completion else 0,
            exact=self.exact,
        )

    def _fit(self) -> tuple[float, float | None]:
        ratio = self.sxy / self.sxx
        residual = max(self.syy - ratio * self.sxy, 0.0)
        if self.n < MIN_CASES_FOR_PER_MESSAGE or len(self.message_counts) < 2 or residual <= self.n:
            return ratio, None  # too few cases, nothing to tell messages apart, or already within a token
        det = self.sxx * self.smm - self.sxm * self.sxm
        if det <= 1e-9 * self.sxx * self.smm:
            return ratio, None
        a = (self.sxy * self.smm - self.smy * self.sxm) / det
        b = (self.sxx * self.smy - self.sxm * self.sxy) / det
        residual2 = max(self.syy - a * self.sxy - b * self.smy, 0.0)
        if a <= 0 or abs(b) < 0.5 or residual2 > residual / 2:
            return ratio, None
        return a, b

    def _spread(self, per_message: float) -> float:
        """Standard deviation of the per-case ratios (y - b*m) / x = r - b*q."""
        n = self.n
        total = self.sr - per_message * self.sq
        squares = self.srr - 2 * per_message * self.srq + per_message * per_message * self.sqq
        mean = total / n
        return math.sqrt(max(squares / n - mean * mean, 0.0))

    def _sentence(
        self, name: str, ratio: float, per_message: float | None, spread: float, completion_ratio: float | None
    ) -> str:
        extra = (
            ""
            if per_message is None
            else f" {'plus' if per_message >= 0 else 'minus'} {abs(per_message):.0f} per message"
        )
        text = (
            f"{name} counts {ratio:.2f}× tiktoken's prompt tokens{extra} "  # noqa: RUF001 - the sentence is read, not parsed
            f"(spread {spread:.2f} over {self.n} case{'s' if self.n != 1 else ''})"
        )
        if completion_ratio is not None:
            text += f", and {completion_ratio:.2f}× tiktoken's count of the answer text"  # noqa: RUF001 - the sentence is read, not parsed
        if not self.exact:
            text += "; tiktoken's counts were approximate (encoding files unavailable)"
        return text


def calibration_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """`--calibrate`: the same request with output cut to one token, so it costs almost nothing.

    A case that uses `max_completion_tokens` (o-series models refuse `max_tokens`) keeps that name."""
    cheap = dict(request)
    if "max_completion_tokens" in cheap:
        cheap["max_completion_tokens"] = 1
    else:
        cheap["max_tokens"] = 1
    return cheap


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
