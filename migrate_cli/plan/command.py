"""`migrate plan`: the options. Kept light at import time (`migrate --help` imports this module)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from migrate_cli.options import ApiKeyEnv, BaseUrl, Provider
from migrate_cli.scan.command import Exclude, Include, Jobs, Paths

PROBE_PANEL = "Probe"
OUTPUT_PANEL = "Output"


def plan(
    paths: Paths,
    probe_file: Annotated[
        Path | None,
        typer.Option(
            "--probe",
            metavar="FILE",
            rich_help_panel=PROBE_PANEL,
            show_default=False,
            help="Use the verdicts saved by `migrate probe --save FILE` instead of probing now.",
        ),
    ] = None,
    provider: Provider = None,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="NAME",
            rich_help_panel=PROBE_PANEL,
            show_default=False,
            help="The target's model to probe (required without --probe).",
        ),
    ] = None,
    embedding_model: Annotated[
        str | None,
        typer.Option(
            "--embedding-model",
            metavar="NAME",
            rich_help_panel=PROBE_PANEL,
            show_default=False,
            help="Model for the embeddings probe (default: --model).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", metavar="S", rich_help_panel=PROBE_PANEL, help="Seconds for each feature's requests."
        ),
    ] = 60.0,
    max_tokens: Annotated[
        int,
        typer.Option(
            "--max-tokens", metavar="N", rich_help_panel=PROBE_PANEL, help="Token budget of each probe answer."
        ),
    ] = 48,
    json_output: Annotated[
        bool,
        typer.Option("--json", rich_help_panel=OUTPUT_PANEL, help="Print one JSON object instead of the checklist."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="Also write the checklist as Markdown (to paste in a pull request).",
        ),
    ] = None,
    include: Include = None,
    exclude: Exclude = None,
    jobs: Jobs = None,
) -> None:
    """For each feature the code in PATH... uses, what the target does with it, and the call sites
    at risk: a migration checklist.

    Scans the code as `migrate scan` does, then probes the target for exactly the features the code
    uses (as `migrate probe` does, a few tokens each), or reads a saved probe (--probe FILE).

    Exit codes: 0 nothing blocks the switch; 1 the code uses a feature the target rejects or
    ignores, or one the probe never checked (a feature the probe could not decide is shown, and
    does not fail); 2 bad options, a missing PATH, an unreadable probe file or an unset key
    variable (nothing sent); 3 the key was rejected, the host is unreachable, or the plain chat
    request failed; 130 interrupted.

    Examples:

    \b
      migrate plan ./src --model mira                       probe vMira for what ./src uses
      migrate plan ./src --probe probe.json --report plan.md
      migrate plan ./src --probe probe.json --json          for CI scripts
    """
    from migrate_cli.plan.session import PlanOptions, run_plan
    from migrate_cli.probe.session import ProbeOptions

    options = PlanOptions(
        paths=tuple(paths),
        probe_file=probe_file,
        probe=ProbeOptions(model=model, embedding_model=embedding_model, timeout=timeout, max_tokens=max_tokens),
        json_output=json_output,
        report=report,
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        jobs=jobs,
    )
    code = run_plan(options, provider=provider, base_url=base_url, api_key_env=api_key_env)
    if code:
        raise typer.Exit(code)
