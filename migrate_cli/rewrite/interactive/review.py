"""`migrate rewrite --interactive`: show each change of a dry run, ask, write only what was accepted.

The run is computed first without writing (runner.py, in parallel). Then, in this process, each
changed file is read again, rewritten again (the engine is pure, so the result is the same) and cut
into hunks (hunks.py, hunk_deps.py); each hunk is shown (file:line, what the rules did, the coloured
diff, secrets redacted) and asked about (choices.py). A file is written as soon as its last question
is answered, with only its accepted hunks applied to the original text, through the same atomic
write that keeps encoding, BOM, newlines and mode (files.py); a file edited while the questions were
open is left as it is now.

A file the engine's text rewrite does not reproduce (a notebook, an env file, or a file that changed
since the dry run) is asked about as a whole and, if accepted, rewritten by runner.process_file.
Env files come last: whether their OPENAI_BASE_URL line may move depends on what the code still
reads once the answers are in (a skipped client still reading $OPENAI_BASE_URL keeps it: moving it
would send that client's OpenAI key to the target), so they are rewritten with the reads of the
code as written, not as the dry run planned it.

Quitting (`q`, Ctrl-D) writes what was accepted, in the current file too, and skips the rest.
Ctrl-C stops at once: files already finished stay written, the current one is left untouched, and
the exit code is 130.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rich.console import Console
from rich.text import Text

from migrate_cli.escape import printable, shown_path
from migrate_cli.redact import env_secrets, redact
from migrate_cli.rewrite import engine
from migrate_cli.rewrite.analysis.url_env_reads import before_and_after
from migrate_cli.rewrite.diff import render_diff, unified_diff
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.envfiles import UrlReaders
from migrate_cli.rewrite.files.outcomes import SECRET_ENV_NAMES, Failure, Outcome
from migrate_cli.rewrite.files.runner import RunResult, process_file
from migrate_cli.rewrite.interactive.choices import (
    HELP,
    HUNK_KEYS,
    WHOLE_FILE_KEYS,
    Answer,
    Choice,
    choice_for,
    parse_answer,
    reviewed_result,
)
from migrate_cli.rewrite.interactive.hunk_deps import plan_hunks
from migrate_cli.rewrite.interactive.hunks import FileChanges, Hunk, compose_file, hunk_diff
from migrate_cli.rewrite.interactive.name_check import refusal
from migrate_cli.rewrite.model import FileResult, RewriteSettings, SourceError

#: Reads one answer line; None at end of input (Ctrl-D).
AskLine = Callable[[], "str | None"]


def read_stdin_line() -> str | None:
    line = sys.stdin.readline()
    return None if line == "" else line


@dataclass(frozen=True)
class _Prepared:
    """A changed Python file, read again and cut into hunks."""

    source: files.SourceText
    #: The bytes the hunks were computed from: the file is written only if it still holds them.
    original: bytes
    plan: FileChanges
    secrets: tuple[str, ...]


@dataclass
class _Walk:
    settings: RewriteSettings
    console: Console
    ask: AskLine
    #: What the run's code reads of the OpenAI URL env vars: env files are rewritten with it.
    url_readers: Any = None
    everything: bool = False
    stopped: bool = False
    written: list[str] = field(default_factory=list)
    accepted: int = 0
    skipped: int = 0


def review_run(
    run: RunResult, settings: RewriteSettings, console: Console, ask: AskLine = read_stdin_line
) -> RunResult:
    """Ask about every change of the dry `run`; write what is accepted; the run as it now stands."""
    walk = _Walk(settings, console, ask, url_readers=getattr(run, "url_readers", None))
    outcomes = list(run.outcomes)
    todo = [i for i, o in enumerate(outcomes) if o.result.status == "changed"]
    if walk.url_readers is not None:  # env files in the run: they go last (a stable sort)
        todo.sort(key=lambda i: files.is_env_file(outcomes[i].result.path))
    if not todo:
        console.print("Nothing to change.", markup=False)
    try:
        for number, index in enumerate(todo, 1):
            if walk.url_readers is not None and files.is_env_file(outcomes[index].result.path):
                walk.url_readers = UrlReaders.of(o.result for o in outcomes)  # the code as answered
            outcomes[index] = _review_file(walk, outcomes[index], f"[{number}/{len(todo)}]")
    except KeyboardInterrupt:
        console.print()
        if walk.written:
            console.print(
                f"Written before the interruption: {', '.join(map(shown_path, walk.written))}",
                markup=False,
                highlight=False,
            )
        raise
    if todo:
        console.print(
            Text(
                f"\nApplied {walk.accepted} of {walk.accepted + walk.skipped} changes; "
                f"{len(walk.written)} of {len(todo)} files written.",
                style="bold",
            )
        )
    return RunResult(outcomes=tuple(outcomes), dry=False)


def _review_file(walk: _Walk, outcome: Outcome, counter: str) -> Outcome:
    result = outcome.result
    prepared = _prepare(result, walk.settings)
    if prepared is None:
        return _review_whole_file(walk, outcome, counter)
    plan = prepared.plan
    accepted: list[Hunk] = []
    skipped: list[Hunk] = []
    rest: bool | None = None
    for number, hunk in enumerate(plan.hunks, 1):
        if walk.everything or rest is True:
            accepted.append(hunk)
            continue
        if walk.stopped or rest is False:
            skipped.append(hunk)
            continue
        _show_hunk(
            walk.console,
            result.path,
            prepared,
            hunk,
            plan.applied(accepted),
            f"{counter} change {number} of {len(plan.hunks)} in this file",
        )
        choice = _choose(walk, HUNK_KEYS, whole_file=False)
        (accepted if choice.accept else skipped).append(hunk)
        rest = choice.rest_of_file if choice.rest_of_file is not None else rest
        walk.everything |= choice.everything
        walk.stopped |= choice.stop
    return _write(walk, outcome, prepared, accepted, skipped)


def _prepare(result: FileResult, settings: RewriteSettings) -> _Prepared | None:
    """The file read and rewritten again; None when that does not give the diff the dry run showed."""
    try:
        data = files.read_file(result.path)
        source = files.decode_source(data)
        rewritten = engine.rewrite_source(source.text, settings)
    except (OSError, files.SourceDecodeError, SourceError, RecursionError):
        return None
    secrets = (*rewritten.secrets, *env_secrets((settings.target.api_key_env, *SECRET_ENV_NAMES)))
    if unified_diff(result.path, source.text, rewritten.code, secrets) != result.diff:
        return None
    target = settings.target
    plan = plan_hunks(source.text, rewritten.code, rewritten.changes, url=target.base_url, key_env=target.api_key_env)
    return _Prepared(source, data, plan, tuple(secrets))


def _show_hunk(
    console: Console, path: str, prepared: _Prepared, hunk: Hunk, applied: frozenset[int], where: str
) -> None:
    plan = prepared.plan
    console.print(Text.assemble((f"\n{shown_path(path)}:{plan.line_of(hunk)}", "bold"), (f"  {where}", "dim")))
    said = Counter((change.rule, redact(change.message, prepared.secrets)) for change in hunk.changes)
    for (rule, message), times in said.items():  # the same edit at several sites of one hunk: once
        console.print(
            Text.assemble((f"  {rule} ", "dim"), printable(message), (f" (x{times})" if times > 1 else "", "dim"))
        )
    if hunk.joined:
        console.print(Text(f"  {hunk.joined}", style="yellow"))
    pending = [i for i in hunk.needs if i not in applied]
    if pending:
        added = [line.strip() for i in pending for line in _new_lines(plan, i)]
        console.print(Text(f"  also adds {'; '.join(added)} (this change needs it)", style="yellow"))
    render_diff(console, redact(hunk_diff(plan, (*hunk.regions, *pending)), prepared.secrets))


def _new_lines(plan: FileChanges, index: int) -> Sequence[str]:
    region = plan.regions[index]
    return plan.new_lines[region.new_start : region.new_end]


def _choose(walk: _Walk, keys: str, *, whole_file: bool) -> Choice:
    question = "Apply the changes to this file" if whole_file else "Apply this change"
    while True:
        walk.console.print(Text(f"{question} [{keys}]? ", style="bold blue"), end="")
        walk.console.file.flush()
        line = walk.ask()
        if line is None:  # Ctrl-D: like q
            walk.console.print()
            return choice_for(Answer.QUIT)
        answer = parse_answer(line)
        if whole_file and answer in (Answer.FILE_YES, Answer.FILE_NO):
            answer = Answer.YES if answer is Answer.FILE_YES else Answer.NO
        if answer is not None and answer is not Answer.HELP:
            return choice_for(answer)
        if answer is None:
            walk.console.print(f"Unknown answer {line.strip()!r}.", markup=False, highlight=False)
        walk.console.print(HELP, markup=False, highlight=False)


def _write(walk: _Walk, outcome: Outcome, prepared: _Prepared, accepted: list[Hunk], skipped: list[Hunk]) -> Outcome:
    result, plan = outcome.result, prepared.plan
    walk.accepted += len(accepted)
    walk.skipped += len(skipped)
    if not accepted:
        return Outcome(
            _with_reads(walk, reviewed_result(result, [], skipped, ""), prepared.source.text, prepared.source.text)
        )
    applied = plan.applied(accepted)
    problem = refusal(plan, applied)
    if problem is not None:
        # The hunks were cut so that this cannot happen; if it does, the file is kept as it was.
        return _failed(
            walk,
            outcome,
            f"not written: {problem} (a bug in migrate's grouping of changes: please report it)",
            Failure.INTERNAL,
        )
    text = compose_file(plan, applied)
    try:
        data = files.encode_source(text, prepared.source.encoding)
        files.write_atomic(result.path, data, expected=prepared.original)
    except files.SourceDecodeError as exc:
        return _failed(walk, outcome, f"cannot encode: {exc}", Failure.INPUT)
    except files.FileChangedError:
        return _failed(walk, outcome, "changed on disk while the questions were open; left as it is now", Failure.WRITE)
    except OSError as exc:
        return _failed(walk, outcome, f"cannot write: {exc.strerror or exc}", Failure.WRITE)
    walk.written.append(result.path)
    walk.console.print(
        Text(f"wrote {shown_path(result.path)} ({len(accepted)} of {len(plan.hunks)} changes)", style="green")
    )
    diff = unified_diff(result.path, prepared.source.text, text, prepared.secrets)
    return Outcome(_with_reads(walk, reviewed_result(result, accepted, skipped, diff), prepared.source.text, text))


def _with_reads(walk: _Walk, result: FileResult, before: str, written: str) -> FileResult:
    """With env files in the run: the URL env vars the code read, and reads as written (not as planned)."""
    if walk.url_readers is None:
        return result
    return replace(result, url_env_reads=before_and_after(before, written))


def _failed(walk: _Walk, outcome: Outcome, message: str, failure: Failure) -> Outcome:
    walk.console.print(Text(f"{shown_path(outcome.result.path)}: {printable(message)}", style="red"))
    return Outcome(FileResult(outcome.result.path, "error", review=outcome.result.review, error=message), failure)


def _review_whole_file(walk: _Walk, outcome: Outcome, counter: str) -> Outcome:
    """A file whose changes cannot be cut into hunks here: one question, the runner writes it."""
    path = outcome.result.path

    def process(write: bool) -> Outcome:
        extra = {"url_readers": walk.url_readers} if walk.url_readers is not None else {}
        return process_file(path, walk.settings, write=write, **extra)

    fresh = process(False)
    if fresh.result.status != "changed":
        return fresh  # nothing to ask any more (or an error to report)
    as_one = [_as_hunk(fresh.result)]
    if walk.stopped or not (walk.everything or _ask_whole_file(walk, fresh.result, counter)):
        walk.skipped += 1
        skipped = reviewed_result(fresh.result, [], as_one, "")
        if walk.url_readers is not None:
            # Left as it was, the file still reads every URL env var it read before.
            before = tuple(r for r in skipped.url_env_reads if not r.after)
            skipped = replace(skipped, url_env_reads=(*before, *(replace(r, after=True) for r in before)))
        return Outcome(skipped)
    walk.accepted += 1
    if process(False).result.diff != fresh.result.diff:
        return _failed(walk, outcome, "changed on disk while the questions were open; left as it is now", Failure.WRITE)
    written = process(True)
    if written.result.status == "changed":
        walk.written.append(path)
        walk.console.print(Text(f"wrote {shown_path(path)}", style="green"))
    return written


def _ask_whole_file(walk: _Walk, result: FileResult, counter: str) -> bool:
    walk.console.print(
        Text.assemble(
            (f"\n{shown_path(result.path)}", "bold"), (f"  {counter} its changes are asked about together", "dim")
        )
    )
    for change in result.changes:
        walk.console.print(Text.assemble((f"  {change.rule} ", "dim"), printable(change.message)))
    render_diff(walk.console, result.diff)  # already redacted by the runner
    choice = _choose(walk, WHOLE_FILE_KEYS, whole_file=True)
    walk.everything |= choice.everything
    walk.stopped |= choice.stop
    return choice.accept


def _as_hunk(result: FileResult) -> Hunk:
    """A whole file's changes as one hunk, for the record of what was skipped."""
    return Hunk(
        regions=(),
        changes=result.changes,
        lines=frozenset(c.line for c in result.changes) | {s.line for s in result.security},
    )
