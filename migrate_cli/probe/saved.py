"""Saved probes: the `--json` document on disk (`--save`), read back (`--compare`, `migrate plan
--probe`), and what changed between two of them.

A saved probe holds no key: the target is its URL and the NAME of its key variable, and every
evidence string was redacted before it got here.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate_cli.errors import ExitCode, MigrateError, UsageError
from migrate_cli.features import Verdict, is_verdict


class SaveError(MigrateError):
    """The probe ran (and was paid for) but its file could not be written."""

    exit_code = ExitCode.FAILURE


@dataclass(frozen=True)
class SavedVerdict:
    verdict: Verdict
    evidence: str


@dataclass(frozen=True)
class SavedProbe:
    path: Path
    target: Mapping[str, Any]
    model: str
    #: Feature name -> verdict, in the file's order. Names are kept as written, so a probe saved by
    #: a newer migrate with more features still loads.
    verdicts: Mapping[str, SavedVerdict]
    document: Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    feature: str
    #: None: the feature was not probed on that side.
    before: Verdict | None
    after: Verdict | None
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "before": self.before, "after": self.after, "evidence": self.evidence}


def check_save_path(path: Path) -> Path:
    """Refuse before anything is sent a file that cannot be written (missing folder, a directory)."""
    if path.is_dir():
        raise UsageError(f"--save {path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"--save {path}: the folder {path.parent} does not exist")
    return path


def save(path: Path, document: Mapping[str, Any]) -> None:
    """Atomically: a reader (or a crash) never sees half a file; an old file stays until replaced."""
    try:
        save_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise SaveError(f"cannot write the probe file {path}: {exc.strerror}") from None


def save_text(path: Path, text: str) -> None:
    """Write `text` through a temporary file next to `path` and a rename (OSError if that fails)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def load(path: Path) -> SavedProbe:
    """A file written by `migrate probe --save` (or its `--json` output); a user error if it is not one."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the saved probe {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"{path} is not a saved probe: invalid JSON ({exc})") from None
    return parse(document, path)


def parse(document: Any, path: Path) -> SavedProbe:
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise UsageError(f'{path} is not a saved probe: no "features" list (write one with migrate probe --save)')
    verdicts: dict[str, SavedVerdict] = {}
    for index, entry in enumerate(document["features"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("feature"), str):
            raise UsageError(f'{path}: features[{index}] has no "feature" name')
        verdict = entry.get("verdict")
        if not isinstance(verdict, str) or not is_verdict(verdict):
            raise UsageError(f"{path}: features[{index}] ({entry['feature']}) has an unknown verdict {verdict!r}")
        verdicts[entry["feature"]] = SavedVerdict(verdict, str(entry.get("evidence", "")))
    target = document.get("target")
    return SavedProbe(
        path, target if isinstance(target, dict) else {}, str(document.get("model", "")), verdicts, document
    )


def changes(old: Mapping[str, SavedVerdict], new: Mapping[str, SavedVerdict]) -> list[Change]:
    """Every feature whose verdict differs, in the new probe's order, then those only the old had."""
    found = []
    for feature in [*new, *(name for name in old if name not in new)]:
        before, after = old.get(feature), new.get(feature)
        if before is not None and after is not None and before.verdict == after.verdict:
            continue
        evidence = after.evidence if after is not None else "not probed this time"
        found.append(Change(feature, before.verdict if before else None, after.verdict if after else None, evidence))
    return found


def same_target(old: SavedProbe, new: SavedProbe) -> bool:
    return old.model == new.model and old.target.get("base_url") == new.target.get("base_url")
