"""The plan's outputs: the terminal checklist, the Markdown report (`--report plan.md`) and the
`--json` document. Layout only: checklist.py decides."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from migrate_cli.escape import printable
from migrate_cli.plan.checklist import Item, Plan
from migrate_cli.scan.records import Call
from migrate_cli.scan.report import first_sites

if TYPE_CHECKING:
    from rich.console import Console

_MARK = {"accepted": "ok", "ignored": "FIX", "rejected": "FIX", "unknown": "?"}
_STYLE = {"accepted": "green", "ignored": "yellow", "rejected": "bold red", "unknown": "cyan"}
#: Sites listed per item in the terminal and in Markdown; --json lists them all.
SITES_SHOWN = 5


def plan_document(plan: Plan) -> dict[str, Any]:
    return {
        "items": [
            {
                "feature": item.feature,
                "verdict": item.verdict,
                "sites": [p.to_dict() for p in item.sites],
                "evidence": item.evidence,
                "probed": item.probed,
            }
            for item in plan.items
        ],
        "unchecked_calls": [{**c.place.to_dict(), "endpoint": c.found.endpoint} for c in plan.unchecked],
        "unread_calls": [{**c.place.to_dict(), "unread": list(c.found.unread)} for c in plan.unread],
        "exit_code": int(plan.exit_code),
    }


def render_checklist(console: Console, plan: Plan) -> None:
    from rich.text import Text

    if not plan.items:
        console.print("The code makes no API call whose features a probe checks.", markup=False)
    for item in plan.items:
        line = Text(f"[{_MARK[item.verdict]:>3}] ")
        line.append(f"{item.feature:<22}")
        line.append(f"{item.verdict:<9}", style=_STYLE[item.verdict])
        line.append(f" {len(item.sites)} site(s): {first_sites(item.sites, SITES_SHOWN)}")
        console.print(line)
        if item.verdict != "accepted":
            console.print(Text(f"      {printable(item.evidence)}"))
    for note in notes(plan):
        console.print(note, markup=False)
    console.print(total_line(plan), markup=False)


def notes(plan: Plan) -> list[str]:
    found = []
    if plan.unread:
        found.append(
            f"note: {len(plan.unread)} call(s) pass values the scan could not read, so they may use more "
            f"features than listed: {_call_sites(plan.unread)}"
        )
    if plan.unchecked:
        endpoints = Counter(c.found.endpoint for c in plan.unchecked)
        listed = ", ".join(f"{printable(e)} ({n})" for e, n in endpoints.most_common())
        found.append(f"note: no probe checks these endpoints; test them on the target by hand: {listed}")
    return found


def total_line(plan: Plan) -> str:
    counts = Counter(item.verdict for item in plan.items)
    unprobed = sum(not item.probed for item in plan.items)
    parts = [f"{counts[v]} {v}" for v in ("accepted", "ignored", "rejected", "unknown") if counts[v]]
    if unprobed:
        parts.append(f"{unprobed} never probed")
    fails = sum(item.fails for item in plan.items)
    outcome = f"{fails} to fix before switching" if fails else "nothing the probe found blocks the switch"
    return f"{len(plan.items)} feature(s) used: {', '.join(parts) or 'none'}; {outcome}"


def _call_sites(calls: Sequence[Call]) -> str:
    return first_sites([c.place for c in calls], SITES_SHOWN)


# --- Markdown ------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Provider messages and paths as plain text in Markdown: no markup, no HTML, one line."""
    return _MD_SPECIAL.sub(r"\\\1", printable(" ".join(text.split())))


def markdown(plan: Plan, *, target: str, model: str) -> str:
    lines = [
        "## `migrate plan`",
        "",
        f"Target: {_md(target)}, model {_md(model)}. {_md(total_line(plan))}.",
        "",
    ]
    for item in plan.items:
        lines += _md_item(item)
    extra = notes(plan)
    if extra:
        lines.append("")
        lines += [f"> {_md(note)}" for note in extra]
    return "\n".join(lines) + "\n"


def _md_item(item: Item) -> list[str]:
    box = "x" if not item.fails and item.verdict == "accepted" else " "
    verdict = f"**{item.verdict}**" if item.fails else item.verdict
    head = f"- [{box}] `{item.feature}`: {verdict}, {len(item.sites)} site(s)"
    if item.verdict == "accepted":
        return [head]
    shown = ", ".join(f"`{p.label.replace('`', '')}`" for p in item.sites[:SITES_SHOWN])
    more = len(item.sites) - SITES_SHOWN
    lines = [
        head,
        f"  - evidence: {_md(item.evidence)}",
        f"  - sites: {shown}" + (f" (+{more} more)" if more > 0 else ""),
    ]
    return lines
