"""One `migrate plan` invocation: check the options (nothing is scanned or sent if one is wrong),
scan, load or run the probe for the features the code uses, print, write the report, exit code.

The edge that prints and writes; checklist.py decides, scan and probe do the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from migrate_cli.config import Target
from migrate_cli.errors import ExitCode, MigrateError, UsageError
from migrate_cli.features import FeatureName, is_feature
from migrate_cli.plan.checklist import Plan, ProbeVerdict, build_plan
from migrate_cli.probe.session import ProbeOptions
from migrate_cli.redact import env_secrets, redact


class ReportError(MigrateError):
    """The plan was made (and the probe paid for) but its report could not be written."""

    exit_code = ExitCode.FAILURE


@dataclass(frozen=True)
class PlanOptions:
    paths: tuple[str, ...]
    probe_file: Path | None = None
    probe: ProbeOptions = field(default_factory=ProbeOptions)
    json_output: bool = False
    report: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int | None = None


@dataclass(frozen=True)
class ProbeSource:
    """Where the verdicts come from, for the report's first line and the "not probed" evidence."""

    name: str
    target: str
    model: str
    verdicts: Mapping[str, ProbeVerdict]


def run_plan(options: PlanOptions, *, provider: str | None, base_url: str | None, api_key_env: str | None) -> int:
    from migrate_cli.config import load_project_config, resolve_target
    from migrate_cli.console import print_json, stderr, stdout
    from migrate_cli.plan import report
    from migrate_cli.probe import saved
    from migrate_cli.probe.session import check_options
    from migrate_cli.scan.report import render_problems
    from migrate_cli.scan.runner import scan_paths

    config = load_project_config()
    target = resolve_target(config, provider=provider, base_url=base_url, api_key_env=api_key_env)
    loaded = saved.load(options.probe_file) if options.probe_file else None
    if loaded is None:
        if not (options.probe.model or "").strip():
            raise UsageError("--model is required to probe the target; or reuse a saved probe with --probe FILE")
        check_options(options.probe)
    _check_report_path(options.report)
    scanned = scan_paths(
        options.paths, target, config, include=options.include, exclude=options.exclude, jobs=options.jobs
    )
    err = stderr()
    render_problems(err, scanned)
    used = tuple(f for f in scanned.features() if is_feature(f))
    if loaded is not None:
        source = ProbeSource(
            str(loaded.path),
            str(loaded.target.get("base_url") or "?"),
            loaded.model or "?",
            {name: ProbeVerdict(v.verdict, v.evidence) for name, v in loaded.verdicts.items()},
        )
        err.print(f"probe: {source.name} ({source.model} at {source.target})", markup=False, highlight=False)
    else:
        source = _probe(target, options.probe, used)
    secrets = env_secrets([target.api_key_env])
    plan = _redacted(build_plan(scanned.features(), scanned.calls, source.verdicts, probe_name=source.name), secrets)
    if loaded is None or loaded.model:
        _note_models(plan, source.model)
    if options.report is not None:
        _write(options.report, report.markdown(plan, target=source.target, model=source.model))
        err.print(f"report: {options.report}", markup=False, highlight=False)
    if options.json_output:
        print_json(report.plan_document(plan))
    else:
        report.render_checklist(stdout(), plan)
    return int(plan.exit_code)


def _probe(target: Target, options: ProbeOptions, used: tuple[FeatureName, ...]) -> ProbeSource:
    """Probe only the features the code uses: a few tokens each, nothing for code that uses none."""
    from migrate_cli.console import stderr
    from migrate_cli.errors import ProviderError
    from migrate_cli.probe.session import probe_settings, send_probes

    assert options.model is not None
    if not used:
        return ProbeSource("this probe", target.base_url, options.model.strip(), {})
    settings = probe_settings(options, target)
    stderr().print(
        f"probing {target.describe()} with {settings.model}: {', '.join(used)}", markup=False, highlight=False
    )
    run = send_probes(target, settings, used, options)
    if run.gate_error is not None:
        raise ProviderError(
            f"the plain chat request to {target.base_url} failed ({run.gate_error}), so no chat feature "
            "could be probed: check --model and the base URL"
        )
    verdicts: dict[str, ProbeVerdict] = {f.feature: ProbeVerdict(f.verdict, f.evidence) for f in run.findings}
    return ProbeSource("this probe", target.base_url, settings.model, verdicts)


def _redacted(plan: Plan, secrets: list[str]) -> Plan:
    """A saved probe is a file anyone could have edited: its evidence is redacted again here."""
    return replace(plan, items=tuple(replace(i, evidence=redact(i.evidence, secrets)) for i in plan.items))


def _note_models(plan: Plan, model: str) -> None:
    from migrate_cli.console import stderr

    others = [m for m in plan.models if m != model]
    if others and plan.items:
        stderr().print(
            f"note: the probe checked {model}; the code sends {', '.join(others[:6])}"
            f"{', …' if len(others) > 6 else ''} (map them with migrate rewrite --model-map OLD={model})",
            markup=False,
            highlight=False,
        )


def _check_report_path(path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"--report {path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"--report {path}: the folder {path.parent} does not exist")


def _write(path: Path, text: str) -> None:
    from migrate_cli.probe.saved import save_text

    try:
        save_text(path, text)
    except OSError as exc:
        raise ReportError(f"cannot write the report {path}: {exc.strerror}") from None
