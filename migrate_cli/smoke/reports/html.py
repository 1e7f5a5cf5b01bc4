"""`--report FILE.html`: one self-contained page (inline style and script, no network requests).

The summary (totals, cost split, calibration, gates) on top; below it one row per case, sortable
by clicking a column header and filterable by text and verdict; clicking a row opens the two
answers side by side, with the words only one side has highlighted (worddiff.py).
"""

from __future__ import annotations

from html import escape
from typing import Any

from migrate_cli.smoke.records import CaseResult, SideResult
from migrate_cli.smoke.report import money
from migrate_cli.smoke.reports.html_assets import SCRIPT, STYLE
from migrate_cli.smoke.reports.streamed import StreamedReport
from migrate_cli.smoke.reports.worddiff import Pieces, word_diff
from migrate_cli.smoke.summary_lines import insight_rows

VERDICTS = ("same", "equivalent", "drift", "broken")
#: (header, data key, numeric?) of the sortable columns.
COLUMNS = (
    ("#", "order", True),
    ("case", "id", False),
    ("verdict", "verdict", False),
    ("similarity", "similarity", True),
    ("baseline $", "baseline", True),
    ("candidate $", "candidate", True),
)


class HtmlReport(StreamedReport):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._order = 0

    def case_text(self, result: CaseResult) -> str:
        self._order += 1
        comparison = result.comparison
        base, cand = result.baseline, result.candidate
        similarity = comparison.similarity
        data = {
            "order": str(self._order),
            "id": result.case_id,
            "verdict": comparison.verdict,
            "similarity": "" if similarity is None else f"{similarity:.4f}",
            "baseline": _cost_value(base),
            "candidate": _cost_value(cand),
            "search": f"{result.case_id} {comparison.reason}".lower(),
        }
        attributes = " ".join(f'data-{key}="{escape(value)}"' for key, value in data.items())
        cached = "".join(
            f'<span class="badge">{side.side} {side.origin}</span>' for side in (base, cand) if side.origin != "live"
        )
        main = (
            f'<tr class="main"><td class="num">{self._order}</td><td>{escape(result.case_id)}{cached}</td>'
            f'<td class="verdict v-{comparison.verdict}">{comparison.verdict}</td>'
            f'<td class="num">{"—" if similarity is None else f"{similarity:.2f}"}</td>'
            f'<td class="num">{escape(_cost_text(base))}</td><td class="num">{escape(_cost_text(cand))}</td>'
            f"<td>{escape(comparison.reason)}</td></tr>"
        )
        left, right = word_diff(_shown_text(base), _shown_text(cand))
        detail = (
            f'<tr class="detail"><td></td><td colspan="6"><div class="pair">'
            f"{_side_panel(base, left, 'del')}{_side_panel(cand, right, 'ins')}</div></td></tr>"
        )
        return f"<tbody {attributes}>{main}{detail}</tbody>\n"

    def head(self, summary: dict[str, Any]) -> str:
        run = self.run
        title = f"migrate smoke: {run.get('prompts', '')}"
        endpoints = run.get("endpoints", {})
        rows = [
            (
                "cases",
                f"{summary['cases']} of {summary.get('planned_cases', summary['cases'])}"
                + (" (interrupted)" if summary.get("interrupted") else ""),
            ),
            ("verdicts", "  ".join(f"{v} {summary['verdicts'].get(v, 0)}" for v in VERDICTS)),
            (
                "mean similarity",
                "n/a" if summary.get("mean_similarity") is None else f"{summary['mean_similarity']:.3f}",
            ),
            (
                "baseline",
                f"{endpoints.get('baseline', {}).get('base_url', '')}: {money(summary.get('baseline_cost_usd'))}",
            ),
            (
                "candidate",
                f"{endpoints.get('candidate', {}).get('base_url', '')}: {money(summary.get('candidate_cost_usd'))}",
            ),
            *insight_rows({**summary, "gates": []}),
        ]
        items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(text)}</dd>" for label, text in rows)
        gates = "".join(
            f'<dt>{escape(g["name"])}</dt><dd class="{"gate-pass" if g["passed"] else "gate-fail"}">'
            f"{'passed' if g['passed'] else 'FAILED'}: {escape(g['detail'])}</dd>"
            for g in summary.get("gates") or []
        )
        headers = "".join(
            f'<th data-key="{key}" data-type="{"num" if numeric else "text"}">{escape(label)}</th>'
            for label, key, numeric in COLUMNS
        )
        options = "".join(f'<option value="{v}">{v}</option>' for v in VERDICTS)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            # No request leaves the page: scripts, styles and images only from the page itself.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f'<h1>{escape(title)}</h1><div class="muted">run {escape(str(run.get("run_id", "")))}, '
            f"migrate {escape(str(run.get('migrate_version', '')))}</div>"
            f'<dl class="summary">{items}{gates}</dl>'
            '<div class="controls"><input id="filter" type="search" placeholder="filter by case id or reason">'
            f'<select id="verdict"><option value="">every verdict</option>{options}</select>'
            f'<span class="muted"><span id="shown">{summary["cases"]}</span> shown; '
            "click a header to sort, a row to compare</span></div>"
            f'<table id="cases"><thead><tr>{headers}<th>reason</th></tr></thead>\n'
        )

    def tail(self, summary: dict[str, Any]) -> str:
        return f"</table><script>{SCRIPT}</script></body></html>\n"


def _cost_value(side: SideResult) -> str:
    cost = side.cost
    return "" if cost is None or cost.usd is None or cost.status != "computed" else repr(cost.usd)


def _cost_text(side: SideResult) -> str:
    if side.error is not None:
        return side.error.kind
    cost = side.cost
    if cost is None or cost.status != "computed":
        return {"unpriced": "unpriced", "no_usage": "no usage"}.get(cost.status if cost else "", "—")
    return money(cost.usd)


def _shown_text(side: SideResult) -> str:
    if side.error is not None:
        status = f" {side.error.status}" if side.error.status else ""
        return f"[{side.error.kind}{status}] {side.error.message}"
    text = side.output or ""
    for call in side.tool_calls:
        function = call.get("function") or {}
        text += f"\n[tool call] {function.get('name', '?')}({function.get('arguments', '')})"
    return text


def _side_panel(side: SideResult, pieces: Pieces, mark: str) -> str:
    body = "".join(
        f'<{mark} class="w">{escape(text)}</{mark}>' if changed else escape(text) for text, changed in pieces
    )
    usage = side.usage
    tokens = f"{usage.prompt_tokens}→{usage.completion_tokens} tokens" if usage is not None else "no usage"
    latency = f", {side.latency_s:.2f} s" if side.latency_s is not None else ""
    origin = f", from {side.origin}" if side.origin != "live" else ""
    meta = f"{side.side} · {side.model} · {tokens} · {_cost_text(side)}{latency}{origin}"
    return f'<div><div class="meta">{escape(meta)}</div><pre>{body}</pre></div>'
