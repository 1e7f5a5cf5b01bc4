"""Pure: the summary's sentences beyond the totals, as (label, text) rows from the report's summary.

The terminal summary and the Markdown report print the same rows, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from migrate_cli.smoke.records import SIDES


def insight_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    calibration = summary.get("calibration") or {}
    for side in SIDES:
        if calibration.get(side):
            rows.append(
                ("calibration" if not any(r[0] == "calibration" for r in rows) else "", calibration[side]["sentence"])
            )
    split = summary.get("cost_split")
    if split and split.get("cases"):
        rows.append(("cost split", split["sentence"]))
    monthly = summary.get("monthly")
    if monthly:
        rows.append(("monthly", monthly["sentence"]))
    rows += _labelled("streaming", [f"{side}: {_stream_line(stats)}" for side, stats in _sides(summary.get("stream"))])
    rows += _labelled(
        "stream check", [f"{side}: {_parity_line(stats)}" for side, stats in _sides(summary.get("stream_check"))]
    )
    noise = summary.get("noise")
    if noise:
        rows.append(("noise floor", _noise_line(noise)))
    replayed = _replayed_line(summary.get("answers_from") or {})
    if replayed:
        rows.append(("answers from", replayed))
    gates = summary.get("gates") or []
    rows += _labelled("gates", [gate_line(gate) for gate in gates])
    return rows


def gate_line(gate: Mapping[str, Any]) -> str:
    verdict = "passed" if gate["passed"] else "FAILED"
    return f"{gate['name']} {_threshold(gate)}: {verdict}: {gate['detail']}"


def failed_gate_line(gate: Mapping[str, Any]) -> str:
    """The stderr line of a failed gate: the option as typed, and by how much it failed."""
    option = f"--{gate['name']}" if gate["name"].startswith("fail-on") else f"--{gate['name']} {_threshold(gate)}"
    return f"gate failed: {option}: {gate['detail']}"


def _threshold(gate: Mapping[str, Any]) -> str:
    if gate["name"] == "max-cost-increase":
        return f"{gate['threshold']:+g}%"
    return f"{gate['threshold']:g}"


def _labelled(label: str, lines: list[str]) -> list[tuple[str, str]]:
    return [(label if index == 0 else "", line) for index, line in enumerate(lines)]


def _sides(block: Mapping[str, Any] | None) -> list[tuple[str, Mapping[str, Any]]]:
    return [(side, block[side]) for side in SIDES if block and block.get(side)]


def _stream_line(stats: Mapping[str, Any]) -> str:
    rate = stats.get("mean_output_tokens_per_s")
    text = f"usage arrived in {stats['usage_arrived']} of {stats['streams']} stream(s)"
    if rate is not None:
        estimated = " (some estimated by tiktoken: no usage)" if stats.get("output_rate_estimated") else ""
        text += f"; {rate:,.1f} output tokens/s after the first token{estimated}"
    for note in stats.get("notes") or ():
        text += f"; {note}"
    return text


def _parity_line(stats: Mapping[str, Any]) -> str:
    text = f"content agrees in {stats['content_agrees']} of {stats['cases']} case(s) streamed and not"
    if stats["usage_compared"]:
        text += f"; usage agrees in {stats['usage_agrees']} of {stats['usage_compared']}"
    missing = stats["cases"] - stats["usage_in_stream"]
    if missing:
        text += f"; {missing} stream(s) without usage"
    shown = stats.get("disagreements") or []
    if shown:
        text += f" ({'; '.join(shown[:3])}{' …' if len(shown) > 3 else ''})"
    return text


def _noise_line(noise: Mapping[str, Any]) -> str:
    text = (
        f"{noise['cases']} case(s) asked repeatedly; {noise['drift_within_noise']} difference(s) within the "
        "baseline's own variation judged equivalent"
    )
    unrepeated = {side: n for side, n in (noise.get("seed_not_repeated") or {}).items() if n}
    if unrepeated:
        text += "; a seed did not repeat: " + ", ".join(f"{side} {n} case(s)" for side, n in unrepeated.items())
    return text


def _replayed_line(origins: Mapping[str, Mapping[str, int]]) -> str:
    words = {"cache": "the cache", "resume": "the resumed results file", "live": "asked now"}
    if not any(set(counts) - {"live"} for counts in origins.values()):
        return ""
    parts = []
    for side in SIDES:
        counts = origins.get(side) or {}
        parts.append(f"{side} " + ", ".join(f"{n} {words.get(k, k)}" for k, n in sorted(counts.items())))
    return "; ".join(parts)
