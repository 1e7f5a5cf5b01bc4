"""Run the rewrite over many files: read, pre-filter, rewrite, diff, write — in parallel when it pays.

One file's failure never stops the run: it becomes an error entry for that file and the file is
left byte-identical. Workers send back `FileResult`s only, whose diffs are already redacted, so a
hard-coded key never crosses the process boundary.

A small tree is pre-filtered in this process (most files fail the cheap byte search, and then
there is nothing worth starting workers for); a pool is started only when enough files pass. A big
tree goes to the pool whole: workers read, pre-filter and rewrite their share.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

from migrate_cli.errors import ExitCode
from migrate_cli.redact import env_secrets, redact
from migrate_cli.rewrite import files
from migrate_cli.rewrite.diff import unified_diff
from migrate_cli.rewrite.model import FileResult, RewriteSettings, SourceError

if TYPE_CHECKING:
    from migrate_cli.rewrite.envfiles import UrlReaders

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

# The env vars whose values must never appear in anything we show, whatever the target.
_SECRET_ENV_NAMES = ("OPENAI_API_KEY",)


class Failure(str, Enum):
    """Why a file ended in error; decides the exit code (see `RunResult.exit_code`)."""

    #: The file could not be read, decoded or parsed: bad input.
    INPUT = "input"
    #: The rewritten file could not be written (permissions, disk, changed under us).
    WRITE = "write"
    #: The engine raised something unexpected: a bug in migrate.
    INTERNAL = "internal"


@dataclass(frozen=True)
class Outcome:
    result: FileResult
    failure: Failure | None = None


@dataclass(frozen=True)
class RunResult:
    outcomes: tuple[Outcome, ...]
    #: True when nothing was written (--dry-run / --check).
    dry: bool
    #: What the run's code reads of the OpenAI URL env vars; env files were rewritten with it.
    url_readers: UrlReaders | None = None

    @property
    def results(self) -> tuple[FileResult, ...]:
        return tuple(o.result for o in self.outcomes)

    def exit_code(self, *, check: bool) -> ExitCode:
        """Worst outcome first: a bug or a failed write (3), then bad input (2), then pending
        changes under --check (1), else 0. An interruption (130) never gets here."""
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
) -> RunResult:
    """Rewrite `paths` (in the given order; results come back in the same order)."""
    # Imported before any worker is forked, so workers start with the engine (and parser) loaded.
    from migrate_cli.rewrite.engine import might_contain_client
    from migrate_cli.rewrite.envfiles import UrlReaders

    # Env files go last, in this process: whether a URL line moves depends on what all the code read.
    given, env_paths = paths, [p for p in paths if files.is_env_file(p)]
    if env_paths:
        paths = [p for p in paths if not files.is_env_file(p)]

    outcomes: dict[str, Outcome] = {
        path: Outcome(FileResult(path, "error", error=message), Failure.INPUT) for path, message in listing_errors
    }
    task = _Task(settings, write)
    if jobs > 1 and len(paths) >= MIN_FILES_TO_SHARE_PREFILTER:
        # A big tree: reading and pre-filtering it is itself worth splitting across workers.
        done: Iterable[Outcome] = _in_pool(task, list(paths), jobs, PREFILTER_BATCH)
    else:
        candidates = []
        for path in paths:
            try:
                data, _ = files.read_file(path)
            except OSError as exc:
                outcomes[path] = _error(path, f"cannot read: {exc.strerror or exc}", Failure.INPUT)
                continue
            if might_contain_client(data):
                candidates.append(path)
            else:
                outcomes[path] = Outcome(FileResult(path, "unchanged"))
        if jobs > 1 and len(candidates) >= MIN_FILES_FOR_POOL:
            done = _in_pool(task, candidates, jobs, REWRITE_BATCH)
        else:
            done = map(task, candidates)
    for outcome in done:
        outcomes[outcome.result.path] = outcome
    readers = None
    if env_paths:
        readers = UrlReaders.of(o.result for o in outcomes.values())
        env_task = _Task(settings, write, readers)
        for path in env_paths:
            outcomes[path] = env_task(path)

    order = {path: i for i, path in enumerate(given)}
    ranked = sorted(outcomes.values(), key=lambda o: (order.get(o.result.path, -1), o.result.path))
    return RunResult(outcomes=tuple(ranked), dry=not write, url_readers=readers)


def _in_pool(task: _Task, paths: list[str], jobs: int, batch: int) -> list[Outcome]:
    # libcst is imported lazily (a run with nothing to change never needs it), but forked workers
    # share what the parent imported: importing it once here beats once per worker (measured:
    # about 1 s of worker CPU saved on benchmark 1).
    import migrate_cli.rewrite.splice  # noqa: F401

    executor = ProcessPoolExecutor(
        max_workers=min(jobs, -(-len(paths) // batch)),
        mp_context=_mp_context(),
        initializer=_worker_init,
        initargs=(task.picklable(),),
    )
    # Forked workers share the parent's memory until they write to it; the garbage collector
    # would write to every inherited object on its first pass. Frozen objects it leaves alone.
    # (Under fork the workers start at the first submit, so the freeze covers their start.)
    gc.freeze()
    try:
        futures = [
            executor.submit(_run_in_worker, paths[start : start + batch]) for start in range(0, len(paths), batch)
        ]
        gc.unfreeze()
        return [outcome for future in futures for outcome in future.result()]
    except BaseException:
        # Ctrl-C (or a bug): workers ignore SIGINT and finish the file in hand (each write is
        # atomic); queued batches are dropped. The CLI turns the interrupt into exit code 130.
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        gc.unfreeze()
        executor.shutdown(wait=True)


def _mp_context():  # type: ignore[no-untyped-def]
    import multiprocessing

    # fork starts a worker in about a millisecond with the engine already imported. It is unsafe
    # on macOS (system frameworks) and absent on Windows, where the platform default is used.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


# The task a worker runs, set once per worker by its initializer instead of being pickled again
# with every chunk of paths.
_worker_task: _Task | None = None


def _worker_init(task: _Task) -> None:
    global _worker_task
    # Ctrl-C is the parent's to handle; a worker killed mid-file would only lose time.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_task = task
    # Under spawn, pay the engine's import once per worker, before the first file arrives.
    import migrate_cli.rewrite.engine  # noqa: F401


def _run_in_worker(paths: list[str]) -> list[Outcome]:
    assert _worker_task is not None, "worker used before its initializer ran"
    return [_worker_task(path) for path in paths]


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
            return _error(path, f"internal error: {type(exc).__name__}: {exc}", Failure.INTERNAL)


def process_file(
    path: str, settings: RewriteSettings, *, write: bool, url_readers: UrlReaders | None = None
) -> Outcome:
    """Read, pre-filter, rewrite, diff and (unless `write` is False) write one file.

    Never raises for a problem with the file: that becomes the file's error entry. Notebooks and
    env files go to special_files.py; an env file's URL lines move only with `url_readers`.
    """
    from migrate_cli.rewrite.engine import might_contain_client, rewrite_source

    try:
        data, stamp = files.read_file(path)
    except OSError as exc:
        return _error(path, f"cannot read: {exc.strerror or exc}", Failure.INPUT)
    if not might_contain_client(data):
        return Outcome(FileResult(path, "unchanged"))
    if path.endswith(".ipynb") or files.is_env_file(path):
        from migrate_cli.rewrite.special_files import process_special

        return process_special(path, data, stamp, settings, write=write, url_readers=url_readers)
    try:
        source = files.decode_source(data)
    except files.SourceDecodeError as exc:
        return _error(path, f"cannot decode: {exc}", Failure.INPUT)
    try:
        result = rewrite_source(source.text, settings)
    except SourceError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return _error(path, f"{exc.message}{where}", Failure.INPUT)
    except RecursionError:
        return _error(path, "cannot parse: the code is nested too deeply", Failure.INPUT)

    secrets, findings = redacted_findings(result, settings)
    if settings.env_files:
        from migrate_cli.rewrite.url_env_reads import before_and_after

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
        return _error(path, f"cannot encode: {exc}", Failure.INPUT)

    diff = unified_diff(path, source.text, result.code, secrets)
    failed = write_file(path, new_data, stamp, write)
    if failed is not None:
        return failed
    return Outcome(FileResult(path, "changed", diff=diff, **findings))


def write_file(path: str, data: bytes, stamp: files.Stamp, write: bool) -> Outcome | None:
    """Write `data` (unless `write` is False); the file's error outcome if that fails, else None."""
    if not write:
        return None
    try:
        files.write_atomic(path, data, expected=stamp)
    except files.FileChangedError as exc:
        return _error(path, str(exc), Failure.WRITE)
    except OSError as exc:
        return _error(path, f"cannot write: {exc.strerror or exc}", Failure.WRITE)
    return None


def redacted_findings(result, settings: RewriteSettings) -> tuple[tuple[str, ...], dict[str, tuple]]:  # type: ignore[no-untyped-def]
    """The values to redact for this file, and its changes/review/security entries with them redacted."""
    secrets = (*result.secrets, *env_secrets((settings.target.api_key_env, *_SECRET_ENV_NAMES)))
    findings = {
        "changes": tuple(_redacted(c, "message", secrets) for c in result.changes),
        "review": tuple(_redacted(r, "reason", secrets) for r in result.review),
        "security": tuple(_redacted(s, "message", secrets) for s in result.security),
    }
    return secrets, findings


def _redacted(item, attribute: str, secrets: Sequence[str]):  # type: ignore[no-untyped-def]
    """Engine messages should never hold a value; this makes sure of it before they leave."""
    text = getattr(item, attribute)
    clean = redact(text, secrets)
    return item if clean == text else replace(item, **{attribute: clean})


def _error(path: str, message: str, failure: Failure) -> Outcome:
    # One line per file in the report, however many lines an exception's message has; and parser
    # messages can quote the offending line, which can hold a key.
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    return Outcome(FileResult(path, "error", error=redact(one_line)), failure)
