"""`--cache DIR`: successful answers stored in SQLite, so a second run of the same file asks nothing.

One file, `DIR/responses.sqlite3`, in WAL mode: two runs can share it (readers never block the
writer, a writer waits up to `BUSY_TIMEOUT_S` for the other), and a run killed mid-write leaves the
last committed answer intact (each answer is its own transaction). SQLite's `application_id` marks
the file as ours, so a foreign database or a damaged file is refused with one clear line instead of
being written over (https://www.sqlite.org/pragma.html#pragma_application_id).

The key is the SHA-256 of the canonical JSON (sorted keys, no spaces) of the base URL, the request
body exactly as sent (model included) and the answer's repeat index (--repeat asks N distinct
questions). The API key is not part of it and is never stored: values are passed through
`redact()` before they are written. Errors are never stored (runner.py only stores answers).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from migrate_cli.config import normalize_url
from migrate_cli.errors import ExitCode, MigrateError, UsageError
from migrate_cli.redact import redact

FILE_NAME = "responses.sqlite3"
#: "mgsc" (migrate smoke cache) as SQLite's application_id.
APPLICATION_ID = 0x6D677363
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
_SQLITE_HEADER = b"SQLite format 3\x00"


class CacheError(MigrateError):
    """The cache failed during the run (damaged file, disk full, locked too long)."""

    exit_code = ExitCode.FAILURE


def cache_key(base_url: str, request: Mapping[str, Any], repeat: int = 0) -> str:
    canonical = json.dumps(
        {"base_url": normalize_url(base_url), "request": request, "repeat": repeat},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, path: Path, connection: sqlite3.Connection, secrets: Sequence[str]) -> None:
        self.path = path
        self._db = connection
        self._secrets = list(secrets)
        self.hits = 0
        self.stored = 0

    @classmethod
    def open(cls, directory: Path, secrets: Sequence[str] = ()) -> ResponseCache:
        """Open (or create) the cache in `directory`; a foreign or damaged file is a UsageError."""
        if directory.exists() and not directory.is_dir():
            raise UsageError(f"--cache {directory}: is a file; the cache is a directory")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--cache {directory}: cannot create the directory ({exc.strerror})") from None
        path = directory / FILE_NAME
        _refuse_foreign_file(path)
        try:
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise UsageError(f"--cache {directory}: cannot open {path} ({exc})") from None
        try:
            _prepare(connection, path)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise UsageError(
                f"--cache {directory}: {path} is damaged or not a migrate response cache ({exc}); "
                "delete it to start a new cache, or choose another directory"
            ) from None
        return cls(path, connection, secrets)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            row = self._db.execute("SELECT answer FROM responses WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._failed("read", exc) from None
        if row is None:
            return None
        try:
            answer = json.loads(row[0])
        except ValueError:
            return None  # an unreadable entry is a miss: the answer is asked again and rewritten
        if not isinstance(answer, dict):
            return None
        self.hits += 1
        return answer

    def put(self, key: str, base_url: str, model: str, answer: Mapping[str, Any]) -> None:
        text = redact(json.dumps(answer, ensure_ascii=False, sort_keys=True), self._secrets)
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, base_url, model, answer, stored_at) "
                "VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (key, base_url, model, text),
            )
        except sqlite3.DatabaseError as exc:
            raise self._failed("write to", exc) from None
        self.stored += 1

    def close(self) -> None:
        self._db.close()

    def _failed(self, action: str, exc: sqlite3.DatabaseError) -> CacheError:
        return CacheError(
            f"cannot {action} the response cache {self.path} ({exc}): free disk space or close the other run "
            "holding it, or delete the file to start afresh; answers so far are in --results/--report"
        )


def _refuse_foreign_file(path: Path) -> None:
    """Read the first 16 bytes: anything but an SQLite header (or nothing) is not ours."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"--cache: cannot read {path} ({exc.strerror})") from None
    if header and header != _SQLITE_HEADER:
        raise UsageError(
            f"--cache: {path} is not an SQLite database, so not a migrate response cache: "
            "delete it or choose another --cache directory"
        )


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id != APPLICATION_ID and (application_id != 0 or tables):
        raise UsageError(
            f"--cache: {path} is an SQLite database of another program (tables: "
            f"{', '.join(sorted(tables)) or 'none'}), not a migrate response cache: choose another --cache directory"
        )
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if application_id == APPLICATION_ID and version != SCHEMA_VERSION:
        raise UsageError(
            f"--cache: {path} was written by a migrate with cache format {version}; this one reads "
            f"{SCHEMA_VERSION}: delete it or choose another --cache directory"
        )
    db.execute("PRAGMA journal_mode=WAL")
    # WAL with synchronous=NORMAL: each commit is atomic; a power cut may lose the last ones, never
    # corrupt the file (https://www.sqlite.org/wal.html).
    db.execute("PRAGMA synchronous=NORMAL")
    if application_id == 0:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, base_url TEXT NOT NULL, "
            "model TEXT NOT NULL, answer TEXT NOT NULL, stored_at TEXT NOT NULL)"
        )
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("COMMIT")
