"""long_text.py: the linear-time score of long answers keeps the short score's meaning, and the
diff of long answers is capped."""

from __future__ import annotations

import random
from collections.abc import Iterator

from migrate_cli.smoke.compare import similarity
from migrate_cli.smoke.long_text import (
    LONG_TEXT,
    MAX_DIFF_INPUT_LINES,
    MAX_DIFF_LINE,
    MAX_DIFF_OUTPUT_LINES,
    NOT_DIFFED,
    capped_diff,
    capped_lines,
    leading_lines,
    long_similarity,
)

SENTENCE = "the quick brown fox jumps over lazy dogs while seven wise owls watch silent rivers flow"
WORDS = SENTENCE.split()


def prose(seed: int, words: int = 8_000) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(words))


def test_long_texts_take_the_linear_path_and_score_in_range() -> None:
    a, b = prose(1), prose(2)
    assert len(a) + len(b) > LONG_TEXT
    assert similarity(a, b) == long_similarity(a, b)
    assert 0 <= long_similarity(a, b) <= 1


def test_identical_long_texts_score_one_and_disjoint_ones_zero() -> None:
    a = prose(1)
    assert long_similarity(a, a.upper()) == 1.0  # case is ignored, as token_set_ratio's processor does
    assert long_similarity(a, " ".join(f"other{i}" for i in range(8_000))) == 0.0


def test_reordering_lowers_the_score_but_keeps_the_vocabulary_part() -> None:
    a = prose(1)
    words = a.split()
    shuffled = " ".join(random.Random(3).sample(words, len(words)))
    edited = " ".join(words[:-50] + ["changed"] * 50)
    assert long_similarity(a, edited) > long_similarity(a, shuffled) >= 0.5  # the same words: half the score
    assert long_similarity(a, shuffled) < 0.9


def test_a_long_answer_that_adds_to_the_other_is_not_punished_for_its_vocabulary() -> None:
    a = prose(1)
    longer = a + " " + prose(5, 2_000)
    assert long_similarity(a, longer) > long_similarity(a, prose(9))


def test_text_without_spaces_is_scored_by_chunks() -> None:
    rng = random.Random(7)
    a = "".join(rng.choice("abcdef0123456789") for _ in range(40_000))  # hex, base64, minified code
    assert long_similarity(a, a + "x") > 0.9 and long_similarity(a, a.replace("a", "z")) < 0.7


def test_diff_inputs_and_output_are_capped() -> None:
    lines = capped_lines(["x" * (MAX_DIFF_LINE * 3)] + [f"line {i}" for i in range(5_000)])
    assert len(lines) == MAX_DIFF_INPUT_LINES + 1 and lines[-1] == NOT_DIFFED
    assert len(lines[0]) <= MAX_DIFF_LINE + 2
    diff = capped_diff(f"+{i}" for i in range(10_000))
    assert len(diff) == MAX_DIFF_OUTPUT_LINES + 1 and "cut at" in diff[-1]
    assert capped_diff(["a", "b"]) == ["a", "b"]


def test_leading_lines_stops_reading_an_encoder_early() -> None:
    produced = 0

    def chunks() -> Iterator[str]:
        nonlocal produced
        for index in range(100_000):
            produced += 1
            yield f"{index}\n"

    lines = leading_lines(chunks())
    assert len(lines) == MAX_DIFF_INPUT_LINES + 1 and lines[-1] == NOT_DIFFED
    assert produced < 2 * MAX_DIFF_INPUT_LINES
    assert leading_lines(iter(["a\nb"])) == ["a", "b"]
