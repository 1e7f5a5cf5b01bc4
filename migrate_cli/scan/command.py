"""`migrate scan`: the options. Kept light at import time (`migrate --help` imports this module)."""

from __future__ import annotations

from typing import Annotated

import typer

FILES_PANEL = "Files"

Paths = Annotated[
    list[str],
    typer.Argument(metavar="PATH", help="Files or directories to scan.", show_default=False),
]
Include = Annotated[
    list[str] | None,
    typer.Option(
        "--include",
        metavar="GLOB",
        help="Also scan files matching GLOB (gitignore syntax, relative to PATH; repeatable). "
        "Default: *.py and *.ipynb.",
        rich_help_panel=FILES_PANEL,
        show_default=False,
    ),
]
Exclude = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="GLOB",
        help="Skip files and directories matching GLOB (gitignore syntax, relative to PATH; repeatable).",
        rich_help_panel=FILES_PANEL,
        show_default=False,
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        min=1,
        help="Worker processes (default: one per CPU).",
        rich_help_panel=FILES_PANEL,
        show_default=False,
    ),
]


def scan(
    paths: Paths,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the tables.")] = False,
    include: Include = None,
    exclude: Exclude = None,
    jobs: Jobs = None,
) -> None:
    """List what the code uses of the OpenAI API: every client construction and every API call
    site, by endpoint, with the features each call uses and the model ids it sends.

    Reads the code as `migrate rewrite` does (same files, notebooks, import and alias analysis,
    `**kwargs` dicts it can prove); a value it cannot read is listed as "unknown". Nothing is
    written and nothing is sent. Features: chat, stream, stream_usage, tools, tool_choice_required,
    tool_choice_named, parallel_tool_calls, json_object, json_schema, seed, n, logprobs, stop,
    max_tokens, max_completion_tokens, embeddings, responses (the names `migrate probe` checks).

    Exit codes: 0 scanned (files that do not parse are listed, and skipped); 2 a PATH does not
    exist or an option is wrong; 130 interrupted.

    Examples:

    \b
      migrate scan ./src                   endpoints and features, first sites of each
      migrate scan ./src --json > uses.json
      migrate plan ./src --model mira      what the target does with those features
    """
    from migrate_cli.config import load_project_config, resolve_target
    from migrate_cli.console import print_json, stderr, stdout
    from migrate_cli.scan.report import render_problems, render_tables, scan_document
    from migrate_cli.scan.runner import scan_paths

    config = load_project_config()
    result = scan_paths(
        paths, resolve_target(config), config, include=tuple(include or ()), exclude=tuple(exclude or ()), jobs=jobs
    )
    render_problems(stderr(), result)
    if json_output:
        print_json(scan_document(result))
    else:
        render_tables(stdout(), result)
