"""Pure: two answers split into words, with the words only one side has marked for highlighting.

Tokens are runs of word characters, runs of whitespace, and single punctuation marks, so a changed
number or a dropped comma is marked alone. difflib's SequenceMatcher (with autojunk off: common
words are exactly what a short answer is made of) is quadratic in the worst case, so very long
answers are compared only up to `MAX_TOKENS` tokens and the rest is shown unmarked.
"""

from __future__ import annotations

import difflib
import re

MAX_TOKENS = 4000
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

#: (text, changed) pieces for one side.
Pieces = list[tuple[str, bool]]


def word_diff(baseline: str, candidate: str) -> tuple[Pieces, Pieces]:
    a, b = _TOKEN.findall(baseline), _TOKEN.findall(candidate)
    rest_a, rest_b = "".join(a[MAX_TOKENS:]), "".join(b[MAX_TOKENS:])
    a, b = a[:MAX_TOKENS], b[:MAX_TOKENS]
    left: Pieces = []
    right: Pieces = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = op != "equal"
        if i2 > i1:
            left.append(("".join(a[i1:i2]), changed and not _blank(a[i1:i2])))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), changed and not _blank(b[j1:j2])))
    if rest_a:
        left.append((rest_a, False))
    if rest_b:
        right.append((rest_b, False))
    return left, right


def _blank(tokens: list[str]) -> bool:
    return all(not token.strip() for token in tokens)
