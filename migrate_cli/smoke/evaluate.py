"""Pure: a raw response -> the same response with its token estimate and cost; a pair -> a CaseResult."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from migrate_cli.smoke.compare import compare
from migrate_cli.smoke.pricing import PriceTable
from migrate_cli.smoke.records import Case, CaseResult, Endpoint, SideName, SideResult
from migrate_cli.smoke.tokens import encoding_for_model, estimate_prompt_tokens, get_ruler

if TYPE_CHECKING:
    from migrate_cli.smoke.cases import PromptsSummary
    from migrate_cli.smoke.plan import SmokePlan


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


@dataclass(frozen=True)
class DryRunLine:
    side: SideName
    model: str
    cases: int
    #: Summed tiktoken prompt estimate.
    prompt_tokens: int
    #: Projected input cost; None when the model is unpriced on that side.
    cost_usd: float | None


def dry_run_lines(prompts: PromptsSummary, plan: SmokePlan, prices: PriceTable) -> list[DryRunLine]:
    """Per side and model: cases, summed tiktoken prompt estimate, projected input cost (None: unpriced)."""
    counts: dict[tuple[str, str], int] = {}
    for model, cases in prompts.models.items():
        for side, side_model in (("baseline", model), ("candidate", plan.candidate_model(model))):
            counts[(side, side_model)] = counts.get((side, side_model), 0) + cases
    lines = []
    for (side, model), cases in sorted(counts.items()):
        tokens = prompts.prompt_tokens.get((side, model), 0)
        cost = prices.projected_input_cost(plan.endpoints[side], model, tokens)  # type: ignore[index]
        lines.append(DryRunLine(side, model, cases, tokens, cost.usd))  # type: ignore[arg-type]
    return lines
