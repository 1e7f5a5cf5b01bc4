"""Scan's outputs: the `--json` document and the terminal tables. Layout only: nothing is decided here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from migrate_cli.escape import printable
from migrate_cli.scan.records import UNKNOWN, Place, ScanResult

if TYPE_CHECKING:
    from rich.console import Console

#: Places shown per row of the terminal tables; --json lists them all.
FIRST_SITES = 3


def scan_document(result: ScanResult) -> dict[str, Any]:
    """The contract: files_scanned, calls, features; then the constructions and the files in error."""
    return {
        "files_scanned": result.files_scanned,
        "calls": [call.to_dict() for call in result.calls],
        "features": {name: [p.to_dict() for p in places] for name, places in result.features().items()},
        "clients": [{**place.to_dict(), "client": client.client} for place, client in result.clients],
        "errors": [{"path": f.path, "message": f.error} for f in result.errors],
    }


def first_sites(places: Sequence[Place], limit: int = FIRST_SITES) -> str:
    shown = ", ".join(printable(p.label) for p in places[:limit])
    more = len(places) - limit
    return shown + (f" (+{more} more)" if more > 0 else "")


def render_tables(console: Console, result: ScanResult) -> None:
    from rich.table import Table

    endpoints: dict[str, list[Place]] = {}
    models: dict[str, set[str]] = {}
    for call in result.calls:
        endpoints.setdefault(call.found.endpoint, []).append(call.place)
        models.setdefault(call.found.endpoint, set()).update(call.found.models)
    if endpoints:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for title in ("endpoint", "sites", "models", "first sites"):
            table.add_column(title, overflow="fold")
        for endpoint, places in sorted(endpoints.items(), key=lambda item: -len(item[1])):
            shown_models = ", ".join(sorted(models[endpoint])) or "-"
            table.add_row(printable(endpoint), str(len(places)), printable(shown_models), first_sites(places))
        console.print(table)
        console.print()
    features = result.features()
    if features:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for title in ("feature", "sites", "first sites"):
            table.add_column(title, overflow="fold")
        for name, places in features.items():
            table.add_row(name, str(len(places)), first_sites(places))
        console.print(table)
        console.print()
    console.print(summary_line(result), markup=False, highlight=False)
    if UNKNOWN in features:
        console.print(
            f"{UNKNOWN}: {len(features[UNKNOWN])} call(s) pass values the scan could not read "
            '(see "unread" in --json); they may use more features than listed',
            markup=False,
            highlight=False,
        )


def summary_line(result: ScanResult) -> str:
    files = len({call.place.path for call in result.calls})
    clients = sum(1 for _ in result.clients)
    return (
        f"{len(result.calls)} API call site(s) in {files} file(s), {clients} client construction(s) "
        f"({result.files_scanned} file(s) scanned; nothing written)"
    )


def render_problems(console: Console, result: ScanResult) -> None:
    for scanned in result.errors:
        console.print(f"error: {printable(scanned.path)}: {printable(scanned.error or '')}", markup=False)
    for path, why in result.skipped:
        console.print(f"skipped: {printable(path)}: {printable(why)}", markup=False)
