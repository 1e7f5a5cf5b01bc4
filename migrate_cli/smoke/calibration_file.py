"""`--save-calibration FILE` writes a run's fits; `--calibration FILE` reads them for `--dry-run`.

The file is JSON:

    {"format": "migrate-smoke-calibration", "version": 1, "created": "2026-11-30T10:00:00Z",
     "sides": {"candidate": {"base_url": "https://api.vmira.ai/v1", "models": ["mira"],
                             "prompt_ratio": 1.24, "per_message": null, "completion_ratio": 1.1,
                             "spread": 0.03, "cases": 12, "sentence": "vMira counts ..."},
               "baseline": {...}}}

A fit is applied to the side of a dry run whose base URL it was measured on (a provider's tokenizer
is a property of the provider), whichever side it was then.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from migrate_cli.config import normalize_url
from migrate_cli.errors import UsageError
from migrate_cli.smoke.calibration import Calibration
from migrate_cli.smoke.records import Endpoint, SideName

FORMAT = "migrate-smoke-calibration"
VERSION = 1


@dataclass(frozen=True)
class SavedFit:
    side: str
    base_url: str
    models: tuple[str, ...]
    calibration: Calibration
    created: str


def save_calibration(
    path: Path,
    fits: Mapping[SideName, Calibration],
    endpoints: Mapping[SideName, Endpoint],
    models: Mapping[SideName, set[str]],
) -> None:
    """Write the fits atomically (a reader never sees half a file)."""
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sides = {
        side: {"base_url": endpoints[side].base_url, "models": sorted(models.get(side, ())), **fit.to_dict()}
        for side, fit in fits.items()
    }
    text = json.dumps({"format": FORMAT, "version": VERSION, "created": created, "sides": sides}, indent=2) + "\n"
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, "utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UsageError(f"--save-calibration {path}: cannot write ({exc.strerror})") from None


def load_calibration(path: Path) -> list[SavedFit]:
    """Read and check a calibration file; every problem is one UsageError naming the file."""
    where = f"--calibration {path}"
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file (write one with --calibrate --save-calibration FILE)") from None
    except OSError as exc:
        raise UsageError(f"{where}: cannot read ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{where}: not JSON; expected a file written by --save-calibration") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{where}: not a calibration file written by --save-calibration")
    if data.get("version") != VERSION:
        raise UsageError(f"{where}: calibration format version {data.get('version')!r}; this migrate reads {VERSION}")
    sides = data.get("sides")
    if not isinstance(sides, dict):
        raise UsageError(f"{where}: 'sides' must be an object")
    fits = []
    for side, entry in sides.items():
        fits.append(_fit(entry, f"{where}: sides.{side}", side, str(data.get("created", ""))))
    return fits


def _fit(entry: Any, where: str, side: str, created: str) -> SavedFit:
    if not isinstance(entry, dict) or not isinstance(entry.get("base_url"), str):
        raise UsageError(f"{where}: needs a 'base_url'")

    def number(key: str, positive: bool) -> float | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (positive and value <= 0):
            raise UsageError(f"{where}: '{key}' must be {'a positive' if positive else 'a'} number or null")
        return float(value)

    cases = entry.get("cases", 0)
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 0:
        raise UsageError(f"{where}: 'cases' must be a whole number")
    calibration = Calibration(
        prompt_ratio=number("prompt_ratio", True),
        completion_ratio=number("completion_ratio", True),
        cases=cases,
        spread=number("spread", False),
        sentence=str(entry.get("sentence", "")),
        per_message=number("per_message", False),
    )
    models = entry.get("models") or []
    return SavedFit(side, entry["base_url"], tuple(str(m) for m in models), calibration, created)


def fit_for(fits: list[SavedFit], endpoint: Endpoint) -> SavedFit | None:
    """The fit measured on this endpoint's base URL (the last one when the file has two)."""
    matches = [fit for fit in fits if normalize_url(fit.base_url) == normalize_url(endpoint.base_url)]
    usable = [fit for fit in matches if fit.calibration.prompt_ratio is not None]
    return usable[-1] if usable else None
