"""One `migrate smoke` invocation, in the order the contract gives: plan the run from the options,
validate the whole prompts file (nothing is sent if a line is bad), load prices, check both keys are
set, run, render, pick the exit code.

This is the edge where files are opened and things are printed; the decisions live in plan.py,
evaluate.py, summary.py and compare.py, the calls in runner.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from migrate_cli.errors import ExitCode, ProviderError
from migrate_cli.smoke.gates import Gate, GateSettings, evaluate_gates
from migrate_cli.smoke.plan import SmokeOptions, SmokePlan, make_plan
from migrate_cli.smoke.records import Case, SideResult
from migrate_cli.smoke.runner import CaseAnswers, RunOutcome, Stop
from migrate_cli.smoke.summary_lines import failed_gate_line

if TYPE_CHECKING:
    # Imported inside the methods at run time: `migrate --help` and the dry run stay quick without
    # rich's console, the report writers and the results log.
    from pathlib import Path

    from rich.console import Console

    from migrate_cli.smoke.outputs import OutputError
    from migrate_cli.smoke.reports import ReportWriter
    from migrate_cli.smoke.summary import RunSummary


class _KeptOutput(Protocol):
    """An output file that kept what finished: the results log or a report."""

    @property
    def path(self) -> Path: ...


@dataclass
class SmokeSession:
    plan: SmokePlan

    @classmethod
    def start(
        cls, options: SmokeOptions, *, provider: str | None, base_url: str | None, api_key_env: str | None
    ) -> SmokeSession:
        from migrate_cli.config import load_project_config, resolve_target

        config = load_project_config()
        target = resolve_target(config, provider=provider, base_url=base_url, api_key_env=api_key_env)
        return cls(make_plan(options, config, target, os.environ))

    # --- --dry-run -----------------------------------------------------------------------------

    def dry_run(self, json_output: bool) -> int:
        from migrate_cli.console import stderr
        from migrate_cli.smoke.dry_run import dry_run

        self._announce(stderr())
        return dry_run(self.plan, json_output, warn_unknown=self._warn_unknown_params)

    # --- the run -------------------------------------------------------------------------------

    def run(self, json_output: bool) -> int:
        from migrate_cli.console import stderr
        from migrate_cli.errors import UsageError
        from migrate_cli.redact import env_secrets
        from migrate_cli.smoke import runner
        from migrate_cli.smoke.calls import require_keys
        from migrate_cli.smoke.cases import PromptsSource, iter_cases, validate_prompts_file
        from migrate_cli.smoke.evaluate import evaluate_answers, evaluate_side, load_encodings
        from migrate_cli.smoke.insights import RunInsights
        from migrate_cli.smoke.outputs import OutputError, ResultsLog
        from migrate_cli.smoke.pricing import load_prices
        from migrate_cli.smoke.replay import open_replay
        from migrate_cli.smoke.report import ProgressView
        from migrate_cli.smoke.reports import open_reports
        from migrate_cli.smoke.summary import RunSummary

        plan, err = self.plan, stderr()
        if plan.calibration is not None:
            raise UsageError("--calibration projects prompts that are not run: use it with --dry-run")
        self._announce(err)
        # One source for both passes: standard input or a pipe can be read only once.
        source = PromptsSource(plan.prompts)
        prompts = validate_prompts_file(source, default_model=plan.default_model)
        self._warn_unknown_params(prompts.unknown_params)
        prices = load_prices(plan.pricing, rates=plan.rates)
        require_keys(list(plan.endpoints.values()))
        secrets = env_secrets(plan.key_envs)

        total = prompts.cases if plan.limit is None else min(plan.limit, prompts.cases)
        models = [*prompts.models, *(plan.candidate_model(model) for model in prompts.models)]
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        replay = open_replay(plan.cache, plan.resume, plan.refresh, secrets, err)
        reports: list[ReportWriter] = []
        try:
            reports = open_reports(plan.reports, self._run_record(run_id, total), plan.gates, secrets)
            results = ResultsLog(plan.results, run_id, secrets) if plan.results else None
        except BaseException:
            for report in reports:  # one output could not be opened: leave no half-made file behind
                report.discard()
            if replay is not None:
                replay.close()
            raise
        insights = RunInsights(plan.names, monthly_requests=plan.monthly_requests, completion_fit=not plan.calibrate)
        summary = RunSummary(insights=insights)
        outcome: RunOutcome | None = None
        progress: ProgressView | None = None
        # Outputs that could not be written (a full disk): the run stops launching cases, the
        # other outputs keep what finishes, and the first failure is the run's error (exit 3).
        failed: dict[object, OutputError] = {}

        def side_done(case: Case, result: SideResult) -> SideResult:
            result = evaluate_side(result, case, plan.endpoints[result.side], prices)
            # A resumed answer is in the results file already.
            if results is not None and results not in failed and result.origin != "resume":
                try:
                    results.write(case, result)
                except OutputError as exc:
                    failed[results] = exc
            return result

        def case_done(case: Case, answers: CaseAnswers) -> None:
            case_result = evaluate_answers(case, answers, plan.endpoints["candidate"], prices)
            summary.add(case_result)
            for report in reports:
                if report not in failed:
                    try:
                        report.add(case_result)
                    except OutputError as exc:
                        failed[report] = exc
            if progress is not None:
                progress.advance(case_result)

        gates: list[Gate] = []
        try:
            with ProgressView(err, total) as progress:
                outcome = runner.run(
                    islice(iter_cases(source, default_model=plan.default_model), total),
                    endpoints=plan.endpoints,
                    candidate_model=lambda case: plan.candidate_model(case.model),
                    settings=plan.settings,
                    side_done=side_done,
                    case_done=case_done,
                    secrets=secrets,
                    replay=replay,
                    warm_up=lambda: load_encodings(models),
                    halted=lambda: bool(failed),
                )
        finally:
            # However the run ended, what was paid for is on disk and the reports are complete.
            if results is not None:
                results.close()
            if replay is not None:
                replay.close()
            final, gates = final_summary(summary, outcome, total, plan.gates)
            for report in reports:
                if report in failed:
                    report.discard()
                    continue
                try:
                    report.finish(final)
                except OutputError as exc:
                    failed[report] = exc

        assert outcome is not None
        self._save_calibration(summary)
        hint = next((str(report.path) for report in reports if report not in failed), "")
        self._render(json_output, summary, outcome, final, total, secrets=secrets, hint=hint)
        if failed:
            kept = [output for output in (results, *reports) if output and output not in failed]
            raise self._output_failure(list(failed.values()), kept)
        return self._exit_code(outcome, summary, gates, err)

    def _render(
        self,
        json_output: bool,
        summary: RunSummary,
        outcome: RunOutcome,
        final: dict[str, Any],
        total: int,
        *,
        secrets: list[str],
        hint: str,
    ) -> None:
        from migrate_cli.console import stdout
        from migrate_cli.smoke.report import RunState, print_json, render_calibration, render_summary, render_table
        from migrate_cli.smoke.summary_lines import insight_rows

        plan = self.plan
        if json_output:
            print_json(final, secrets)
        elif plan.calibrate:
            rows = [row for row in insight_rows(final) if row[0] in ("calibration", "")][:2]
            render_calibration(stdout(), rows, str(plan.save_calibration or ""))
        else:
            render_table(stdout(), summary, report_hint=hint)
            state = RunState(total, outcome.interrupted, _stop_reason(outcome.stop))
            render_summary(stdout(), summary, state, insight_rows(final))

    def _save_calibration(self, summary: RunSummary) -> None:
        from migrate_cli.smoke.calibration_file import save_calibration

        plan = self.plan
        if plan.save_calibration is not None:
            insights = summary.insights
            save_calibration(plan.save_calibration, insights.calibration(), plan.endpoints, insights.fitted_models())

    def _output_failure(self, errors: Sequence[OutputError], kept: Sequence[_KeptOutput]) -> Exception:
        """The first output that could not be written, and where what finished was kept."""
        from migrate_cli.smoke.outputs import OutputError

        where = f"; what finished is in {', '.join(str(output.path) for output in kept)}" if kept else ""
        others = "".join(f"; also {error.message}" for error in errors[1:])
        return OutputError(f"{errors[0].message}: the run stopped{others}{where}")

    def _exit_code(self, outcome: RunOutcome, summary: RunSummary, gates: Sequence[Gate], err: Console) -> int:
        if outcome.stop is not None:
            raise ProviderError(stop_message(outcome.stop))
        kept = [str(p) for p in (self.plan.results, *self.plan.reports) if p is not None]
        if outcome.interrupted:
            where = f"; kept in {', '.join(kept)}" if kept else ""
            err.print(f"interrupted: {summary.cases} case(s) finished{where}", markup=False)
            return int(ExitCode.INTERRUPTED)
        for line in summary.failed_calls():
            err.print(line, markup=False)
        failed = [gate for gate in gates if not gate.passed]
        for gate in failed:
            err.print(failed_gate_line(gate.to_dict()), markup=False)
        # Worst outcome first: calls lost to a provider make the run incomplete, whatever it found.
        if summary.provider_failed():
            return int(ExitCode.FAILURE)
        return int(ExitCode.CHANGES) if failed else 0

    # --- helpers -------------------------------------------------------------------------------

    def _announce(self, err: Console) -> None:
        from migrate_cli.smoke.report import render_endpoints

        render_endpoints(err, self.plan.endpoints)
        for warning in self.plan.warnings:
            err.print(f"warning: {warning}", markup=False)

    def _warn_unknown_params(self, unknown: Mapping[str, int]) -> None:
        from migrate_cli.console import stderr

        for name, line in sorted(unknown.items(), key=lambda item: item[1]):
            stderr().print(
                f"note: {self.plan.prompts}:{line}: '{name}' is not an OpenAI chat-completions "
                "parameter; it is sent to both sides as written",
                markup=False,
            )

    def _run_record(self, run_id: str, total: int) -> dict[str, Any]:
        from migrate_cli import __version__

        plan = self.plan
        return {
            "run_id": run_id,
            "migrate_version": __version__,
            "prompts": str(plan.prompts),
            "planned_cases": total,
            "endpoints": {
                side: {"base_url": e.base_url, "api_key_env": e.api_key_env} for side, e in plan.endpoints.items()
            },
            "stream": plan.settings.calls.stream,
            "concurrency": plan.settings.concurrency,
            "timeout_s": plan.settings.calls.timeout,
            "max_retries": plan.settings.calls.max_retries,
            "repeat": plan.settings.repeat,
            "stream_check": plan.settings.stream_check,
            "calibrate": plan.calibrate,
            "cache": str(plan.cache) if plan.cache is not None else None,
            "refresh": sorted(plan.refresh),
            "resume": str(plan.resume) if plan.resume is not None else None,
            "monthly_requests": plan.monthly_requests,
            "gates": {
                "fail_on": list(plan.gates.fail_on),
                "min_similarity": plan.gates.min_similarity,
                "max_cost_increase": plan.gates.max_cost_increase,
            },
        }


def final_summary(
    summary: RunSummary, outcome: RunOutcome | None, total: int, gate_settings: GateSettings | None = None
) -> tuple[dict[str, Any], list[Gate]]:
    """The report's `summary`: the totals, how the run ended, and every gate with its result."""
    gates = evaluate_gates(summary, gate_settings) if gate_settings is not None else []
    final = {
        **summary.to_dict(),
        "planned_cases": total,
        # No outcome means the run never returned: Ctrl-C outside the event loop.
        "interrupted": outcome is None or outcome.interrupted,
        "stopped": _stop_reason(outcome.stop) if outcome is not None and outcome.stop else None,
        "gates": [gate.to_dict() for gate in gates],
    }
    return final, gates


def _stop_reason(stop: Stop | None) -> str:
    if stop is None:
        return ""
    return f"{stop.side} {stop.error.kind} error"


def stop_message(stop: Stop) -> str:
    """One line naming the side, its URL and what to check; never the key itself."""
    where = f"{stop.side} ({stop.endpoint.base_url})"
    env = stop.endpoint.api_key_env
    error = stop.error
    if error.kind == "auth" and error.status == 403:
        return (
            f"{where} refused the request with this API key (HTTP 403: {error.message}): "
            f"check {env} and its plan or permissions"
        )
    if error.kind == "auth":
        return f"{where} rejected the API key: check {env}"
    return f"{where} is unreachable ({error.message}): check the base URL and the network"
