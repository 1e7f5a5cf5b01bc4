"""What processing one file ends in: its `Outcome` (result and failure kind), the error entry, the
redacted findings, and the guarded write. Shared by the runner, the special files and --interactive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict, TypeVar

from migrate_cli.redact import env_secrets, redact
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.stopping import write_section
from migrate_cli.rewrite.model import (
    Change,
    FileResult,
    ReviewItem,
    RewriteSettings,
    SecurityFinding,
    Skip,
    SourceResult,
    UrlEnvRead,
)

if TYPE_CHECKING:
    from migrate_cli.rewrite.files.notebook import NotebookResult

Finding = TypeVar("Finding", Change, SecurityFinding)

# The env vars whose values must never appear in anything we show, whatever the target.
SECRET_ENV_NAMES = ("OPENAI_API_KEY",)


class Failure(StrEnum):
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


def write_file(path: str, data: bytes, original: bytes, write: bool) -> Outcome | None:
    """Write `data` over `original` (unless `write` is False); the file's error outcome if that
    fails (`original` is no longer what the file holds, say), else None."""
    if not write:
        return None
    try:
        with write_section(path):
            files.write_atomic(path, data, expected=original)
    except files.FileChangedError as exc:
        return error_outcome(path, str(exc), Failure.WRITE)
    except OSError as exc:
        return error_outcome(path, f"cannot write: {exc.strerror or exc}", Failure.WRITE)
    return None


class Findings(TypedDict, total=False):
    """What a file's `FileResult` says besides its status, as keyword arguments for it."""

    changes: tuple[Change, ...]
    review: tuple[ReviewItem, ...]
    security: tuple[SecurityFinding, ...]
    url_env_reads: tuple[UrlEnvRead, ...]


def redacted_findings(
    result: SourceResult | NotebookResult, settings: RewriteSettings
) -> tuple[tuple[str, ...], Findings]:
    """The values to redact for this file, and its changes/review/security entries with them redacted."""
    secrets = (*result.secrets, *env_secrets((settings.target.api_key_env, *SECRET_ENV_NAMES)))
    findings: Findings = {
        "changes": tuple(_redacted(c, secrets) for c in result.changes),
        "review": tuple(_redacted_review(r, secrets) for r in result.review),
        "security": tuple(_redacted(s, secrets) for s in result.security),
    }
    return secrets, findings


def _redacted(item: Finding, secrets: Sequence[str]) -> Finding:
    """Engine messages should never hold a value; this makes sure of it before they leave."""
    message = redact(item.message, secrets)
    return item if message == item.message else replace(item, message=message)


def _redacted_review(item: ReviewItem, secrets: Sequence[str]) -> ReviewItem:
    reason = redact(item.reason, secrets)
    return item if reason == item.reason else replace(item, reason=reason)


def read_error(path: str, exc: OSError) -> Outcome:
    if isinstance(exc, files.NotRegularFileError):
        return skipped_outcome(path, str(exc))
    return error_outcome(path, f"cannot read: {exc.strerror or exc}", Failure.INPUT)


def skipped_outcome(path: str, why: str) -> Outcome:
    return Outcome(FileResult(path, "skipped", skipped=Skip(why)))


def error_outcome(path: str, message: str, failure: Failure) -> Outcome:
    # One line per file in the report, however many lines an exception's message has; and parser
    # messages can quote the offending line, which can hold a key.
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    return Outcome(FileResult(path, "error", error=redact(one_line)), failure)
