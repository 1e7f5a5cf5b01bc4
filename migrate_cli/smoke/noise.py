"""Pure: the noise floor of a case asked N times on each side (`--repeat N`).

A model that does not repeat itself makes every comparison look like drift. With N answers per
side, a side's noise floor is the lowest similarity between two of its own answers (compare.py's
score, so JSON answers are compared as JSON). The verdict keeps comparing the first answers of the
two sides; when that verdict is `drift` and the candidate differs from the baseline no more than
the baseline differs from itself (similarity >= the baseline's floor), it becomes `equivalent`,
and the reason says why. `broken` is never softened.

With a `seed`, each side should repeat itself exactly; a side whose answers still differ is
flagged, with the `system_fingerprint`s it reported (a changed backend explains a changed answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

from migrate_cli.smoke.compare import compare, normalise
from migrate_cli.smoke.records import Comparison, NoiseFloor, SideResult


def self_similarity(answers: Sequence[SideResult]) -> float | None:
    """Lowest pairwise similarity of a side's successful answers; None with fewer than two."""
    usable = [answer for answer in answers if answer.ok]
    scores: list[float] = []
    for first, second in combinations(usable, 2):
        score = compare(first, second).similarity
        # Two empty answers (or two tool calls with no text) have no text score: equal means 1.
        scores.append(score if score is not None else (1.0 if _same(first, second) else 0.0))
    return min(scores) if scores else None


def noise_floor(baseline: Sequence[SideResult], candidate: Sequence[SideResult], seed: object) -> NoiseFloor:
    sides = {"baseline": baseline, "candidate": candidate}
    seed_value = seed if isinstance(seed, int) and not isinstance(seed, bool) else None
    repeated: dict[str, bool | None] = {}
    for name, answers in sides.items():
        usable = [answer for answer in answers if answer.ok]
        repeated[name] = None if seed_value is None or len(usable) < 2 else all(_same(usable[0], a) for a in usable)
    return NoiseFloor(
        baseline=self_similarity(baseline),
        candidate=self_similarity(candidate),
        answers=len(baseline),
        seed=seed_value,
        seed_repeated=repeated,
        fingerprints={
            name: sorted({a.system_fingerprint for a in answers if a.system_fingerprint})
            for name, answers in sides.items()
        },
        extra_outputs={name: [a.output if a.ok else None for a in answers[1:]] for name, answers in sides.items()},
    )


def judge_with_noise(comparison: Comparison, noise: NoiseFloor) -> Comparison:
    """`drift` within the baseline's own variation becomes `equivalent`, saying so."""
    floor, score = noise.baseline, comparison.similarity
    if comparison.verdict != "drift" or floor is None or score is None or score < floor:
        return comparison
    reason = (
        f"differs from the baseline (similarity {score:.2f}) no more than the baseline differs from itself "
        f"(noise floor {floor:.2f} over {noise.answers} answers); without the repeats: {comparison.reason}"
    )
    return replace(comparison, verdict="equivalent", reason=reason)


def seed_notes(noise: NoiseFloor) -> list[str]:
    """One line per side whose seed did not make it repeat itself."""
    notes = []
    for side, repeated in noise.seed_repeated.items():
        if repeated is False:
            prints = noise.fingerprints.get(side) or []
            backends = f"; system_fingerprint {', '.join(prints)}" if prints else "; no system_fingerprint sent"
            notes.append(
                f"seed {noise.seed} did not make the {side} repeat itself over {noise.answers} answers{backends}"
            )
    return notes


def _same(first: SideResult, second: SideResult) -> bool:
    return normalise(first.output or "") == normalise(second.output or "") and _calls(first) == _calls(second)


def _calls(side: SideResult) -> list[tuple[str, str]]:
    return [
        (str((call.get("function") or {}).get("name")), str((call.get("function") or {}).get("arguments")))
        for call in side.tool_calls
    ]
