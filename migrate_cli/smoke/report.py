"""Terminal rendering of a smoke run: the progress bar, the case table, the summary, the dry run.

Rendering only: every number shown is computed in summary.py (or by the dry-run estimate); this
module decides nothing but layout. Costs without a price print as "unpriced", never as $0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from migrate_cli.smoke.records import SIDES, CaseResult, Endpoint, SideName
from migrate_cli.smoke.summary import VERDICTS, CaseRow, RunSummary, SideCell

if TYPE_CHECKING:
    from rich.console import Console

    from migrate_cli.smoke.evaluate import DryRunLine

_VERDICT_STYLE = {"same": "green", "equivalent": "cyan", "drift": "yellow", "broken": "bold red"}
#: From this many columns on, the table also shows each side's tokens.
WIDE_TABLE = 120
_CASE_WIDTH = 20
_MIN_REASON = 12


class ProgressView:
    """A rich progress bar on stderr while cases finish; silent when stderr is not a terminal."""

    def __init__(self, console: Console, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("smoke"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task = self._progress.add_task("smoke", total=total, status="")
        self._differences = 0
        self._errors = 0

    def __enter__(self) -> ProgressView:
        self._progress.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._progress.stop()

    def advance(self, result: CaseResult) -> None:
        self._differences += result.comparison.verdict in ("drift", "broken")
        self._errors += (result.baseline.error is not None) + (result.candidate.error is not None)
        status = f"{self._differences} drift/broken, {self._errors} errors"
        self._progress.update(self._task, advance=1, status=status)


def render_table(console: Console, summary: RunSummary, *, report_hint: str = "") -> None:
    """One line per case at any width: the reason is cut to fit (the reports have it whole), and
    below `WIDE_TABLE` columns the token columns make room for it."""
    from rich.cells import cell_len
    from rich.table import Table

    rows = summary.rows.shown()
    if not rows:
        return
    wide = console.width >= WIDE_TABLE
    cells = [_row_cells(row, wide) for row in rows]
    table = Table(box=None, pad_edge=False, header_style="bold")
    # Every column but the reason is as wide as its widest cell (the case id at most _CASE_WIDTH),
    # so only the reason is cut when the terminal is narrow. Tokens are "prompt→completion".
    columns = _columns(wide)
    widths = []
    for index, (title, justify) in enumerate(columns):
        width = max(len(title), *(cell_len(str(row[index])) for row in cells))
        widths.append(min(width, _CASE_WIDTH) if index == 0 else width)
        table.add_column(title, justify=justify, no_wrap=True, overflow="ellipsis", width=widths[-1])
    # rich would shrink every column alike; the reason alone is cut, to what the line has left.
    reason_width = max(_MIN_REASON, console.width - sum(widths) - 2 * len(widths))
    table.add_column("reason", no_wrap=True, overflow="ellipsis", width=reason_width)
    for row_cells in cells:
        row_cells[-1].truncate(reason_width, overflow="ellipsis")
        table.add_row(*row_cells)
    console.print(table, soft_wrap=False)
    if summary.hidden_rows:
        where = f"; all are in {report_hint}" if report_hint else "; --report FILE.json lists them all"
        console.print(
            f"… {summary.hidden_rows} more case(s) not shown (differences are listed first{where})", markup=False
        )


def _columns(wide: bool) -> list[tuple[str, Literal["left", "right"]]]:
    columns: list[tuple[str, Literal["left", "right"]]] = [("case", "left"), ("verdict", "left"), ("sim.", "right")]
    if wide:
        return [*columns, ("base tok.", "right"), ("base $", "right"), ("cand tok.", "right"), ("cand $", "right")]
    return [*columns, ("base $", "right"), ("cand $", "right")]


def _row_cells(row: CaseRow, wide: bool) -> list[Any]:
    from rich.text import Text

    head = [
        Text(row.case_id),
        Text(row.verdict, style=_VERDICT_STYLE[row.verdict]),
        "—" if row.similarity is None else f"{row.similarity:.2f}",
    ]
    if wide:
        sides = [_tokens(row.baseline), _cost_cell(row.baseline), _tokens(row.candidate), _cost_cell(row.candidate)]
    else:
        sides = [_cost_cell(row.baseline), _cost_cell(row.candidate)]
    return [*head, *sides, Text(row.reason)]


def _tokens(cell: SideCell) -> str:
    if cell.prompt_tokens is None and cell.completion_tokens is None:
        return "—"
    return f"{_int(cell.prompt_tokens)}→{_int(cell.completion_tokens)}"


def _cost_cell(cell: SideCell) -> str:
    if cell.error_kind is not None:
        return cell.error_kind
    if cell.cost_status == "computed" and cell.cost_usd is not None:
        return money(cell.cost_usd)
    return {"unpriced": "unpriced", "no_usage": "no usage"}.get(cell.cost_status, "—")


def _int(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def money(usd: float | None) -> str:
    if usd is None:
        return "unpriced"
    if usd == 0:
        return "$0"
    if abs(usd) >= 0.01:
        return f"${usd:,.4f}"
    # Small amounts keep three significant digits: one case often costs a fraction of a cent.
    decimals = min(12, 2 - math.floor(math.log10(abs(usd))))
    return f"${usd:.{decimals}f}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


@dataclass(frozen=True)
class RunState:
    """How the run ended, for the summary's first line."""

    total: int
    interrupted: bool = False
    stopped: str = ""


def render_summary(
    console: Console, summary: RunSummary, state: RunState, extra_rows: Sequence[tuple[str, str]] = ()
) -> None:
    from rich.table import Table

    console.print()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    done = f"{summary.cases} of {state.total}" if summary.cases != state.total else f"{summary.cases}"
    ended = " (interrupted)" if state.interrupted else f" (stopped: {state.stopped})" if state.stopped else ""
    grid.add_row("cases", done + ended)
    grid.add_row("verdicts", "  ".join(f"{v} {summary.verdicts[v]}" for v in VERDICTS))
    mean = summary.mean_similarity
    grid.add_row("similarity", "n/a" if mean is None else f"mean {mean:.3f}")
    grid.add_row("errors", "  ".join(f"{side} {_errors(summary, side)}" for side in SIDES))
    grid.add_row("cost", _cost_line(summary))
    grid.add_row("prompt tokens", _gap_line(summary))
    grid.add_row("latency", _latency_line(summary))
    for label, text in extra_rows:
        grid.add_row(label, text)
    console.print(grid)


def render_calibration(console: Console, rows: Sequence[tuple[str, str]], saved: str = "") -> None:
    """--calibrate: the fit per side (and where it was saved), instead of the comparison table."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, text in rows:
        grid.add_row(label, text)
    console.print(grid)
    if saved:
        console.print(f"Saved to {saved}: project unrun prompts with --dry-run --calibration {saved}", markup=False)


def _errors(summary: RunSummary, side: SideName) -> str:
    totals = summary.sides[side]
    if not totals.errors:
        return "0"
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(totals.errors.items()))
    return f"{totals.error_count} ({kinds})"


def _cost_line(summary: RunSummary) -> str:
    parts = []
    for side in SIDES:
        totals = summary.sides[side]
        text = f"{side} {money(totals.total_cost_usd)}"
        if totals.unpriced and totals.priced:
            text += f" (+{totals.unpriced} unpriced)"
        if totals.unpriced_models and not totals.priced:
            text += f" ({', '.join(sorted(totals.unpriced_models))}: add to --pricing)"
        parts.append(text)
    delta = summary.cost_delta_pct
    if delta is not None:
        parts.append(f"delta {percent(delta)} over {summary.paired_cases} case(s) priced on both sides")
    return "  ".join(parts)


def _gap_line(summary: RunSummary) -> str:
    parts = []
    for side in SIDES:
        totals = summary.sides[side]
        gap = totals.prompt_gap_pct
        approx = "" if totals.estimates_exact else " (tiktoken approximate)"
        parts.append(f"{side} {percent(gap)}{approx}")
    return "provider vs tiktoken: " + "  ".join(parts)


def _latency_line(summary: RunSummary) -> str:
    parts = []
    for side in SIDES:
        totals = summary.sides[side]
        mean = totals.latency_total / totals.latency_count if totals.latency_count else None
        text = f"{side} {'n/a' if mean is None else f'{mean:.2f} s'}"
        if totals.ttft_count:
            text += f" (TTFT {totals.ttft_total / totals.ttft_count:.2f} s)"
        if totals.stream_usage_missing:
            text += f" [{totals.stream_usage_missing} stream(s) without usage]"
        parts.append(text)
    return "mean " + "  ".join(parts)


def render_endpoints(console: Console, endpoints: Mapping[SideName, Endpoint]) -> None:
    """Which provider each side is, where its key comes from (the variable's name only)."""
    for side in SIDES:
        endpoint = endpoints[side]
        console.print(f"{side + ':':<10} {endpoint.label or endpoint.base_url}", markup=False)


def render_dry_run(console: Console, *, cases: int, lines: list[DryRunLine], exact: bool, source: str) -> None:
    from rich.table import Table

    console.print(f"Dry run: {cases} case(s) in {source}; nothing was sent.", markup=False)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for title, justify in (
        ("side", "left"),
        ("model", "left"),
        ("cases", "right"),
        ("prompt tokens", "right"),
        ("calibrated", "right"),
        ("input cost", "right"),
    ):
        table.add_column(title, justify="left" if justify == "left" else "right", no_wrap=True)
    for line in lines:
        calibrated = f"{line.projected_prompt_tokens:,}" if line.calibrated else "—"
        table.add_row(
            line.side, line.model, f"{line.cases:,}", f"{line.prompt_tokens:,}", calibrated, money(line.cost_usd)
        )
    for side in SIDES:
        mine = [line for line in lines if line.side == side]
        costs = [line.cost_usd for line in mine]
        total = None if None in costs else sum(c for c in costs if c is not None)
        cases_total = sum(line.cases for line in mine)
        tokens_total = sum(line.prompt_tokens for line in mine)
        projected = (
            f"{sum(line.projected_prompt_tokens for line in mine):,}" if any(line.calibrated for line in mine) else "—"
        )
        table.add_row(side, "(all)", f"{cases_total:,}", f"{tokens_total:,}", projected, money(total), style="bold")
    console.print(table)
    note = "exact tiktoken counts" if exact else "APPROXIMATE counts: tiktoken encoding files unavailable"
    console.print(
        f"Prompt tokens are {note}; the cost is input only (projected, uncached, from the calibrated "
        "count where a --calibration fit applies): output tokens are unknown until the prompts run.",
        markup=False,
    )


def print_json(payload: dict[str, Any], secrets: Sequence[str] = ()) -> None:
    """Plain JSON on stdout: no rich wrapping or colour, whatever the terminal; the run's keys masked."""
    import sys

    from migrate_cli.smoke.outputs import json_text

    sys.stdout.write(json_text(payload, secrets, indent=2) + "\n")
    sys.stdout.flush()
