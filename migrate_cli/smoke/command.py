"""`migrate smoke`: options in, prompts validated, both providers called, report out, exit code.

Kept light at import time (`migrate --help` imports this module): openai, tiktoken, rapidfuzz and
rich's renderers are imported inside the function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from migrate_cli.options import ApiKeyEnv, BaseUrl, Provider

MODELS_PANEL = "Models and baseline"
OUTPUT_PANEL = "Output"
RUN_PANEL = "Run"
REPLAY_PANEL = "Cache, resume and repeat"
COST_PANEL = "Calibration and cost"
GATES_PANEL = "CI gates"


def smoke(
    prompts: Annotated[
        Path,
        typer.Argument(
            metavar="PROMPTS.jsonl",
            help="The prompts file: one JSON object per line ('-' reads standard input).",
            show_default=False,
        ),
    ],
    provider: Provider = None,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            metavar="NAME",
            rich_help_panel=MODELS_PANEL,
            show_default=False,
            help="Candidate model for every case (default: the case's model through --model-map).",
        ),
    ] = None,
    model_map: Annotated[
        list[str] | None,
        typer.Option(
            "--model-map",
            metavar="OLD=NEW",
            rich_help_panel=MODELS_PANEL,
            show_default=False,
            help="Send the candidate NEW where a case asks the baseline for OLD (repeatable; "
            "adds to [tool.migrate] model_map).",
        ),
    ] = None,
    baseline_base_url: Annotated[
        str | None,
        typer.Option(
            "--baseline-base-url",
            metavar="URL",
            rich_help_panel=MODELS_PANEL,
            show_default=False,
            help="Baseline endpoint (default: $OPENAI_BASE_URL, else https://api.openai.com/v1).",
        ),
    ] = None,
    baseline_api_key_env: Annotated[
        str | None,
        typer.Option(
            "--baseline-api-key-env",
            metavar="NAME",
            rich_help_panel=MODELS_PANEL,
            show_default=False,
            help="Env var holding the baseline's key (default: OPENAI_API_KEY).",
        ),
    ] = None,
    pricing: Annotated[
        Path | None,
        typer.Option(
            "--pricing",
            metavar="FILE",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="Prices (TOML or JSON) for models the shipped OpenAI table does not cover.",
        ),
    ] = None,
    rate: Annotated[
        list[str] | None,
        typer.Option(
            "--rate",
            metavar="CUR=USD",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="USD per unit of a pricing-file currency, e.g. RUB=0.0108 (repeatable).",
        ),
    ] = None,
    report: Annotated[
        list[Path] | None,
        typer.Option(
            "--report",
            metavar="FILE",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="Write a report; the extension picks the format: .json (everything), .md (a PR comment), "
            ".html (one self-contained page), .xml (JUnit). Repeatable.",
        ),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            metavar="FILE",
            rich_help_panel=OUTPUT_PANEL,
            show_default=False,
            help="Append every response as one JSON line the moment it arrives.",
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            rich_help_panel=OUTPUT_PANEL,
            help="Print the summary as one JSON object on stdout instead of the tables.",
        ),
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            metavar="N",
            rich_help_panel=RUN_PANEL,
            show_default=False,
            help="Cases in flight at once, each on both sides (default: 8).",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            metavar="S",
            rich_help_panel=RUN_PANEL,
            show_default=False,
            help="Seconds one attempt may take to deliver the whole answer, streamed or not (default: 60).",
        ),
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option(
            "--max-retries",
            metavar="N",
            rich_help_panel=RUN_PANEL,
            show_default=False,
            help="Retries on 429, 5xx, timeouts, connection errors and cut streams, honouring Retry-After "
            "(default: 2).",
        ),
    ] = None,
    stream: Annotated[
        bool,
        typer.Option(
            "--stream",
            rich_help_panel=RUN_PANEL,
            help="Stream the answers: measures time to first token, asks for usage in the stream.",
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            metavar="N",
            rich_help_panel=RUN_PANEL,
            show_default=False,
            help="Run only the first N cases (the whole file is still validated).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            rich_help_panel=RUN_PANEL,
            help="Send nothing: print the case count, tiktoken prompt tokens and projected input cost.",
        ),
    ] = False,
    stream_check: Annotated[
        int | None,
        typer.Option(
            "--stream-check",
            metavar="K",
            rich_help_panel=RUN_PANEL,
            show_default=False,
            help="Ask the first K cases both streamed and not on each side; report whether content and usage agree.",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="LIST",
            rich_help_panel=GATES_PANEL,
            show_default=False,
            help="Exit 1 if any case gets one of these verdicts or has a failed call, "
            "e.g. broken or broken,drift,error.",
        ),
    ] = None,
    min_similarity: Annotated[
        float | None,
        typer.Option(
            "--min-similarity",
            metavar="X",
            rich_help_panel=GATES_PANEL,
            show_default=False,
            help="Exit 1 if the mean similarity is below X (0 to 1).",
        ),
    ] = None,
    max_cost_increase: Annotated[
        float | None,
        typer.Option(
            "--max-cost-increase",
            metavar="PCT",
            rich_help_panel=GATES_PANEL,
            show_default=False,
            help="Exit 1 if the candidate costs more than PCT% above the baseline (cases priced on both sides).",
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            metavar="DIR",
            rich_help_panel=REPLAY_PANEL,
            show_default=False,
            help="Keep every successful answer in DIR (SQLite) and reuse it: a second run asks nothing "
            "([tool.migrate] cache sets a default).",
        ),
    ] = None,
    refresh: Annotated[
        str | None,
        typer.Option(
            "--refresh",
            metavar="SIDE",
            rich_help_panel=REPLAY_PANEL,
            show_default=False,
            help="With --cache: ask baseline, candidate or all again instead of reusing their cached answers.",
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            metavar="RESULTS.jsonl",
            rich_help_panel=REPLAY_PANEL,
            show_default=False,
            help="Continue an interrupted run from its --results file: answered cases are not sent again.",
        ),
    ] = None,
    repeat: Annotated[
        int | None,
        typer.Option(
            "--repeat",
            metavar="N",
            rich_help_panel=REPLAY_PANEL,
            show_default=False,
            help="Ask each side N times (N >= 2): drift within the baseline's own variation is judged equivalent.",
        ),
    ] = None,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate",
            rich_help_panel=COST_PANEL,
            help="Send each case once per side with max_tokens=1 and fit how each provider counts prompt tokens.",
        ),
    ] = False,
    save_calibration: Annotated[
        Path | None,
        typer.Option(
            "--save-calibration",
            metavar="FILE",
            rich_help_panel=COST_PANEL,
            show_default=False,
            help="Write the run's token calibration (per side: base URL, models, ratios, spread, date) to FILE.",
        ),
    ] = None,
    calibration: Annotated[
        Path | None,
        typer.Option(
            "--calibration",
            metavar="FILE",
            rich_help_panel=COST_PANEL,
            show_default=False,
            help="With --dry-run: project calibrated token counts and cost from a --save-calibration FILE.",
        ),
    ] = None,
    monthly_requests: Annotated[
        int | None,
        typer.Option(
            "--monthly-requests",
            metavar="N",
            rich_help_panel=COST_PANEL,
            show_default=False,
            help="Project each side's monthly cost at N requests (shared among cases by their 'weight').",
        ),
    ] = None,
) -> None:
    """Run PROMPTS.jsonl on OpenAI (the baseline) and the target (the candidate), and compare.

    Each case goes to both sides with the same messages and parameters; only the model differs.
    Per case and side it records the answer, finish_reason, the provider's token usage beside
    tiktoken's estimate, the cost, latency (and time to first token with --stream) and any
    error; then it compares the answers (similarity, diff, verdict) and sums it all up.

    The prompts file has one JSON object per line: "messages" (chat messages) or "prompt" (a
    string); optional "id" and "model" (the baseline's model; [tool.migrate] model is the
    default); any other key (temperature, max_tokens, seed, stop, response_format, tools, ...)
    is sent to both sides unchanged. The whole file is checked before anything is sent.

    \b
      {"id": "capital", "model": "gpt-4o-mini", "prompt": "Capital of France?"}
      {"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Reply in JSON."},
       {"role": "user", "content": "List 3 colours"}], "response_format": {"type": "json_object"}}

    Verdicts: same (identical after normalising), equivalent (same JSON, or very similar text
    with the same numbers), drift (different), broken (an error, a missing tool call, a cut-off
    or empty answer, or invalid JSON where JSON was expected).

    The baseline's key comes from OPENAI_API_KEY and the candidate's from the target's variable
    (vMira: MIRA_API_KEY); both must be set before anything is sent. Costs use the shipped
    OpenAI list prices on api.openai.com only; price any other model with --pricing. A model
    without a price is reported as unpriced, never as $0.

    Every run also fits how each provider counts tokens against tiktoken (calibration), splits
    the cost change into a price effect and a tokenizer effect, and can project a monthly cost.

    Exit codes: 0 done; 1 a gate (--fail-on, --min-similarity, --max-cost-increase) not met (a run
    that measured nothing never meets one); 2 bad input or options (nothing sent); 3 a key was
    rejected, a provider unreachable, calls lost after retries, every call on a side failed, or
    --results/--report could not be written; 130 interrupted (what finished is kept in --results
    and --report; --resume continues from --results).

    Examples:

    \b
      migrate smoke examples/prompts.jsonl --dry-run          count tokens, project cost
      migrate smoke examples/prompts.jsonl --model mira       every case on vMira's mira
      migrate smoke prompts.jsonl --model-map gpt-4o=mira-pro --model-map gpt-4o-mini=mira
      migrate smoke prompts.jsonl --provider together --model meta-llama/Llama-3.3-70B-Instruct-Turbo
      migrate smoke prompts.jsonl --pricing mira-prices.toml --rate RUB=0.0108 --report out.json
      migrate smoke prompts.jsonl --stream --concurrency 16 --results answers.jsonl
      migrate smoke prompts.jsonl --fail-on broken,error --max-cost-increase 10 --report r.xml   in CI
      migrate smoke prompts.jsonl --calibrate --save-calibration cal.json   fit token counts, ~free
      migrate smoke more.jsonl --dry-run --calibration cal.json             calibrated projection
      migrate smoke prompts.jsonl --cache .migrate/cache --repeat 3 --report out.html
    """
    from migrate_cli.smoke.plan import SmokeOptions
    from migrate_cli.smoke.session import SmokeSession

    options = SmokeOptions(
        prompts=prompts,
        model=model,
        model_map=tuple(model_map or ()),
        baseline_base_url=baseline_base_url,
        baseline_api_key_env=baseline_api_key_env,
        pricing=pricing,
        rates=tuple(rate or ()),
        reports=tuple(report or ()),
        results=results,
        concurrency=concurrency,
        timeout=timeout,
        max_retries=max_retries,
        stream=stream,
        limit=limit,
        fail_on=fail_on,
        min_similarity=min_similarity,
        max_cost_increase=max_cost_increase,
        cache=cache,
        refresh=refresh,
        resume=resume,
        repeat=repeat,
        stream_check=stream_check,
        calibrate=calibrate,
        save_calibration=save_calibration,
        calibration=calibration,
        monthly_requests=monthly_requests,
    )
    session = SmokeSession.start(options, provider=provider, base_url=base_url, api_key_env=api_key_env)
    code = session.dry_run(json_output) if dry_run else session.run(json_output)
    if code:
        raise typer.Exit(code)
