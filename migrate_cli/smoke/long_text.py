"""Bounded-cost comparison of long answers: a linear-time similarity and capped diff inputs.

The comparison runs on the event loop between two answers arriving, so its cost is the run's
latency and how soon Ctrl-C is honoured. rapidfuzz's `ratio` is an edit distance: its time grows
with the product of the two lengths (two 2 MB answers: minutes). Past `LONG_TEXT` characters the
score is computed from word counts instead, in time linear in the length:

- order: the Dice coefficient of the two texts' sets of word trigrams, the share of three-word
  runs the answers have in common, which a reordering lowers as `ratio` does;
- vocabulary: the share of the smaller answer's distinct words that the other also uses, which,
  like `token_set_ratio`, does not punish one answer for adding words.

The score is their mean, in [0, 1], like the short-text score it stands in for; both are lexical.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Two texts longer than this together (in characters) are scored by `long_similarity`.
LONG_TEXT = 20_000
#: Lines of each answer fed to the diff; difflib's time grows with the product of the counts.
MAX_DIFF_INPUT_LINES = 1_000
#: Characters kept of one diff line (a one-line 2 MB answer would otherwise be quoted whole).
MAX_DIFF_LINE = 1_000
#: Lines of diff kept; the report has both answers in full.
MAX_DIFF_OUTPUT_LINES = 400
#: Runs of characters standing in for words in a text without spaces (base64, minified code).
_CHUNK = 8


def long_similarity(a: str, b: str) -> float:
    """Similarity of two long texts in [0, 1], in linear time (see the module docstring)."""
    from rapidfuzz import utils

    words_a, words_b = _words(utils.default_process(a)), _words(utils.default_process(b))
    ordered = _dice(_trigrams(words_a), _trigrams(words_b))
    set_a, set_b = set(words_a), set(words_b)
    smaller = min(len(set_a), len(set_b))
    shared = len(set_a & set_b) / smaller if smaller else float(set_a == set_b)
    return round((ordered + shared) / 2, 4)


NOT_DIFFED = "… the rest is not diffed"


def capped_lines(lines: list[str]) -> list[str]:
    """The first `MAX_DIFF_INPUT_LINES` lines, each cut at `MAX_DIFF_LINE` characters, and a
    last line saying the rest was left out."""
    kept = [line if len(line) <= MAX_DIFF_LINE else line[:MAX_DIFF_LINE] + " …" for line in lines]
    return kept if len(kept) <= MAX_DIFF_INPUT_LINES else [*kept[:MAX_DIFF_INPUT_LINES], NOT_DIFFED]


def leading_lines(chunks: Iterable[str]) -> list[str]:
    """The lines of a text produced in chunks (an encoder's `iterencode`), stopping once more than
    `MAX_DIFF_INPUT_LINES` are in: the rest would never be diffed (pretty-printing a 2 MB JSON
    answer whole costs half a second)."""
    buffer: list[str] = []
    newlines = 0
    for chunk in chunks:
        buffer.append(chunk)
        newlines += chunk.count("\n")
        if newlines > MAX_DIFF_INPUT_LINES:
            return [*"".join(buffer).split("\n")[:MAX_DIFF_INPUT_LINES], NOT_DIFFED]
    return "".join(buffer).split("\n")


def capped_diff(lines: Iterable[str]) -> list[str]:
    """At most `MAX_DIFF_OUTPUT_LINES` lines of a diff, and a last line when it was cut."""
    kept: list[str] = []
    for line in lines:
        if len(kept) == MAX_DIFF_OUTPUT_LINES:
            kept.append(f"… diff cut at {MAX_DIFF_OUTPUT_LINES} lines; the report has both answers in full")
            break
        kept.append(line)
    return kept


def _words(text: str) -> list[str]:
    words = text.split()
    if len(words) >= 3 or len(text) <= _CHUNK:
        return words
    return [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)]


def _trigrams(words: list[str]) -> set[str]:
    """The distinct word trigrams, each joined into one string (words hold no spaces): building
    and hashing them stays in C, which is what makes two 2 MB answers take a fraction of a second
    (a Counter of tuples took seconds)."""
    return set(map(" ".join, zip(words, words[1:], words[2:], strict=False))) if len(words) >= 3 else set(words)


def _dice(a: set[str], b: set[str]) -> float:
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 1.0
