"""`--report FILE.md`: a summary to paste as a pull-request comment.

Totals per side, verdict counts, the cost split and calibration sentences, every gate, and the
worst cases (broken first, then drift by similarity) with the first lines of their diff. Only the
`WORST_CASES` worst are kept while the run goes, so a long run costs no memory here.
"""

from __future__ import annotations

import heapq
from typing import Any

from migrate_cli.smoke.records import CaseResult
from migrate_cli.smoke.reports.streamed import StreamedReport
from migrate_cli.smoke.summary_lines import gate_line, insight_rows

WORST_CASES = 10
DIFF_LINES = 12
_SEVERITY = {"broken": 0, "drift": 1, "equivalent": 2, "same": 3}
VERDICTS = ("same", "equivalent", "drift", "broken")


class MarkdownReport(StreamedReport):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A max-heap by badness through negated keys: (-severity, similarity, order) of the kept cases.
        self._worst: list[tuple[tuple[int, float, int], dict[str, Any]]] = []
        self._order = 0

    def add(self, result: CaseResult) -> None:
        comparison = result.comparison
        if comparison.verdict == "same":
            return
        self._order += 1
        badness = (
            -_SEVERITY[comparison.verdict],
            -(comparison.similarity if comparison.similarity is not None else -1),
            -self._order,
        )
        entry = (badness, _brief(result))
        if len(self._worst) < WORST_CASES:
            heapq.heappush(self._worst, entry)
        elif badness > self._worst[0][0]:
            heapq.heapreplace(self._worst, entry)

    def head(self, summary: dict[str, Any]) -> str:
        run = self.run
        lines = [f"## `migrate smoke` {_cell(str(run.get('prompts', '')))}", ""]
        ended = " (interrupted)" if summary.get("interrupted") else ""
        counts = " · ".join(f"{v} **{summary['verdicts'].get(v, 0)}**" for v in VERDICTS)
        mean = summary.get("mean_similarity")
        lines.append(
            f"**{summary['cases']}** case(s){ended}: {counts} · "
            f"mean similarity {'n/a' if mean is None else f'{mean:.3f}'}"
        )
        lines += ["", "| | baseline | candidate |", "|---|---|---|"]
        endpoints = run.get("endpoints", {})
        lines.append(
            f"| endpoint | {_cell(endpoints.get('baseline', {}).get('base_url', ''))} "
            f"| {_cell(endpoints.get('candidate', {}).get('base_url', ''))} |"
        )
        sides = summary.get("sides", {})
        lines.append(f"| cost | {_usd(summary.get('baseline_cost_usd'))} | {_usd(summary.get('candidate_cost_usd'))} |")
        lines.append(
            f"| errors | {sides.get('baseline', {}).get('errors', 0)} | {sides.get('candidate', {}).get('errors', 0)} |"
        )
        lines.append(
            f"| prompt tokens (reported / tiktoken) | {_tokens(sides.get('baseline', {}))} "
            f"| {_tokens(sides.get('candidate', {}))} |"
        )
        lines.append("")
        for label, text in insight_rows({**summary, "gates": []}):
            lines.append(f"- **{label}**: {text}" if label else f"- {text}")
        gates = summary.get("gates") or []
        if gates:
            lines += ["", "| gate | threshold | value | result |", "|---|---|---|---|"]
            for gate in gates:
                mark = "✅ passed" if gate["passed"] else "❌ failed"
                value = "n/a" if gate["value"] is None else f"{gate['value']:g}"
                lines.append(f"| {gate['name']} | {gate['threshold']:g} | {value} | {mark}: {_cell(gate['detail'])} |")
            failed = [gate_line(g) for g in gates if not g["passed"]]
            lines.append("")
            lines.append(f"**{len(failed)} gate(s) failed.**" if failed else "**Every gate passed.**")
        worst = [entry for _, entry in sorted(self._worst, reverse=True)]
        differing = summary["cases"] - summary["verdicts"].get("same", 0)
        if worst:
            lines += [
                "",
                f"### Worst cases ({len(worst)} of {differing} that differ)",
                "",
            ]
            for case in worst:
                lines += _case_lines(case)
        return "\n".join(lines) + "\n"


def _brief(result: CaseResult) -> dict[str, Any]:
    comparison = result.comparison
    diff = comparison.diff.splitlines()
    return {
        "id": result.case_id,
        "verdict": comparison.verdict,
        "similarity": comparison.similarity,
        "reason": comparison.reason,
        "diff": diff[:DIFF_LINES],
        "more": max(0, len(diff) - DIFF_LINES),
        "models": (result.baseline.model, result.candidate.model),
    }


def _case_lines(case: dict[str, Any]) -> list[str]:
    score = "" if case["similarity"] is None else f" ({case['similarity']:.2f})"
    lines = [f"#### `{case['id']}`: {case['verdict']}{score}", "", case["reason"], ""]
    if case["diff"]:
        body = [line.replace("```", "ˋˋˋ") for line in case["diff"]]  # noqa: RUF001 - the sentence is read, not parsed
        if case["more"]:
            body.append(f"… {case['more']} more line(s) in the JSON report")
        lines += ["```diff", *body, "```", ""]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _usd(value: float | None) -> str:
    from migrate_cli.smoke.report import money

    return money(value)


def _tokens(side: dict[str, Any]) -> str:
    reported, estimated = side.get("reported_prompt_tokens"), side.get("estimated_prompt_tokens")
    return f"{reported:,} / {estimated:,}" if reported is not None and estimated is not None else "n/a"
