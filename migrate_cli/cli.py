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
        "  migrate scan ./src                  what the code uses: call sites and features\n"
        "  migrate plan ./src --model NAME     the features the code uses that the target breaks\n"
        "\b\n"
        "The target defaults to vMira (https://api.vmira.ai/v1, key in $MIRA_API_KEY); change it\n"
        "with --provider/--base-url/--api-key-env or [tool.migrate] in pyproject.toml.\n"
        "Exit codes: 0 ok, 1 changes pending, regressions or features the target breaks, 2 bad usage or input,\n"
        "3 provider or infrastructure failure, 130 interrupted, 141 stdout closed (| head)."
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
        from migrate_cli.console import say_interrupted, stderr
        from migrate_cli.escape import printable

        try:
            return func(*args, **kwargs)
        except MigrateError as exc:
            from rich.markup import escape  # a message may say "[tool.migrate]" or "[rates]"

            # A message can name a file; a file name can hold terminal escapes.
            stderr().print(f"[bold red]error:[/] {escape(printable(exc.message))}", markup=True, highlight=False)
            if exc.hint:
                stderr().print(f"  {printable(exc.hint)}", markup=False)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            say_interrupted()
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader of our stdout has gone (`migrate rewrite . --dry-run | head`): nothing is
            # wrong, there is just nobody left to print for. Stop quietly, as `git diff | head` does.
            _drop_stdout()
            raise typer.Exit(int(ExitCode.STDOUT_CLOSED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            from migrate_cli.rewrite.files.stopping import caused_by_interrupt

            if caused_by_interrupt(exc):  # Ctrl-C surfacing as another exception: still Ctrl-C
                say_interrupted()
                raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
            if debug_enabled():
                raise
            from migrate_cli.redact import environment_secrets, redact

            # The message may quote anything the run held: a request, a config, a key of any shape.
            message = printable(redact(str(exc), environment_secrets()))
            stderr().print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {message}\n"
                "  This is a bug in migrate. Re-run with MIGRATE_DEBUG=1 for the traceback, "
                "and please report it.",
                markup=True,
                highlight=False,
            )
            raise typer.Exit(int(ExitCode.FAILURE)) from None

    return wrapper


def _drop_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush of what is still buffered
    does not fail again on exit ("Exception ignored ... BrokenPipeError"). As Python's docs advise:
    https://docs.python.org/3/library/signal.html#note-on-sigpipe"""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no stdout file descriptor at all: nothing will be flushed to it
        pass


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
    explain: str | None = typer.Option(
        None, "--explain", metavar="CODE", help="Print one rule's documentation: what, why, example, fix safety."
    ),
) -> None:
    """List the rewrite rules: code, name, fix safety and what each rewrites.

    The codes are what `migrate rewrite --only CODE` / `--skip CODE` take.
    """
    from migrate_cli.console import stdout
    from migrate_cli.rewrite.registry import RULES
    from migrate_cli.rewrite.report.rule_list import (
        explained_rule,
        render_rule_doc,
        render_rules_json,
        render_rules_table,
    )

    if explain is not None:
        render_rule_doc(stdout(), explained_rule(explain, RULES))
        return
    (render_rules_json if json_output else render_rules_table)(stdout(), RULES)


def _register() -> None:
    from migrate_cli.plan.command import plan
    from migrate_cli.probe.command import probe
    from migrate_cli.rewrite.command import rewrite
    from migrate_cli.scan.command import scan
    from migrate_cli.smoke.command import smoke

    app.command("rewrite", no_args_is_help=True)(guarded(rewrite))
    app.command("smoke", no_args_is_help=True)(guarded(smoke))
    app.command("probe", no_args_is_help=True)(guarded(probe))
    app.command("scan", no_args_is_help=True)(guarded(scan))
    app.command("plan", no_args_is_help=True)(guarded(plan))


_register()


def main() -> None:
    try:
        app(prog_name="migrate")
    except SystemExit as exit:
        from migrate_cli.console import interrupted_said, say_interrupted

        # Typer turns a Ctrl-C outside a command (while it reads the options) into a silent 130.
        if exit.code == ExitCode.INTERRUPTED and not interrupted_said():
            say_interrupted()
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
