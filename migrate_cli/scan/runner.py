"""Scan many files: read, pre-filter, scan; in worker processes when enough files pass the filter.

The same steps and thresholds as the rewrite's runner (rewrite/runner.py), minus everything that
writes: files whose bytes cannot hold a client (the rewrite's byte pre-filter) are never parsed; a
file that cannot be read, decoded or parsed is listed with its error and never stops the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from migrate_cli.config import ProjectConfig, Target
from migrate_cli.errors import UsageError
from migrate_cli.redact import redact
from migrate_cli.scan.engine_api import (
    DEFAULT_INCLUDE,
    MIN_FILES_FOR_POOL,
    REWRITE_BATCH,
    TOO_DEEP,
    FileFilter,
    Interrupts,
    NotebookFormatError,
    NotRegularFileError,
    Pool,
    SourceDecodeError,
    SourceError,
    decode_source,
    default_jobs,
    discover,
    might_contain_client,
    read_file,
)
from migrate_cli.scan.records import FileScan, ScanResult
from migrate_cli.scan.source import scan_notebook, scan_source


@dataclass(frozen=True)
class ScanTask:
    """Picklable per-file work (a worker runs it for each path)."""

    target: Target

    def __call__(self, path: str) -> FileScan:
        return scan_file(path, self.target)


def scan_paths(
    paths: Sequence[str],
    target: Target,
    config: ProjectConfig,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    jobs: int | None = None,
) -> ScanResult:
    """Discover the files as `migrate rewrite` does (.gitignore, skipped folders, `include` and
    `exclude` from [tool.migrate] extended by the flags) and scan them. UsageError for a missing PATH."""
    file_filter = FileFilter(
        include=(*DEFAULT_INCLUDE, *_globs(config, "include"), *include),
        exclude=(*_globs(config, "exclude"), *exclude),
    )
    discovery = discover(paths, file_filter)
    # Ctrl-C is Python's KeyboardInterrupt here (exit 130): half an inventory must not read as whole.
    result = run_scan(discovery.files, target, jobs=jobs or default_jobs(), skipped=discovery.skipped)
    errors = tuple(FileScan(path, error=message) for path, message in discovery.errors)
    return replace(result, files=errors + result.files) if errors else result


def _globs(config: ProjectConfig, key: str) -> tuple[str, ...]:
    values = config.get(key) or []
    if not all(isinstance(v, str) for v in values):
        raise UsageError(f"{config.label}: '{key}' must be a list of glob strings")
    return tuple(values)


def run_scan(
    paths: Sequence[str],
    target: Target,
    *,
    jobs: int = 1,
    skipped: Sequence[tuple[str, str]] = (),
    stop: Interrupts | None = None,
) -> ScanResult:
    """Scan `paths` (discovery's list); results in the same order."""
    stop = stop or Interrupts()
    results: dict[str, FileScan] = {}
    not_files = list(skipped)
    candidates = []
    for path in paths:
        try:
            data = read_file(path)
        except NotRegularFileError as exc:
            not_files.append((path, str(exc)))
            continue
        except OSError as exc:
            results[path] = FileScan(path, error=f"cannot read: {exc.strerror or exc}")
            continue
        if might_contain_client(data):
            candidates.append(path)
    # A plain dict model map: the Target's read-only mapping proxy cannot be pickled for workers.
    task = ScanTask(replace(target, model_map=dict(target.model_map)))
    if jobs > 1 and len(candidates) >= MIN_FILES_FOR_POOL:
        pool: Pool[FileScan] = Pool(task, jobs, stop)
        pool.run(candidates, REWRITE_BATCH, lambda scanned: results.__setitem__(scanned.path, scanned))
    else:
        for path in candidates:
            results[path] = task(path)
    ordered = tuple(results[p] for p in paths if p in results)
    return ScanResult(ordered, files_scanned=len(paths) - len(not_files) + len(skipped), skipped=tuple(not_files))


def scan_file(path: str, target: Target) -> FileScan:
    """One file; a problem with it becomes its error entry (redacted: a parser message can quote a line)."""
    try:
        data = read_file(path)
        if path.endswith(".ipynb"):
            text = data.decode("utf-8-sig")
            found = scan_notebook(text, target)
        else:
            found = scan_source(decode_source(data).text, target)
    except OSError as exc:
        return FileScan(path, error=f"cannot read: {exc.strerror or exc}")
    except (SourceDecodeError, UnicodeDecodeError) as exc:
        return FileScan(path, error=redact(f"cannot decode: {exc}"))
    except SourceError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        return FileScan(path, error=redact(f"{exc.message}{where}"))
    except NotebookFormatError as exc:
        return FileScan(path, error=redact(str(exc)))
    except (RecursionError, MemoryError):
        return FileScan(path, error=TOO_DEEP)
    return FileScan(path, found.calls, found.clients)
