"""Pure comparison of the two answers to one case: similarity, diff, and a verdict with its reason.

Verdicts, checked in this order:

- `broken`: a side failed; a tool call on one side only; `finish_reason` "length" (or
  "content_filter") on one side only; an empty answer where the other side has one; or the baseline
  answered with JSON and the candidate's answer does not parse.
- `same`: identical after normalisation (Unicode NFC, code-fence lines removed, runs of whitespace
  collapsed, trimmed; case is kept), with the same tool calls (by name and parsed arguments).
- `equivalent`: both answers are the same JSON value (key order and layout do not matter), or the
  text similarity is at least `EQUIVALENT_SIMILARITY` and both answers state the same numbers, or
  both made the same tool calls and only one also wrote text (no similarity: one text is empty).
- `drift`: anything else; the reason names the differing JSON paths, tool calls or numbers.

Similarity, in [0, 1], is the mean of rapidfuzz's `fuzz.ratio` (normalised Indel similarity of the
characters, sensitive to order) and `fuzz.token_set_ratio` (word sets, lower-cased, insensitive to
order and tolerant of one answer adding words). The first alone punishes a reordered sentence; the
second alone scores "Paris" 1.0 against "The capital of France is Paris."; the mean keeps both
failure modes in check. It is lexical: a paraphrase scores lower than its meaning deserves, and a
one-word factual change can score high, which is why differing numbers are checked separately.
JSON answers score 1.0 when equal, else the similarity of their canonical (sorted, compact) forms.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from functools import cache
from typing import Any

from migrate_cli.smoke.json_diff import (
    MAX_DIFFERENCES,
    canonical,
    json_differences,
    json_error,
    parse_json_output,
)
from migrate_cli.smoke.long_text import LONG_TEXT, capped_diff, capped_lines, leading_lines, long_similarity
from migrate_cli.smoke.records import Comparison, SideResult, Verdict

#: Text similarity from which two different answers count as equivalent rather than drift.
EQUIVALENT_SIMILARITY = 0.85
#: JSON paths named in a drift reason before "and N more".
MAX_REASON_PATHS = 4
#: Diff lines longer than this are split at sentence ends so one-line answers diff readably.
DIFF_SPLIT_WIDTH = 80
#: finish_reason values that mean the answer is incomplete when only one side has them.
_CUT_SHORT = {"length": "stopped at the token limit", "content_filter": "was cut by a content filter"}

_FENCE_LINE = re.compile(r"^[ \t]*```[\w+.-]*[ \t]*$", re.MULTILINE)
_WHITESPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"(?<!\w)-?\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def normalise(text: str) -> str:
    """NFC, code-fence lines removed, whitespace collapsed, trimmed."""
    text = unicodedata.normalize("NFC", text)
    if "```" in text:  # the fence pattern costs a scan of every line of a long answer
        text = _FENCE_LINE.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


def similarity(a: str, b: str) -> float:
    """Lexical similarity of two normalised texts in [0, 1] (see the module docstring)."""
    from rapidfuzz import fuzz, utils

    if a == b:
        return 1.0
    if len(a) + len(b) > LONG_TEXT:
        return long_similarity(a, b)  # the edit distance below costs minutes on megabytes
    ordered = fuzz.ratio(a, b)
    as_sets = fuzz.token_set_ratio(a, b, processor=utils.default_process)
    return round((ordered + as_sets) / 200, 4)


def percent_change(reference: float | None, value: float | None) -> float | None:
    """(value - reference) / reference in %, or None when either is missing or reference is 0."""
    if reference is None or value is None or reference == 0:
        return None
    return (value - reference) / reference * 100


def compare(baseline: SideResult, candidate: SideResult) -> Comparison:
    """Similarity, diff and verdict for one case's two answers."""
    base_text, cand_text = baseline.output or "", candidate.output or ""
    base_norm, cand_norm = normalise(base_text), normalise(cand_text)
    base_json, cand_json = parse_json_output(base_text), parse_json_output(cand_text)
    # The text similarity is the costly part on long answers: computed once, only where needed.
    text_score = cache(lambda: similarity(base_norm, cand_norm) if base_norm and cand_norm else None)
    # A failed side has no answer to diff against; the reason says what failed.
    both_ok = baseline.ok and candidate.ok
    diff = _render_diff(baseline, candidate, base_json, cand_json) if both_ok else ""

    def result(verdict: Verdict, reason: str, sim: float | None, json_equal: bool | None = None) -> Comparison:
        return Comparison(sim, verdict, reason, diff=diff, json_equal=json_equal)

    broken = _broken_reason(baseline, candidate, (not base_norm, not cand_norm), base_json, cand_json)
    if broken is not None:
        return result("broken", broken, text_score() if both_ok else None)

    calls_differ = _tool_call_differences(baseline.tool_calls, candidate.tool_calls)
    if calls_differ:
        return result("drift", "tool calls differ: " + _join_limited(calls_differ), text_score())

    if base_json is not None and cand_json is not None:
        if base_norm == cand_norm:
            return result("same", "identical JSON", 1.0, json_equal=True)
        paths = json_differences(base_json, cand_json)
        if not paths:
            return result("equivalent", "same JSON value (key order or layout differ)", 1.0, True)
        json_score = similarity(canonical(base_json), canonical(cand_json))
        reason = "JSON differs at " + _join_limited(paths, at_least=len(paths) >= MAX_DIFFERENCES)
        return result("drift", reason, json_score, False)

    if not base_norm and not cand_norm:
        if baseline.tool_calls:
            return result("same", "same tool calls (name and arguments)", 1.0)
        return result("same", "both answers are empty", None)
    if not base_norm or not cand_norm:
        # Text on one side only gets here only with tool calls on both sides (an empty answer against
        # text is broken above), and those are the same: one model narrated the call, the other did not.
        talker = "baseline" if base_norm else "candidate"
        return result("equivalent", f"same tool calls (name and arguments); only the {talker} also wrote text", None)
    if base_norm == cand_norm:
        return result("same", "identical after normalising whitespace and code fences", 1.0)
    score = text_score()
    assert score is not None  # both texts are non-empty here: an empty one is broken above
    threshold = EQUIVALENT_SIMILARITY
    if score < threshold:
        return result("drift", f"different wording (similarity {score:.2f} < {threshold})", score)
    numbers = _number_difference(base_norm, cand_norm)
    if numbers is not None:
        return result("drift", f"similar wording (similarity {score:.2f}) but {numbers}", score)
    return result("equivalent", f"similar wording (similarity {score:.2f} >= {threshold})", score)


def _broken_reason(
    baseline: SideResult,
    candidate: SideResult,
    empty: tuple[bool, bool],
    base_json: Any,
    cand_json: Any,
) -> str | None:
    failed = [side for side in (baseline, candidate) if side.error is not None]
    if len(failed) == 2:
        both = f"baseline: {_error_text(baseline)}; candidate: {_error_text(candidate)}"
        return f"both sides failed ({both})"
    if failed:
        return f"{failed[0].side} failed: {_error_text(failed[0])}"
    if bool(baseline.tool_calls) != bool(candidate.tool_calls):
        caller, other = (baseline, candidate) if baseline.tool_calls else (candidate, baseline)
        names = ", ".join(_call_name(call) for call in caller.tool_calls)
        return f"only the {caller.side} called a tool ({names}); the {other.side} did not"
    for finish, meaning in _CUT_SHORT.items():
        cut = [side for side in (baseline, candidate) if side.finish_reason == finish]
        if len(cut) == 1:
            other = candidate if cut[0] is baseline else baseline
            return f"the {cut[0].side} {meaning} (finish_reason={finish}); the {other.side} did not"
    # Empty after normalising: an answer that is only a code fence says nothing either.
    if not baseline.tool_calls and empty[0] != empty[1]:
        blank, answered = ("baseline", "candidate") if empty[0] else ("candidate", "baseline")
        return f"the {blank}'s answer is empty; the {answered} answered with text"
    if base_json is not None and candidate.output and cand_json is None:
        problem = json_error(candidate.output)
        return f"the baseline answered with JSON; the candidate's answer is not valid JSON ({problem})"
    return None


def _error_text(side: SideResult) -> str:
    error = side.error
    if error is None:
        return ""
    status = f" {error.status}" if error.status else ""
    return f"{error.kind}{status}: {error.message}"


def _join_limited(items: list[str], *, at_least: bool = False) -> str:
    """The first few items and how many more; `at_least` when `items` was cut at a limit."""
    shown = ", ".join(items[:MAX_REASON_PATHS])
    more = len(items) - MAX_REASON_PATHS
    return shown + (f" and {more}{'+' if at_least else ''} more" if more > 0 else "")


# --- tool calls -----------------------------------------------------------------------------------


def _call_function(call: dict[str, Any]) -> dict[str, Any]:
    """The `function` object of a chat tool call, or the call itself when its fields are flat."""
    function = call.get("function")
    return function if isinstance(function, dict) else call


def _call_name(call: dict[str, Any]) -> str:
    return str(_call_function(call).get("name", "?"))


def _call_arguments(call: dict[str, Any]) -> Any:
    arguments = _call_function(call).get("arguments", "")
    if isinstance(arguments, str):
        try:
            return json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            return arguments  # compared as the raw string
    return arguments


def _tool_call_differences(a: tuple[dict[str, Any], ...], b: tuple[dict[str, Any], ...]) -> list[str]:
    """Differences by name and parsed arguments, in order; call ids are ignored (always unique)."""
    if len(a) != len(b):
        names_a = ", ".join(map(_call_name, a)) or "none"
        names_b = ", ".join(map(_call_name, b)) or "none"
        return [f"{len(a)} calls ({names_a}) vs {len(b)} ({names_b})"]
    found: list[str] = []
    for index, (call_a, call_b) in enumerate(zip(a, b, strict=True)):
        name_a, name_b = _call_name(call_a), _call_name(call_b)
        if name_a != name_b:
            found.append(f"call {index + 1} is {name_a} vs {name_b}")
            continue
        paths = json_differences(_call_arguments(call_a), _call_arguments(call_b))
        found += [f"{name_a} arguments {p.replace('$', '', 1).lstrip('.') or 'value'}" for p in paths]
    return found


# --- numbers and diff ---------------------------------------------------------------------------


def _number_difference(a: str, b: str) -> str | None:
    """Names the numbers one answer states and the other does not; lexical scores miss these."""
    numbers_a, numbers_b = _NUMBER.findall(a), _NUMBER.findall(b)
    if sorted(numbers_a) == sorted(numbers_b):
        return None
    set_a, set_b = set(numbers_a), set(numbers_b)  # a long answer can state 100,000 numbers
    only_a = [n for n in dict.fromkeys(numbers_a) if n not in set_b]
    only_b = [n for n in dict.fromkeys(numbers_b) if n not in set_a]
    if not only_a and not only_b:
        return None  # same numbers, different repetition: leave it to the similarity score
    parts = []
    if only_a:
        parts.append("baseline says " + ", ".join(only_a[:MAX_REASON_PATHS]))
    if only_b:
        parts.append("candidate says " + ", ".join(only_b[:MAX_REASON_PATHS]))
    return "numbers differ (" + "; ".join(parts) + ")"


def _render_diff(baseline: SideResult, candidate: SideResult, base_json: Any, cand_json: Any) -> str:
    """Unified diff of the two answers (JSON pretty-printed, tool calls listed, long lines split),
    its inputs and its length capped (long_text.py): difflib's time grows with the product of
    the line counts."""
    lines_a, lines_b = _diff_lines(baseline, base_json), _diff_lines(candidate, cand_json)
    if lines_a == lines_b:
        return ""
    diff = difflib.unified_diff(
        capped_lines(lines_a),
        capped_lines(lines_b),
        fromfile=f"baseline ({baseline.model})",
        tofile=f"candidate ({candidate.model})",
        lineterm="",
    )
    return "\n".join(capped_diff(diff))


def _diff_lines(side: SideResult, parsed: Any) -> list[str]:
    text = side.output or ""
    if parsed is not None:
        encoder = json.JSONEncoder(indent=2, sort_keys=True, ensure_ascii=False)
        lines = leading_lines(encoder.iterencode(parsed))
    else:
        lines = []
        for line in text.splitlines():
            line = line.rstrip()
            lines += _SENTENCE_END.split(line) if len(line) > DIFF_SPLIT_WIDTH else [line]
    for call in side.tool_calls:
        arguments = json.dumps(_call_arguments(call), sort_keys=True, ensure_ascii=False)
        lines.append(f"[tool call] {_call_name(call)}({arguments})")
    return lines
