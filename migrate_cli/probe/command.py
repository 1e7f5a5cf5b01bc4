"""`migrate probe`: the options. Kept light at import time (`migrate --help` imports this module):
the SDK and rich's renderers are imported inside the function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from migrate_cli.options import ApiKeyEnv, BaseUrl, Provider

OUTPUT_PANEL = "Output"
RUN_PANEL = "Run"


def probe(
    provider: Provider = None,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = None,
    model: Annotated[
        str | None,
        typer.Option("--model", metavar="NAME", show_default=False, help="The target's model to probe (required)."),
    ] = None,
    embedding_model: Annotated[
        str | None,
        typer.Option(
            "--embedding-model",
            metavar="NAME",
            show_default=False,
            help="Model for the embeddings probe (default: --model, and a 'no such model' is then unknown).",
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="FEATURES",
            show_default=False,
            help="Probe only these features, e.g. tools,seed (repeatable).",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", rich_help_panel=OUTPUT_PANEL, help="Print one JSON object instead of the table.")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            metavar="FILE",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="Write the probe as JSON (what --json prints), for --compare and `migrate plan --probe`.",
        ),
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            metavar="OLD",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="Show the features whose verdict changed since the probe saved in OLD.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", rich_help_panel=RUN_PANEL, help="List the requests; send nothing, need no key."),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="S", rich_help_panel=RUN_PANEL, help="Seconds for each feature's requests."),
    ] = 60.0,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", metavar="N", rich_help_panel=RUN_PANEL, help="Features probed at once."),
    ] = 4,
    max_tokens: Annotated[
        int,
        typer.Option(
            "--max-tokens",
            metavar="N",
            rich_help_panel=RUN_PANEL,
            help="Token budget of each probe answer (raise it for a model that reasons first).",
        ),
    ] = 48,
) -> None:
    """Check what the target really does with each API feature: accepted, ignored, rejected or unknown.

    For each feature a tiny request (a few tokens) goes to the target, and the verdict comes from
    what the provider did, with the evidence: the status and message of an error, or what came back.

    \b
      accepted  the request succeeded and the feature did what OpenAI documents
      ignored   the request succeeded but the feature was not honoured (n=2 gave one
                choice, JSON mode gave prose, a forced tool was not called, ...)
      rejected  the provider answered with an error (its message is the evidence)
      unknown   the probe could not decide; the evidence says why

    Features: chat, stream, stream_usage, tools, tool_choice_required, tool_choice_named,
    parallel_tool_calls, json_object, json_schema, seed, n, logprobs, stop, max_tokens,
    max_completion_tokens, embeddings, responses.

    Exit codes: 0 probed (whatever the verdicts); 2 bad options or an unset key variable (nothing
    sent); 3 the key was rejected, the host unreachable, or the plain chat request failed so no
    chat feature could be probed; 130 interrupted.

    Examples:

    \b
      migrate probe --model mira --dry-run                 list the requests, send nothing
      migrate probe --model mira --save probe.json         probe vMira, keep the verdicts
      migrate probe --model mira --compare probe.json      what changed since then
      migrate probe --base-url http://localhost:8000/v1 --api-key-env VLLM_KEY --model Qwen/Qwen3-8B
    """
    from migrate_cli.probe.session import ProbeOptions, run_probe

    options = ProbeOptions(
        model=model,
        embedding_model=embedding_model,
        only=tuple(only or ()),
        json_output=json_output,
        save=save,
        compare=compare,
        dry_run=dry_run,
        timeout=timeout,
        concurrency=concurrency,
        max_tokens=max_tokens,
    )
    code = run_probe(options, provider=provider, base_url=base_url, api_key_env=api_key_env)
    if code:
        raise typer.Exit(code)
