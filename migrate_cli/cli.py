"""The `migrate` command line: parse options, call the core, render, exit with a documented code.

Command modules are imported here, so they keep heavy imports (libcst, openai, tiktoken) inside
their function bodies: `migrate --help` must stay fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import typer

from migrate_cli import __version__
from migrate_cli.errors import ExitCode, MigrateError

app = typer.Typer(
    name="migrate",
    help=(
        "Move Python code from OpenAI to an OpenAI-compatible provider, and prove the move is safe.\n\n"
        "\b\n"
        "  migrate rewrite ./src --dry-run     preview the code change as a diff\n"
        "  migrate rewrite ./src               point every OpenAI client at the target\n"
        "  migrate smoke prompts.jsonl         run your prompts on both providers, compare\n"
        "  migrate probe --model NAME          what the target does with each API feature\n"
        "\b\n"
        "The target defaults to vMira (https://api.vmira.ai/v1, key in $MIRA_API_KEY); change it\n"
        "with --provider/--base-url/--api-key-env or [tool.migrate] in pyproject.toml.\n"
        "Exit codes: 0 ok, 1 changes pending or regressions, 2 bad usage or input,\n"
        "3 provider or infrastructure failure, 130 interrupted."
    ),
    # Plain help renders in ~0.1 s; rich-formatted help costs another ~0.15 s of imports.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_debug = {"on": os.environ.get("MIGRATE_DEBUG") == "1"}


def debug_enabled() -> bool:
    return _debug["on"]


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user errors and Ctrl-C into one line on stderr and a documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from migrate_cli.console import stderr

        try:
            return func(*args, **kwargs)
        except MigrateError as exc:
            from rich.markup import escape  # a message may say "[tool.migrate]" or "[rates]"

            stderr().print(f"[bold red]error:[/] {escape(exc.message)}", markup=True, highlight=False)
            if exc.hint:
                stderr().print(f"  {exc.hint}", markup=False)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            stderr().print("interrupted", markup=False)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if debug_enabled():
                raise
            from migrate_cli.redact import redact

            stderr().print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {redact(str(exc))}\n"
                "  This is a bug in migrate. Re-run with MIGRATE_DEBUG=1 for the traceback, "
                "and please report it.",
                markup=True,
                highlight=False,
            )
            raise typer.Exit(int(ExitCode.FAILURE)) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"migrate {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool | None = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show the traceback of unexpected errors (or set MIGRATE_DEBUG=1)."
    ),
) -> None:
    if debug:
        _debug["on"] = True


@app.command("providers")
@guarded
def providers_command() -> None:
    """List the provider presets --provider accepts, with their base URL and key env var."""
    from rich.table import Column, Table

    from migrate_cli.config import DEFAULT_PROVIDER, load_presets
    from migrate_cli.console import stdout

    table = Table(
        Column("provider", no_wrap=True),
        Column("base URL", no_wrap=True),
        Column("API key env var", no_wrap=True),
        "name",
        box=None,
    )
    for preset in load_presets().values():
        marker = " (default)" if preset.name == DEFAULT_PROVIDER else ""
        table.add_row(preset.name + marker, preset.base_url, preset.api_key_env, preset.label)
    stdout().print(table)


@app.command("rules")
@guarded
def rules_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object instead of the table."),
) -> None:
    """List the rewrite rules: code, name and what each rewrites.

    The codes are what `migrate rewrite --only CODE` / `--skip CODE` take.
    """
    from migrate_cli.console import stdout
    from migrate_cli.rewrite.rule_list import render_rules_json, render_rules_table
    from migrate_cli.rewrite.rules import RULES

    (render_rules_json if json_output else render_rules_table)(stdout(), RULES)


def _register() -> None:
    from migrate_cli.probe.command import probe
    from migrate_cli.rewrite.command import rewrite
    from migrate_cli.smoke.command import smoke

    app.command("rewrite", no_args_is_help=True)(guarded(rewrite))
    app.command("smoke", no_args_is_help=True)(guarded(smoke))
    app.command("probe", no_args_is_help=True)(guarded(probe))


_register()


def main() -> None:
    app(prog_name="migrate")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
