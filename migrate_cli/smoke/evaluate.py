"""Pure: a raw response -> the same response with its token estimate and cost; a case's answers -> a
CaseResult (verdict, noise floor with --repeat, stream parity with --stream-check, the cost split's
middle term)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from migrate_cli.smoke.compare import compare
from migrate_cli.smoke.noise import judge_with_noise, noise_floor
from migrate_cli.smoke.pricing import PriceTable
from migrate_cli.smoke.records import Case, CaseResult, Endpoint, SideName, SideResult
from migrate_cli.smoke.streaming import stream_parity
from migrate_cli.smoke.tokens import encoding_for_model, estimate_prompt_tokens, get_ruler

if TYPE_CHECKING:
    from migrate_cli.smoke.calibration import Calibration
    from migrate_cli.smoke.cases import PromptsSummary
    from migrate_cli.smoke.plan import SmokePlan
    from migrate_cli.smoke.runner import CaseAnswers


def load_encodings(models: Iterable[str]) -> None:
    """Load the tiktoken encodings these models need now: loading one takes a second or two, and
    inside the run it would stall the event loop and inflate the latency of every call in flight."""
    for encoding in {encoding_for_model(model) for model in models}:
        get_ruler(encoding)


def evaluate_side(result: SideResult, case: Case, endpoint: Endpoint, prices: PriceTable) -> SideResult:
    """Add tiktoken's estimate (prompt, and completion when there is one) and the cost."""
    estimate = estimate_prompt_tokens(
        case.messages,
        result.model,
        case.params.get("tools"),
        completion=completion_text(result) if result.ok else None,
    )
    # A failed call has no usage to price; its cost is not 0, it is absent.
    cost = prices.cost(endpoint, result.model, result.usage) if result.ok else None
    return replace(result, estimated_tokens=estimate, cost=cost)


def completion_text(result: SideResult) -> str:
    """What the model produced, as tokens are counted: the text plus each tool call's name and arguments."""
    parts = [result.output or ""]
    for call in result.tool_calls:
        function = call.get("function") or {}
        arguments = function.get("arguments", "")
        parts.append(str(function.get("name", "")))
        parts.append(arguments if isinstance(arguments, str) else json.dumps(arguments))
    return "".join(parts)


def evaluate_case(case: Case, baseline: SideResult, candidate: SideResult) -> CaseResult:
    return CaseResult(case_id=case.id, baseline=baseline, candidate=candidate, comparison=compare(baseline, candidate))


def evaluate_answers(case: Case, answers: CaseAnswers, candidate_endpoint: Endpoint, prices: PriceTable) -> CaseResult:
    """The case's verdict from the first answer of each side, judged against the noise floor when
    there are repeats; parity of the other streaming mode; the candidate priced at baseline tokens."""
    baseline, candidate = answers.baseline[0], answers.candidate[0]
    comparison = compare(baseline, candidate)
    noise = None
    if len(answers.baseline) > 1:
        noise = noise_floor(answers.baseline, answers.candidate, case.params.get("seed"))
        judged = judge_with_noise(comparison, noise)
        if judged is not comparison:
            comparison, noise = judged, replace(noise, softened=True)
    mains = {"baseline": baseline, "candidate": candidate}
    parity = tuple(stream_parity(side, mains[side], other) for side, other in answers.other_mode.items())
    middle = None
    if baseline.ok and candidate.ok and baseline.cost is not None and baseline.cost.status == "computed":
        at_baseline_tokens = prices.cost(candidate_endpoint, candidate.model, baseline.usage)
        middle = at_baseline_tokens.usd if at_baseline_tokens.status == "computed" else None
    return CaseResult(
        case_id=case.id,
        baseline=baseline,
        candidate=candidate,
        comparison=comparison,
        weight=case.weight,
        candidate_at_baseline_tokens_usd=middle,
        noise=noise,
        stream_parity=parity,
    )


@dataclass(frozen=True)
class DryRunLine:
    side: SideName
    model: str
    cases: int
    #: Summed tiktoken prompt estimate.
    prompt_tokens: int
    #: Projected input cost; None when the model is unpriced on that side.
    cost_usd: float | None
    #: The prompt tokens this side's provider is expected to count (calibrated; else tiktoken's).
    projected_prompt_tokens: int = 0
    calibrated: bool = False


def dry_run_lines(
    prompts: PromptsSummary,
    plan: SmokePlan,
    prices: PriceTable,
    calibrations: Mapping[SideName, Calibration] | None = None,
) -> list[DryRunLine]:
    """Per side and model: cases, summed tiktoken prompt estimate, the calibrated projection when a
    fit is given for that side, and the projected input cost of it (None: unpriced)."""
    counts: dict[tuple[SideName, str], int] = {}
    for model, cases in prompts.models.items():
        side_models: tuple[tuple[SideName, str], ...] = (
            ("baseline", model),
            ("candidate", plan.candidate_model(model)),
        )
        for side, side_model in side_models:
            counts[(side, side_model)] = counts.get((side, side_model), 0) + cases
    lines = []
    for (side, model), cases in sorted(counts.items()):
        tokens = prompts.prompt_tokens.get((side, model), 0)
        fit = (calibrations or {}).get(side)
        projected = fit.project(tokens, prompts.messages.get((side, model), 0)) if fit is not None else tokens
        cost = prices.projected_input_cost(plan.endpoints[side], model, projected)
        lines.append(DryRunLine(side, model, cases, tokens, cost.usd, projected, fit is not None))
    return lines
