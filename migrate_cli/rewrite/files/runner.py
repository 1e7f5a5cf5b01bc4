"""Run the rewrite over many files: read, pre-filter, rewrite, diff, write — in parallel when it pays.

One file's failure never stops the run: it becomes an error entry for that file and the file is
left byte-identical. Workers send back `FileResult`s only, whose diffs are already redacted, so a
hard-coded key never crosses the process boundary.

A small tree is pre-filtered in this process (most files fail the cheap byte search, and then
there is nothing worth starting workers for); a pool is started only when enough files pass. A big
tree goes to the pool whole: workers read, pre-filter and rewrite their share.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from migrate_cli.errors import ExitCode
from migrate_cli.rewrite import engine
from migrate_cli.rewrite.analysis.url_env_reads import before_and_after
from migrate_cli.rewrite.diff import unified_diff
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.envfiles import UrlReaders
from migrate_cli.rewrite.files.outcomes import (
    Failure,
    Outcome,
    error_outcome,
    read_error,
    redacted_findings,
    skipped_outcome,
    write_file,
)
from migrate_cli.rewrite.files.pool import Pool
from migrate_cli.rewrite.files.special_files import process_special
from migrate_cli.rewrite.files.stopping import Interrupts, caused_by_interrupt, logging_writes
from migrate_cli.rewrite.model import (
    TOO_DEEP,
    FileResult,
    RewriteSettings,
    SourceError,
)

# Below this many files that pass the pre-filter, starting worker processes costs more than it
# saves (see benchmarks/rewrite_bench.py for the figures behind it).
MIN_FILES_FOR_POOL = 16
# From this many files on, workers also read and pre-filter: even a cheap byte search over a
# big tree (the standard library is 32 MB) is worth splitting across cores.
MIN_FILES_TO_SHARE_PREFILTER = 256
# Paths per task sent to a worker: enough to amortise the round trip between processes (well
# under a millisecond), few enough that the last batches keep every worker busy to the end.
# Files that reach the rewrite cost milliseconds; most files of a big tree only a pre-filter.
REWRITE_BATCH = 4
PREFILTER_BATCH = 16


@dataclass(frozen=True)
class RunResult:
    outcomes: tuple[Outcome, ...]
    #: True when nothing was written (--dry-run / --check).
    dry: bool
    #: What the run's code reads of the OpenAI URL env vars; env files were rewritten with it.
    url_readers: UrlReaders | None = None
    #: Ctrl-C ended the run early: `outcomes` holds the files it finished (every file it wrote).
    interrupted: bool = False
    #: With `interrupted`: how many of the files to process it never got to.
    not_reached: int = 0

    @property
    def results(self) -> tuple[FileResult, ...]:
        return tuple(o.result for o in self.outcomes)

    def exit_code(self, *, check: bool) -> ExitCode:
        """An interruption (130) first, then the worst outcome: a bug or a failed write (3), bad
        input (2), pending changes under --check (1), else 0."""
        if self.interrupted:
            return ExitCode.INTERRUPTED
        failures = {o.failure for o in self.outcomes if o.failure is not None}
        if failures & {Failure.INTERNAL, Failure.WRITE}:
            return ExitCode.FAILURE
        if Failure.INPUT in failures:
            return ExitCode.USAGE
        if check and any(o.result.status == "changed" for o in self.outcomes):
            return ExitCode.CHANGES
        return ExitCode.OK


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not the machine's
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def run_rewrite(
    paths: Sequence[str],
    settings: RewriteSettings,
    *,
    write: bool,
    jobs: int = 1,
    listing_errors: Iterable[tuple[str, str]] = (),
    skipped: Iterable[tuple[str, str]] = (),
    stop: Interrupts | None = None,
) -> RunResult:
    """Rewrite `paths` (in the given order; results come back in the same order).

    `stop` is the command's Ctrl-C handling (stopping.py): after the first Ctrl-C no new file is
    started and the run returns what it did, marked interrupted; a second one ends it at once.
    """
    # Imported before any worker is forked, so workers start with the engine (and parser) loaded.
    stop = stop or Interrupts()  # not installed: never signalled
    # Env files go last, in this process: whether a URL line moves depends on what all the code read.
    given, env_paths = paths, [p for p in paths if files.is_env_file(p)]
    if env_paths:
        paths = [p for p in paths if not files.is_env_file(p)]

    outcomes: dict[str, Outcome] = {
        path: Outcome(FileResult(path, "error", error=message), Failure.INPUT) for path, message in listing_errors
    }
    outcomes.update((path, skipped_outcome(path, why)) for path, why in skipped)
    task = _Task(settings, write)
    written: list[str] = []
    cut_short = False
    try:
        with logging_writes(written.append):
            _run_code_files(task, list(paths), jobs, stop, outcomes, written)
    except KeyboardInterrupt:  # the second Ctrl-C: every write was finished and logged first
        cut_short = True
    except Exception as exc:
        if not caused_by_interrupt(exc):
            raise
        cut_short = True
    interrupted = cut_short or stop.requested
    for path in written:  # written, but stopped before its result came back
        if path not in outcomes:
            outcomes[path] = Outcome(FileResult(path, "changed"))
    readers = None
    if env_paths and not interrupted:
        readers = UrlReaders.of(o.result for o in outcomes.values())
        env_task = _Task(settings, write, readers)
        for path in env_paths:
            outcomes[path] = env_task(path)

    order = {path: i for i, path in enumerate(given)}
    ranked = sorted(outcomes.values(), key=lambda o: (order.get(o.result.path, -1), o.result.path))
    return RunResult(
        outcomes=tuple(ranked),
        dry=not write,
        url_readers=readers,
        interrupted=interrupted,
        not_reached=len(set(given) - outcomes.keys()) if interrupted else 0,
    )


def _run_code_files(
    task: _Task, paths: list[str], jobs: int, stop: Interrupts, outcomes: dict[str, Outcome], written: list[str]
) -> None:
    """Every file but env files: pre-filter, rewrite, write; outcomes as they come."""

    def collect(outcome: Outcome) -> None:
        outcomes[outcome.result.path] = outcome

    if jobs > 1 and len(paths) >= MIN_FILES_TO_SHARE_PREFILTER:
        # A big tree: reading and pre-filtering it is itself worth splitting across workers.
        _in_pool(task, paths, jobs, PREFILTER_BATCH, stop, collect, written)
        return
    candidates = []
    for path in paths:
        if stop.requested:
            return
        try:
            data = files.read_file(path)
        except OSError as exc:
            collect(read_error(path, exc))
            continue
        if engine.might_contain_client(data):
            candidates.append(path)
        else:
            collect(Outcome(FileResult(path, "unchanged")))
    if jobs > 1 and len(candidates) >= MIN_FILES_FOR_POOL:
        _in_pool(task, candidates, jobs, REWRITE_BATCH, stop, collect, written)
        return
    for path in candidates:
        if stop.requested:
            return
        collect(task(path))


def _in_pool(
    task: _Task,
    paths: list[str],
    jobs: int,
    batch: int,
    stop: Interrupts,
    collect: Callable[[Outcome], None],
    written: list[str],
) -> None:
    pool: Pool[Outcome] = Pool(task.picklable(), jobs, stop)
    try:
        pool.run(paths, batch, collect)
    finally:
        written.extend(pool.written)


@dataclass(frozen=True)
class _Task:
    """Picklable per-file work: what a worker runs for each path."""

    settings: RewriteSettings
    write: bool
    url_readers: UrlReaders | None = None

    def picklable(self) -> _Task:
        """The same task with plain dicts: the Target's read-only mapping proxy cannot be pickled."""
        target = replace(self.settings.target, model_map=dict(self.settings.target.model_map))
        return replace(self, settings=replace(self.settings, target=target))

    def __call__(self, path: str) -> Outcome:
        try:
            return process_file(path, self.settings, write=self.write, url_readers=self.url_readers)
        except Exception as exc:
            if caused_by_interrupt(exc):  # a Ctrl-C in disguise: stop the run, do not blame the file
                raise KeyboardInterrupt from exc
            return error_outcome(path, f"internal error: {type(exc).__name__}: {exc}", Failure.INTERNAL)


def process_file(
    path: str, settings: RewriteSettings, *, write: bool, url_readers: UrlReaders | None = None
) -> Outcome:
    """Read, pre-filter, rewrite, diff and (unless `write` is False) write one file.

    Never raises for a problem with the file: that becomes the file's error entry. Notebooks and
    env files go to special_files.py; an env file's URL lines move only with `url_readers`.
    """
    try:
        data = files.read_file(path)
    except OSError as exc:
        return read_error(path, exc)
    if not engine.might_contain_client(data):
        return Outcome(FileResult(path, "unchanged"))
    if path.endswith(".ipynb") or files.is_env_file(path):
        return process_special(path, data, settings, write=write, url_readers=url_readers)
    try:
        source = files.decode_source(data)
    except files.SourceDecodeError as exc:
        return error_outcome(path, f"cannot decode: {exc}", Failure.INPUT)
    try:
        result = engine.rewrite_source(source.text, settings)
    except SourceError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return error_outcome(path, f"{exc.message}{where}", Failure.INPUT)
    except (RecursionError, MemoryError):  # past the parser, in the analysis of a deep tree
        return error_outcome(path, TOO_DEEP, Failure.INPUT)

    secrets, findings = redacted_findings(result, settings)
    if settings.env_files:
        findings["url_env_reads"] = before_and_after(source.text, result.code)
    if not result.changed or result.code == source.text:
        return Outcome(FileResult(path, "unchanged", **findings))

    try:
        new_data = files.encode_source(result.code, source.encoding)
        if files.encode_source(source.text, source.encoding) != data:
            raise files.SourceDecodeError(
                f"{source.encoding} does not re-encode this file byte for byte; not rewriting it"
            )
    except files.SourceDecodeError as exc:
        return error_outcome(path, f"cannot encode: {exc}", Failure.INPUT)

    diff = unified_diff(path, source.text, result.code, secrets)
    failed = write_file(path, new_data, data, write)
    if failed is not None:
        return failed
    return Outcome(FileResult(path, "changed", diff=diff, **findings))
