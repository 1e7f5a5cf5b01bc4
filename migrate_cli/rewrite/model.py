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
    #: `--env-files`: also note which OpenAI URL env vars the code reads (`UrlEnvRead`), which the
    #: env-file rewrite needs to decide whether to point them at the target.
    env_files: bool = False

    def enabled(self, code: str) -> bool:
        return (self.only is None or code in self.only) and code not in self.skip


@dataclass(frozen=True)
class Change:
    """One edit the rewrite made."""

    rule: str
    line: int
    message: str
    #: In a notebook: the cell (1-based, every cell counted) that `line` counts within.
    cell: int | None = None


@dataclass(frozen=True)
class ReviewItem:
    """A site the rewrite saw but could not rewrite safely: a person has to look."""

    rule: str
    line: int
    reason: str
    #: In a notebook: the cell (1-based, every cell counted) that `line` counts within.
    cell: int | None = None


@dataclass(frozen=True)
class SecurityFinding:
    """A hard-coded credential. The message never contains the value."""

    rule: str
    line: int
    message: str
    #: In a notebook: the cell (1-based, every cell counted) that `line` counts within.
    cell: int | None = None


@dataclass(frozen=True)
class UrlEnvRead:
    """A read of OPENAI_BASE_URL / OPENAI_API_BASE in a file's code, before or after its rewrite."""

    var: str
    line: int
    #: False: in the code as it was (the rewrite may have replaced it); True: still in the new code.
    after: bool
    cell: int | None = None


@dataclass(frozen=True)
class SourceResult:
    code: str
    changes: tuple[Change, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    security: tuple[SecurityFinding, ...] = ()
    #: Literal values (hard-coded keys) that must be redacted from anything shown. Never serialised.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    changed: bool = False


#: A file whose expressions nest deeper than Python's parser (or our analysis of its tree) can go.
TOO_DEEP = "cannot parse: the code nests too deeply for Python's parser"


class SourceError(Exception):
    """The source could not be parsed; the file is reported and left byte-identical."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


FileStatus = Literal["changed", "unchanged", "error", "skipped"]


@dataclass(frozen=True)
class Skip:
    """Why a file was passed over without being rewritten or failing (status "skipped")."""

    reason: str
    #: False: said in --json only (a notebook in another language is no news to its owner).
    listed: bool = True


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
    #: Only with `RewriteSettings.env_files`: the URL env vars the code read and still reads.
    url_env_reads: tuple[UrlEnvRead, ...] = ()
    #: With status "skipped": why.
    skipped: Skip | None = None
