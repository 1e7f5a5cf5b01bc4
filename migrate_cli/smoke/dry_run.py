"""`migrate smoke --dry-run`: the whole prompts file checked, tiktoken's count per side and model,
the calibrated projection where a `--calibration FILE` fit applies, the projected input cost.
Nothing is sent and no key is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from migrate_cli.smoke.plan import SmokePlan
from migrate_cli.smoke.records import SIDES, SideName

if TYPE_CHECKING:
    # Imported inside the functions at run time, for start-up speed.
    from rich.console import Console

    from migrate_cli.smoke.calibration import Calibration
    from migrate_cli.smoke.evaluate import DryRunLine


def dry_run(plan: SmokePlan, json_output: bool, *, warn_unknown: Callable[[Mapping[str, int]], None]) -> int:
    from migrate_cli.console import stderr, stdout
    from migrate_cli.smoke.cases import validate_prompts_file
    from migrate_cli.smoke.evaluate import dry_run_lines
    from migrate_cli.smoke.pricing import load_prices
    from migrate_cli.smoke.report import print_json, render_dry_run

    calibrations = calibrations_for(plan, stderr())
    prompts = validate_prompts_file(
        plan.prompts,
        default_model=plan.default_model,
        side_models=lambda case: {"baseline": case.model, "candidate": plan.candidate_model(case.model)},
    )
    warn_unknown(prompts.unknown_params)
    prices = load_prices(plan.pricing, rates=plan.rates)
    lines = dry_run_lines(prompts, plan, prices, calibrations)
    if json_output:
        payload = {
            "dry_run": True,
            "cases": prompts.cases,
            "tokens_exact": prompts.tokens_exact,
            "lines": [line.__dict__ for line in lines],
            "sides": dry_run_sides(lines, calibrations),
        }
        print_json(payload)
    else:
        render_dry_run(stdout(), cases=prompts.cases, lines=lines, exact=prompts.tokens_exact, source=str(plan.prompts))
    return 0


def calibrations_for(plan: SmokePlan, err: Console) -> dict[SideName, Calibration]:
    """--calibration FILE: the fit for each side measured on that side's base URL."""
    from migrate_cli.smoke.calibration_file import fit_for, load_calibration

    if plan.calibration is None:
        return {}
    fits = load_calibration(plan.calibration)
    found: dict[SideName, Calibration] = {}
    for side, endpoint in plan.endpoints.items():
        fit = fit_for(fits, endpoint)
        if fit is None:
            err.print(
                f"note: {plan.calibration} has no fit for the {side} ({endpoint.base_url}); "
                "its projection is tiktoken's count",
                markup=False,
            )
            continue
        found[side] = fit.calibration
        err.print(
            f"{side}: calibrated from {plan.calibration} ({fit.created}): {fit.calibration.sentence}", markup=False
        )
    return found


def dry_run_sides(lines: Sequence[DryRunLine], calibrations: Mapping[SideName, Calibration]) -> dict[str, Any]:
    """`--dry-run --json`: per side, tiktoken's prompt tokens and the projection (calibrated when a
    fit applies), with the projected input cost (None when a model on that side is unpriced)."""
    sides: dict[str, dict[str, Any]] = {}
    for side in SIDES:
        mine = [line for line in lines if line.side == side]
        costs = [line.cost_usd for line in mine]
        fit = calibrations.get(side)
        sides[side] = {
            "tiktoken_prompt_tokens": sum(line.prompt_tokens for line in mine),
            "projected_prompt_tokens": sum(line.projected_prompt_tokens for line in mine),
            "calibrated": fit is not None,
            "prompt_ratio": fit.prompt_ratio if fit is not None else None,
            "per_message": fit.per_message if fit is not None else None,
            "projected_input_cost_usd": None if None in costs else sum(c for c in costs if c is not None),
        }
    return sides
