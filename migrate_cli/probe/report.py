"""The probe's outputs: the `--json` document (also what `--save` writes), the terminal table, the
changes against an older probe, and the `--dry-run` listing. Layout only: nothing is decided here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from migrate_cli.config import Target
from migrate_cli.features import VERDICTS
from migrate_cli.probe.records import Finding, ProbeRun
from migrate_cli.probe.requests import ProbeRequest, ProbeSettings
from migrate_cli.probe.saved import Change

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {"accepted": "green", "ignored": "yellow", "rejected": "bold red", "unknown": "cyan"}


def target_record(target: Target) -> dict[str, Any]:
    return {"provider": target.provider, "base_url": target.base_url, "api_key_env": target.api_key_env}


def probe_document(target: Target, settings: ProbeSettings, run: ProbeRun, *, probed_at: str) -> dict[str, Any]:
    from migrate_cli import __version__

    return {
        "migrate_version": __version__,
        "probed_at": probed_at,
        "target": target_record(target),
        "model": settings.model,
        "embedding_model": settings.embeddings_model,
        "token_limit_param": run.token_param,
        "models": run.models.to_dict(),
        "features": [finding.to_dict() for finding in run.findings],
        "summary": verdict_counts(run.findings),
    }


def verdict_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = Counter(finding.verdict for finding in findings)
    return {verdict: counts[verdict] for verdict in VERDICTS}


def render_table(console: Console, findings: Sequence[Finding]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("feature", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("evidence", overflow="fold")
    for finding in findings:
        table.add_row(finding.feature, Text(finding.verdict, style=_STYLE[finding.verdict]), Text(finding.evidence))
    console.print(table)
    counts = verdict_counts(findings)
    console.print(
        f"{len(findings)} feature(s): " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS),
        markup=False,
    )


def models_line(run: ProbeRun, model: str) -> str:
    models = run.models
    if models.requested_found is None:
        return f"GET /models: {models.error}"
    listed = f"GET /models lists {len(models.available)} model(s)"
    if models.requested_found:
        return f"{listed}, {model} among them"
    shown = ", ".join(models.available[:8]) + (", …" if len(models.available) > 8 else "")
    return f"{listed}, not {model}: {shown or '(none)'}"


def render_changes(console: Console, found: Sequence[Change], *, old: str, same_target: bool) -> None:
    from rich.table import Table

    console.print()
    if not same_target:
        console.print(f"note: {old} probed another target or model", markup=False)
    if not found:
        console.print(f"No verdict changed since {old}.", markup=False)
        return
    console.print(f"Changes since {old}:", markup=False)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title in ("feature", "before", "after"):
        table.add_column(title, no_wrap=True)
    table.add_column("evidence now", overflow="fold")
    for change in found:
        table.add_row(change.feature, change.before or "—", change.after or "—", change.evidence)
    console.print(table)


def dry_run_record(request: ProbeRequest) -> dict[str, Any]:
    return {
        "feature": request.feature,
        "role": request.role,
        "method": "POST",
        "path": request.path,
        "body": request.body,
    }


def render_dry_run(console: Console, requests: Sequence[ProbeRequest], settings: ProbeSettings) -> None:
    from rich.table import Table

    features = len({request.feature for request in requests})
    console.print(
        f"Dry run: {len(requests)} request(s) for {features} feature(s), plus GET /models; nothing was sent.",
        markup=False,
    )
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title in ("feature", "role", "request"):
        table.add_column(title, no_wrap=True)
    table.add_column("body", overflow="fold")
    for request in requests:
        fallback = request.fallback
        for sent, role in ((request, request.role), (fallback, f"{fallback and fallback.role}, if refused")):
            if sent is not None:
                body = json.dumps(sent.body, ensure_ascii=False, separators=(",", ":"))
                table.add_row(request.feature, role, f"POST {sent.path}", body)
    console.print(table)
    console.print(
        f"Chat probes carry {settings.budget_param}; if the provider refuses it on the plain chat request, "
        "they carry the other name instead. Streaming probes are sent last, one at a time.",
        markup=False,
    )
