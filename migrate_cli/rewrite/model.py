"""Values the rewrite passes around: settings in, results out. No behaviour lives here.

`engine.rewrite_source()` turns source text into a `SourceResult`; `files.py`/`runner.py` wrap that
into one `FileResult` per file; the renderers (human summary, JSON, diffs) only read these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from migrate_cli.config import Target


@dataclass(frozen=True)
class RewriteSettings:
    target: Target
    #: Rule codes to run (`--only`); None means every rule.
    only: frozenset[str] | None = None
    #: Rule codes not to run (`--skip`).
    skip: frozenset[str] = frozenset()

    def enabled(self, code: str) -> bool:
        return (self.only is None or code in self.only) and code not in self.skip


@dataclass(frozen=True)
class Change:
    """One edit the rewrite made."""

    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class ReviewItem:
    """A site the rewrite saw but could not rewrite safely: a person has to look."""

    rule: str
    line: int
    reason: str


@dataclass(frozen=True)
class SecurityFinding:
    """A hard-coded credential. The message never contains the value."""

    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class SourceResult:
    code: str
    changes: tuple[Change, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    security: tuple[SecurityFinding, ...] = ()
    #: Literal values (hard-coded keys) that must be redacted from anything shown. Never serialised.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    changed: bool = False


class SourceError(Exception):
    """The source could not be parsed; the file is reported and left byte-identical."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


FileStatus = Literal["changed", "unchanged", "error"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file. `diff` is already redacted; secrets never leave the worker."""

    path: str
    status: FileStatus
    changes: tuple[Change, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    security: tuple[SecurityFinding, ...] = ()
    diff: str = ""
    error: str | None = None
