"""How fast and how lean is the pure core of `migrate smoke`? Prints figures; asserts nothing.

    python benchmarks/smoke_core_bench.py [--cases 100000]

1. Validating a generated prompts file of N cases (default 100,000) in one streaming pass: wall time,
   and the peak Python heap of a second, traced pass (tracemalloc); then both again with the
   per-side tiktoken sums --dry-run needs. Target: the whole smoke run on such a file under 300 MB.
2. Loading each encoding from the bpe-openai wheel (first use in a process).
3. compare() on 10,000 answer pairs of ~60 words: cases per second.

The prompts file is written line by line under benchmarks/.work/ (gitignored) and reused.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / ".work"
sys.path.insert(0, str(ROOT))

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "seven",
    "wizards",
    "quietly",
    "judge",
    "boxing",
    "matches",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def write_prompts(path: Path, cases: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for index in range(cases):
            if index % 2:
                line = {"prompt": sentence(rng, 40), "temperature": 0, "max_tokens": 200}
            else:
                line = {
                    "id": f"case-{index}",
                    "model": "gpt-4.1-mini",
                    "messages": [
                        {"role": "system", "content": sentence(rng, 20)},
                        {"role": "user", "content": sentence(rng, 60)},
                    ],
                    "seed": index,
                }
            out.write(json.dumps(line) + "\n")


def bench_validate(path: Path) -> None:
    from migrate_cli.smoke.cases import validate_prompts_file

    for label, side_models in (
        ("validate only", None),
        ("validate + token sums", lambda case: {"baseline": case.model, "candidate": "mira"}),
    ):
        if side_models is not None:  # load encodings first so their size is not counted as the pass
            from migrate_cli.smoke.tokens import CL100K, O200K, get_ruler

            get_ruler(O200K), get_ruler(CL100K)
        started = time.perf_counter()
        summary = validate_prompts_file(path, default_model="gpt-4o", side_models=side_models)
        elapsed = time.perf_counter() - started
        # A second pass under tracemalloc for the heap figure (tracing slows it several-fold).
        tracemalloc.start()
        validate_prompts_file(path, default_model="gpt-4o", side_models=side_models)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  {label:<22} {summary.cases:,} cases in {elapsed:.2f} s "
            f"({summary.cases / elapsed:,.0f} cases/s), peak heap during the pass {peak / 2**20:.1f} MB"
        )
        if summary.prompt_tokens:
            sums = ", ".join(f"{side}/{model}={tokens:,}" for (side, model), tokens in summary.prompt_tokens.items())
            print(f"  {'':<22} prompt tokens: {sums}")


def bench_encodings() -> None:
    from migrate_cli.smoke import tokens

    tokens.clear_cache()
    for name in (tokens.O200K, tokens.CL100K):
        started = time.perf_counter()
        ruler = tokens.get_ruler(name)
        print(f"  {name}: loaded from {ruler.source} in {time.perf_counter() - started:.2f} s")


def bench_compare(pairs: int = 10_000) -> None:
    from migrate_cli.smoke.compare import compare
    from migrate_cli.smoke.records import SideResult

    rng = random.Random(11)
    texts = [(sentence(rng, 60), sentence(rng, 60)) for _ in range(pairs)]
    started = time.perf_counter()
    for a, b in texts:
        compare(
            SideResult(side="baseline", model="gpt-4o", request={}, output=a),
            SideResult(side="candidate", model="mira", request={}, output=b),
        )
    elapsed = time.perf_counter() - started
    print(f"  {pairs:,} pairs in {elapsed:.2f} s ({pairs / elapsed:,.0f} comparisons/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    path = WORK / f"prompts-{args.cases}.jsonl"
    if not path.exists():
        write_prompts(path, args.cases)
    print(f"1. prompts file {path.name} ({path.stat().st_size / 2**20:.1f} MB)")
    bench_validate(path)
    print("2. encodings")
    bench_encodings()
    print("3. compare")
    bench_compare()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this whole process: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
