"""`migrate rewrite`: options in, files rewritten (or diffed, or checked), report out, exit code.

Kept light at import time: `migrate --help` imports this module, so the engine, the process pool
and rich's renderers are imported inside the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from migrate_cli.errors import UsageError
from migrate_cli.options import ApiKeyEnv, BaseUrl, Provider

if TYPE_CHECKING:
    from migrate_cli.config import ProjectConfig, Target

OUTPUT_PANEL = "Output"
FILES_PANEL = "Files"
RULES_PANEL = "Rules"


def rewrite(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH", help="Files or directories to rewrite.", show_default=False),
    ],
    provider: Provider = None,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the change as a unified diff on stdout and write nothing.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if any file would change (for CI).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object on stdout instead of the summary (diffs included).",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            metavar="GLOB",
            help="Also process files matching GLOB (gitignore syntax, relative to PATH; repeatable). "
            "Default: *.py and *.ipynb.",
            rich_help_panel=FILES_PANEL,
            show_default=False,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="GLOB",
            help="Skip files and directories matching GLOB (gitignore syntax, relative to PATH; repeatable).",
            rich_help_panel=FILES_PANEL,
            show_default=False,
        ),
    ] = None,
    env_files: Annotated[
        bool | None,
        typer.Option(
            "--env-files/--no-env-files",
            help="Also rewrite .env, .env.* and *.env files (even git-ignored ones): add the target's key "
            "variable, empty, after OPENAI_API_KEY; point OPENAI_BASE_URL/OPENAI_API_BASE at the target only "
            "where the code read them for clients it moved. Values are never shown. "
            "Default: env_files in [tool.migrate], else off.",
            rich_help_panel=FILES_PANEL,
            show_default=False,
        ),
    ] = None,
    model_map: Annotated[
        list[str] | None,
        typer.Option(
            "--model-map",
            metavar="OLD=NEW",
            help="Rewrite the model id OLD to NEW in model=/model_name= arguments of OpenAI calls and "
            "framework constructors (repeatable; wins over [tool.migrate.model_map] and the preset's "
            "map). OpenAI ids left unmapped are listed for review. Example: --model-map gpt-4o=mira",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="CODE",
            help="Run only these rules (repeatable, or comma-separated; `migrate rules` lists the codes). "
            "Example: --only MC001,MC004",
            rich_help_panel=RULES_PANEL,
            show_default=False,
        ),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip",
            metavar="CODE",
            help="Do not run these rules (repeatable, or comma-separated; wins over --only). Example: --skip MC004",
            rich_help_panel=RULES_PANEL,
            show_default=False,
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Show each change (file:line and its diff) and ask: y apply, n skip, a/d apply/skip the rest "
            "of the file, A apply everything left, q quit, ? help. Only accepted changes are written. "
            "Needs a terminal; not with --dry-run/--check/--json.",
            rich_help_panel=OUTPUT_PANEL,
        ),
    ] = False,
    jobs: Annotated[
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
    ] = None,
) -> None:
    """Point every OpenAI client in PATH... at the target provider.

    Rewrites OpenAI(...), AsyncOpenAI(...), openai.Client(...) and module-level openai.api_key /
    base_url settings so they use the target's base URL and read its API key from its env var.
    Sites it cannot rewrite safely (a proxy URL, a key from a variable) are listed for review;
    hard-coded keys are replaced by an env lookup and never printed. Comments and formatting
    are kept; writes are atomic and keep encoding, newlines and file mode.

    Directories are walked respecting .gitignore; .git, virtualenvs, site-packages,
    node_modules, __pycache__, .ipynb_checkpoints, build, dist, .tox, .nox and *.egg-info are
    skipped. A file named on the command line is always processed (a FIFO, socket or device is
    listed as skipped, never opened). Files that cannot contain a client are never parsed. Files
    that do not parse are listed and left untouched; the rest are rewritten. Syntax newer than
    this Python's (PEP 701 f-strings, PEP 695 type parameters) is read too.

    Notebooks (*.ipynb) are rewritten cell by cell, their cells analysed together as one
    namespace; cells with IPython magics or shell lines are skipped (and listed when they mention
    OpenAI); outputs and the JSON layout are kept byte for byte. Their places read
    nb.ipynb:cell 3:2 (cell 3 from the top, line 2 of it). A notebook whose kernel runs another
    language (C#, R, ...) is skipped. Env files: see --env-files.

    The human summary goes to stderr; diffs (--dry-run) and --json go to stdout.

    Exit codes: 0 done; 1 --check found changes pending; 2 bad usage, or some files could not
    be read or parsed; 3 a write failed or migrate hit an internal error; 130 interrupted (the
    first Ctrl-C finishes the files in hand and reports what was written, a second stops at once);
    141 stdout was closed by its reader.

    Examples:

    \b
      migrate rewrite ./src --dry-run              preview the change as a diff
      migrate rewrite ./src                        rewrite in place (target: vmira)
      migrate rewrite app.py --provider together   target another preset
      migrate rewrite . --base-url http://localhost:8000/v1 --api-key-env LOCAL_KEY
      migrate rewrite . --check                    in CI: fail while changes are pending
      migrate rewrite . --json --dry-run > report.json
      migrate rewrite . --exclude 'tests/**' --include '*.pyw'
      migrate rewrite . --model-map gpt-4o=mira --model-map gpt-4o-mini=mira
      migrate rewrite . --env-files --dry-run      also .env files (values masked)
      migrate rewrite . --only MC001,MC002 --skip MC004
      migrate rewrite src --interactive            review and pick each change
    """
    from migrate_cli.config import load_project_config, parse_model_map, resolve_target
    from migrate_cli.console import say_interrupted, stderr, stdout
    from migrate_cli.rewrite.files import DEFAULT_INCLUDE, ENV_FILE_GLOBS, Discovery, FileFilter, discover, is_env_file
    from migrate_cli.rewrite.model import RewriteSettings
    from migrate_cli.rewrite.report import Mode, render_diffs, render_json, render_summary, to_json
    from migrate_cli.rewrite.rules import RULES
    from migrate_cli.rewrite.runner import default_jobs, run_rewrite
    from migrate_cli.rewrite.selection import select_rules
    from migrate_cli.rewrite.stopping import Interrupts

    if interactive:
        _check_interactive(dry_run=dry_run, check=check, json_output=json_output)
    selection = select_rules(only, skip, RULES)
    config = load_project_config()
    target = resolve_target(
        config,
        provider=provider,
        base_url=base_url,
        api_key_env=api_key_env,
        model_map=parse_model_map(model_map or ()),
    )
    _refuse_credentials_in_url(target)
    if env_files is None:  # an env file named on the command line asks for env files
        env_files = bool(config.get("env_files", False)) or any(is_env_file(p) for p in paths)
    env_globs = ENV_FILE_GLOBS if env_files else ()
    file_filter = FileFilter(
        include=(*DEFAULT_INCLUDE, *env_globs, *_globs(config, "include"), *(include or ())),
        exclude=(*_globs(config, "exclude"), *(exclude or ())),
        unignore=env_globs,
    )
    mode = Mode(dry_run=dry_run, check=check)

    for note in selection.notes:
        stderr().print(f"note: {note}", markup=False, highlight=False)

    settings = RewriteSettings(target=target, only=selection.only, skip=selection.skip, env_files=env_files)
    interrupts = Interrupts()
    with interrupts.installed():  # Ctrl-C: see stopping.py
        try:
            discovery = discover(paths, file_filter)
        except KeyboardInterrupt:  # a second Ctrl-C while listing: nothing was written
            discovery = Discovery(files=())
        run = run_rewrite(
            discovery.files,
            settings,
            write=mode.writes and not interactive,  # --interactive: computed first, written as accepted
            jobs=jobs or default_jobs(),
            listing_errors=discovery.errors,
            skipped=discovery.skipped,
            stop=interrupts,
        )
        if interactive and not run.interrupted:
            from migrate_cli.rewrite.interactive import review_run

            stdout().print(f"Target: {target.describe()}", markup=False, highlight=False)
            with interrupts.default_handling():  # Ctrl-C stops the questions at once
                run = review_run(run, settings, stdout())

        interrupts.reporting = True  # from here on Ctrl-C cannot cut the report short
        if json_output:
            render_json(stdout(), to_json(target, run, mode))
            if run.interrupted:
                say_interrupted()
        else:
            if dry_run:
                render_diffs(stdout(), run)
            render_summary(stderr(), target, run, mode)
        code = run.exit_code(check=check)
        if code:
            raise typer.Exit(int(code))


def _check_interactive(*, dry_run: bool, check: bool, json_output: bool) -> None:
    """--interactive asks on a terminal before writing: it needs one, and clashes with modes that never write."""
    import sys

    clashing = [flag for flag, on in (("--dry-run", dry_run), ("--check", check), ("--json", json_output)) if on]
    if clashing:
        raise UsageError(
            f"--interactive cannot be combined with {' or '.join(clashing)}",
            hint="--interactive asks before each write; --dry-run, --check and --json write nothing",
        )
    if not sys.stdin.isatty():
        raise UsageError(
            "--interactive needs a terminal to ask on, and standard input is not one",
            hint="run it in a terminal, or preview the change with --dry-run",
        )


def _globs(config: ProjectConfig, key: str) -> tuple[str, ...]:
    """`include`/`exclude` from [tool.migrate]: defaults that the flags extend."""
    values = config.get(key) or []
    if not all(isinstance(v, str) for v in values):
        raise UsageError(f"{config.label}: '{key}' must be a list of glob strings")
    return tuple(values)


def _refuse_credentials_in_url(target: Target) -> None:
    """The target's URL is written into the code: a password in it would be committed with it."""
    from migrate_cli.redact import redact, url_passwords

    if url_passwords(target.base_url):
        raise UsageError(
            f"the target URL {redact(target.base_url)} carries a password, which the rewrite would write into "
            "your code",
            hint=f"give the URL without credentials; the key goes in ${target.api_key_env}",
        )
