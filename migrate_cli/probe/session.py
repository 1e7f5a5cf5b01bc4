"""One `migrate probe` invocation: check the options (nothing is sent if one is wrong), probe or list
the requests, print, save, compare, pick the exit code.

This is the edge that prints and writes; requests.py, judge.py and saved.py decide, runner.py sends.
"""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from migrate_cli.config import Target
from migrate_cli.errors import ProviderError, UsageError
from migrate_cli.features import FEATURE_NAMES, FeatureName, is_feature
from migrate_cli.probe.records import ProbeRun
from migrate_cli.probe.requests import DEFAULT_BUDGET, ProbeSettings, TokenParam, feature_requests
from migrate_cli.probe.runner import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, RunSettings
from migrate_cli.smoke.records import Endpoint


@dataclass(frozen=True)
class ProbeOptions:
    model: str | None = None
    embedding_model: str | None = None
    only: tuple[str, ...] = ()
    json_output: bool = False
    save: Path | None = None
    compare: Path | None = None
    dry_run: bool = False
    timeout: float = DEFAULT_TIMEOUT
    concurrency: int = DEFAULT_CONCURRENCY
    max_tokens: int = DEFAULT_BUDGET


def select_features(only: tuple[str, ...]) -> tuple[FeatureName, ...]:
    """`--only a,b --only c` -> those features in the contract's order; all of them without it."""
    names = [name.strip() for value in only for name in value.split(",") if name.strip()]
    for name in names:
        if not is_feature(name):
            close = difflib.get_close_matches(name, FEATURE_NAMES, n=1)
            suggestion = f" Did you mean '{close[0]}'?" if close else ""
            raise UsageError(
                f"--only: unknown feature '{name}'.{suggestion}", hint="features: " + ", ".join(FEATURE_NAMES)
            )
    return tuple(f for f in FEATURE_NAMES if f in names) if names else FEATURE_NAMES


def check_options(options: ProbeOptions) -> None:
    if not options.model or not options.model.strip():
        raise UsageError("--model is required: the target's model to probe (like mira)")
    if options.embedding_model is not None and not options.embedding_model.strip():
        raise UsageError("--embedding-model must not be empty")
    if not options.timeout > 0:
        raise UsageError(f"--timeout must be a number of seconds above 0, got {options.timeout:g}")
    if options.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {options.concurrency}")
    if options.max_tokens < 1:
        raise UsageError(f"--max-tokens must be at least 1, got {options.max_tokens}")


def token_param_for(target: Target) -> TokenParam:
    """The token-limit name the target's preset accepts, as `migrate rewrite` writes it (MC005)."""
    return "max_completion_tokens" if target.accepts_max_completion_tokens else "max_tokens"


def probe_settings(options: ProbeOptions, target: Target) -> ProbeSettings:
    """What every probe request carries; `check_options` has passed."""
    assert options.model is not None
    return ProbeSettings(
        model=options.model.strip(),
        embedding_model=options.embedding_model.strip() if options.embedding_model else None,
        budget=options.max_tokens,
        budget_param=token_param_for(target),
    )


def run_probe(options: ProbeOptions, *, provider: str | None, base_url: str | None, api_key_env: str | None) -> int:
    from migrate_cli.config import load_project_config, resolve_target
    from migrate_cli.console import print_json, stderr, stdout
    from migrate_cli.probe import report, saved

    target = resolve_target(load_project_config(), provider=provider, base_url=base_url, api_key_env=api_key_env)
    check_options(options)
    features = select_features(options.only)
    old = saved.load(options.compare) if options.compare else None
    if options.save:
        saved.check_save_path(options.save)
    settings = probe_settings(options, target)
    err = stderr()
    err.print(f"target: {target.describe()}", markup=False)
    err.print(f"model:  {settings.model}", markup=False)

    if options.dry_run:
        requests = [request for feature in features for request in feature_requests(feature, settings)]
        if options.json_output:
            document = {
                "dry_run": True,
                "target": report.target_record(target),
                "model": settings.model,
                "requests": [report.dry_run_record(request) for request in requests],
            }
            print_json(document)
        else:
            report.render_dry_run(stdout(), requests, settings)
        return 0

    run = send_probes(target, settings, features, options)
    err.print(report.models_line(run, settings.model), markup=False)
    document = report.probe_document(target, settings, run, probed_at=datetime.now(UTC).isoformat(timespec="seconds"))
    if options.save:
        saved.save(options.save, document)
    current = saved.parse(document, options.save or Path("this probe"))
    found = saved.changes(old.verdicts, current.verdicts) if old else []
    if options.json_output:
        if old:
            document = {**document, "compared_with": str(old.path), "changes": [c.to_dict() for c in found]}
        print_json(document)
    else:
        report.render_table(stdout(), run.findings)
        if old:
            report.render_changes(stdout(), found, old=str(old.path), same_target=saved.same_target(old, current))
    if options.save:
        err.print(f"saved: {options.save}", markup=False)
    if run.gate_error is not None:
        raise ProviderError(
            f"the plain chat request to {target.base_url} failed ({run.gate_error}), so no chat feature "
            "could be probed: check --model and the base URL"
        )
    return 0


def send_probes(
    target: Target, settings: ProbeSettings, features: tuple[FeatureName, ...], options: ProbeOptions
) -> ProbeRun:
    """Probe `features` at the target (`migrate plan` runs its probe through here too). ProviderError
    (exit 3) when the key is rejected or the host cannot be reached; UsageError when the key is unset."""
    from migrate_cli.probe.runner import probe_target
    from migrate_cli.redact import env_secrets
    from migrate_cli.smoke.calls import require_keys
    from migrate_cli.smoke.runner import Stop
    from migrate_cli.smoke.session import stop_message

    endpoint = Endpoint("candidate", target.base_url, target.api_key_env, label=target.describe())
    require_keys([endpoint])
    run_settings = RunSettings(timeout=options.timeout, concurrency=options.concurrency)
    outcome = asyncio.run(
        probe_target(endpoint, settings, features, run_settings, secrets=env_secrets([target.api_key_env]))
    )
    if isinstance(outcome, Stop):
        raise ProviderError(stop_message(outcome))
    return outcome
