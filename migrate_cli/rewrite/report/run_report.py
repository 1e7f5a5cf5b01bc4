"""What a rewrite run tells the user: the human summary (stderr), the JSON object (stdout), diffs.

`summarize` and `to_json` decide what is said and are pure; the `render_*` functions only print.
Everything shown comes from `FileResult`s, whose diffs and messages are already redacted.
A place in a notebook is `nb.ipynb:cell 3:2` in the summary and has a `cell` field in JSON
(locations.py); entries of other files have no `cell` field.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.text import Text

from migrate_cli.config import Target
from migrate_cli.console import write_all
from migrate_cli.escape import printable, shown_path
from migrate_cli.rewrite.diff import render_diff
from migrate_cli.rewrite.files.outcomes import Failure
from migrate_cli.rewrite.files.runner import RunResult
from migrate_cli.rewrite.locations import location
from migrate_cli.rewrite.model import Change, FileResult, ReviewItem, SecurityFinding

JSON_SCHEMA_VERSION = 1
#: Sites listed under one review reason in the human summary; the rest are counted (JSON has all).
REVIEW_SITES_SHOWN = 10


@dataclass(frozen=True)
class Mode:
    dry_run: bool = False
    check: bool = False

    @property
    def writes(self) -> bool:
        return not (self.dry_run or self.check)

    @property
    def note(self) -> str:
        if self.check:
            return "check: nothing written"
        if self.dry_run:
            return "dry run: nothing written"
        return ""


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    cell: int | None = None


@dataclass(frozen=True)
class Summary:
    scanned: int
    changed: tuple[FileResult, ...]
    #: (rule, reason) -> the sites it applies to, by file and line; groups by rule, biggest first.
    review: dict[tuple[str, str], tuple[Site, ...]]
    #: (path, line, rule, message, cell), in file order.
    security: tuple[tuple[str, int, str, str, int | None], ...]
    errors: tuple[FileResult, ...]
    #: How many of the errors are bad input (decode/parse) rather than a failed write or a bug.
    input_errors: int
    #: Files passed over (a FIFO, a notebook in another language); see `Skip.listed`.
    skipped: tuple[FileResult, ...] = ()
    #: Ctrl-C ended the run; this many files were never reached.
    interrupted: bool = False
    not_reached: int = 0

    @property
    def review_count(self) -> int:
        return sum(len(sites) for sites in self.review.values())


def summarize(run: RunResult) -> Summary:
    review: dict[tuple[str, str], list[Site]] = defaultdict(list)
    security = []
    for result in run.results:
        for item in result.review:
            review[(item.rule, item.reason)].append(Site(result.path, item.line, item.cell))
        for finding in result.security:
            security.append((result.path, finding.line, finding.rule, finding.message, finding.cell))
    return Summary(
        scanned=len(run.outcomes),
        changed=tuple(r for r in run.results if r.status == "changed"),
        review=_walkable(review),
        security=tuple(security),
        errors=tuple(r for r in run.results if r.status == "error"),
        input_errors=sum(1 for o in run.outcomes if o.failure is Failure.INPUT),
        skipped=tuple(r for r in run.results if r.status == "skipped"),
        interrupted=run.interrupted,
        not_reached=run.not_reached,
    )


def _walkable(review: dict[tuple[str, str], list[Site]]) -> dict[tuple[str, str], tuple[Site, ...]]:
    """Review groups in an order a person can work through: by rule, the biggest group of a rule
    first, then by reason; the sites of a group by file and line."""
    order = sorted(review, key=lambda key: (key[0], -len(review[key]), key[1]))
    return {key: tuple(sorted(review[key], key=_site_order)) for key in order}


def _site_order(site: Site) -> tuple[str, int, int]:
    return (site.path, site.cell or 0, site.line)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def total_line(summary: Summary, mode: Mode) -> str:
    """e.g. "3 files rewritten, 5 sites to review, 1 file could not be parsed (12 files scanned)"."""
    verb = "rewritten" if mode.writes else "would be rewritten"
    parts = [f"{_count(len(summary.changed), 'file')} {verb}"]
    if summary.review_count:
        parts.append(f"{_count(summary.review_count, 'site')} to review")
    if summary.security:
        parts.append(_count(len(summary.security), "hard-coded key"))
    if summary.input_errors:
        parts.append(f"{_count(summary.input_errors, 'file')} could not be parsed")
    failed = len(summary.errors) - summary.input_errors
    if failed:
        parts.append(f"{_count(failed, 'file')} failed")
    listed_skips = sum(1 for r in summary.skipped if r.skipped is None or r.skipped.listed)
    if listed_skips:
        parts.append(f"{_count(listed_skips, 'file')} skipped")
    notes = [f"{_count(summary.scanned, 'file')} scanned"] + ([mode.note] if mode.note else [])
    if summary.interrupted:
        notes.append(f"interrupted: {_count(summary.not_reached, 'file')} not reached")
    return ", ".join(parts) + f" ({'; '.join(notes)})"


def _change_rules(result: FileResult) -> str:
    rules: dict[str, int] = {}
    for change in result.changes:
        rules[change.rule] = rules.get(change.rule, 0) + 1
    listed = ", ".join(f"{rule} x{n}" if n > 1 else rule for rule, n in sorted(rules.items()))
    return f" ({_count(len(result.changes), 'change')}: {listed})" if rules else ""


def render_summary(console: Console, target: Target, run: RunResult, mode: Mode) -> None:
    """The human report: target, changed files, review items by reason, security, errors, total."""
    summary = summarize(run)
    console.print(Text("Target: ", style="bold") + Text(target.describe()))
    verb = "rewrote" if mode.writes else "would rewrite"
    for result in summary.changed:
        console.print(Text(f"{verb} ", style="green") + Text(shown_path(result.path) + _change_rules(result)))

    if summary.review:
        console.print(
            Text(f"\nTo review: {_count(summary.review_count, 'site')} the rewrite left alone", style="bold yellow")
        )
        for (rule, reason), sites in summary.review.items():
            console.print(Text(f"  {printable(reason)} ", style="yellow") + Text(f"[{rule}]", style="dim"))
            for site in sites[:REVIEW_SITES_SHOWN]:
                console.print(Text(f"    {location(shown_path(site.path), site.line, site.cell)}"))
            if len(sites) > REVIEW_SITES_SHOWN:
                console.print(
                    Text(f"    … and {len(sites) - REVIEW_SITES_SHOWN} more (--json lists every site)", style="dim")
                )
    if summary.security:
        console.print(Text(f"\nSecurity ({_count(len(summary.security), 'finding')}):", style="bold red"))
        for path, line, rule, message, cell in summary.security:
            console.print(
                Text(f"  {location(shown_path(path), line, cell)} ")
                + Text(f"[{rule}] ", style="dim")
                + Text(printable(message))
            )
    if summary.errors:
        console.print(Text(f"\nErrors ({_count(len(summary.errors), 'file')} left untouched):", style="bold red"))
        for result in summary.errors:
            console.print(Text(f"  {shown_path(result.path)}: ") + Text(printable(result.error or "unknown error")))
    listed = [r for r in summary.skipped if r.skipped is None or r.skipped.listed]
    if listed:
        console.print(Text(f"\nSkipped ({_count(len(listed), 'file')}):", style="bold"))
        for result in listed:
            console.print(Text(f"  {shown_path(result.path)}: {printable(_skip_reason(result))}"))
    console.print(Text("\n" + total_line(summary, mode), style="bold"))


def _skip_reason(result: FileResult) -> str:
    return result.skipped.reason if result.skipped is not None else "skipped"


def render_diffs(console: Console, run: RunResult) -> None:
    for result in run.results:
        render_diff(console, result.diff)


def to_json(target: Target, run: RunResult, mode: Mode) -> dict[str, Any]:
    """The `--json` object. `files` lists every file that changed, failed, or has findings."""
    summary = summarize(run)
    notable = [r for r in run.results if r.status != "unchanged" or r.review or r.security or r.changes]
    return {
        "version": JSON_SCHEMA_VERSION,
        "target": {
            "base_url": target.base_url,
            "api_key_env": target.api_key_env,
            "provider": target.provider,
        },
        "dry_run": mode.dry_run,
        "check": mode.check,
        "written": mode.writes,
        "changed": [r.path for r in summary.changed],
        "review": [
            {"path": r.path, "line": i.line, **_cell(i), "rule": i.rule, "reason": i.reason}
            for r in run.results
            for i in r.review
        ],
        "security": [
            {
                "path": path,
                "line": line,
                **({"cell": cell} if cell is not None else {}),
                "rule": rule,
                "message": message,
            }
            for path, line, rule, message, cell in summary.security
        ],
        "errors": [{"path": r.path, "message": r.error or ""} for r in summary.errors],
        "skipped": [{"path": r.path, "reason": _skip_reason(r)} for r in summary.skipped],
        "files": [_file_json(r) for r in notable],
        "summary": {
            "files_scanned": summary.scanned,
            "files_changed": len(summary.changed),
            "review": summary.review_count,
            "security": len(summary.security),
            "errors": len(summary.errors),
            "skipped": len(summary.skipped),
        },
        **({"interrupted": {"files_not_reached": summary.not_reached}} if summary.interrupted else {}),
        "exit_code": int(run.exit_code(check=mode.check)),
    }


def _file_json(result: FileResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": result.path,
        "status": result.status,
        "changes": [{"rule": c.rule, "line": c.line, **_cell(c), "message": c.message} for c in result.changes],
        "review": [{"rule": i.rule, "line": i.line, **_cell(i), "reason": i.reason} for i in result.review],
        "security": [{"rule": s.rule, "line": s.line, **_cell(s), "message": s.message} for s in result.security],
        "diff": result.diff,
    }
    if result.error is not None:
        data["error"] = result.error
    if result.skipped is not None:
        data["skipped"] = result.skipped.reason
    return data


def _cell(item: Change | ReviewItem | SecurityFinding) -> dict[str, int]:
    """A notebook entry's cell number; absent for other files, so their entries are as before."""
    return {} if item.cell is None else {"cell": item.cell}


def render_json(console: Console, data: dict[str, Any]) -> None:
    # Written raw, not through rich: the output is for programs, and must parse as exactly one object.
    write_all(console.file, json.dumps(data, indent=2) + "\n")
