"""`--resume RESULTS.jsonl`: the answers an interrupted run already paid for, found again.

The results file (outputs.ResultsLog) holds one JSON line per answer. An answer is reused when its
case id, side, repeat index and the exact request body match what this run would send; anything
else (a failed call, a changed prompt or model, a line cut off when the run was killed) is asked
again. Only the byte offset of each usable line is kept in memory, so resuming a 100,000-case run
costs a few megabytes, not the answers themselves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from migrate_cli.errors import UsageError
from migrate_cli.smoke.records import SIDES


def request_digest(request: Mapping[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResumeIndex:
    def __init__(self, path: Path, offsets: dict[tuple[str, str, int, str], int], skipped: int) -> None:
        self.path = path
        self._offsets = offsets
        #: Lines that could not be used (unparsable, failed calls).
        self.skipped = skipped
        self.reused = 0

    @property
    def answers(self) -> int:
        return len(self._offsets)

    @classmethod
    def load(cls, path: Path) -> ResumeIndex:
        offsets: dict[tuple[str, str, int, str], int] = {}
        skipped = 0
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise UsageError(f"--resume {path}: no such results file (write one with --results FILE)") from None
        except OSError as exc:
            raise UsageError(f"--resume {path}: cannot read ({exc.strerror})") from None
        with handle:
            offset = 0
            for raw in handle:
                key = _key_of(raw)
                if key is None:
                    skipped += bool(raw.strip())
                else:
                    offsets[key] = offset  # a later answer to the same request wins
                offset += len(raw)
        return cls(path, offsets, skipped)

    def get(self, case_id: str, side: str, repeat: int, request: Mapping[str, Any]) -> dict[str, Any] | None:
        offset = self._offsets.get((case_id, side, repeat, request_digest(request)))
        if offset is None:
            return None
        with open(self.path, "rb") as handle:
            handle.seek(offset)
            record = json.loads(handle.readline())
        self.reused += 1
        return record if isinstance(record, dict) else None


def _key_of(raw: bytes) -> tuple[str, str, int, str] | None:
    """The index key of a results line, or None when the line cannot be reused."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None  # e.g. the last line, cut off when the run was killed
    if not isinstance(record, dict) or record.get("error") is not None:
        return None
    side, request, repeat = record.get("side"), record.get("request"), record.get("repeat", 0)
    if side not in SIDES or not isinstance(request, dict) or not isinstance(repeat, int):
        return None
    return (str(record.get("case_id")), side, repeat, request_digest(request))
