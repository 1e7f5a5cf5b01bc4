"""How long does `--interactive` take to prepare a file's questions? Prints figures; asserts nothing.

    python benchmarks/interactive_bench.py [--sizes 10,100,400] [--repeat 3]

Before the first question about a file, --interactive reads it again, rewrites it (the engine) and
cuts the result into hunks (hunks.py, hunk_deps.py). This times the cutting alone, for one file
with N clients (each in its own function, all needing the `import os` the rewrite adds), plus the
one check a partly accepted file gets before it is written (name_check.refusal, every other
change accepted). The engine's own time is printed beside it for scale. Best of --repeat runs.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import rewrite_source
from migrate_cli.rewrite.interactive.hunk_deps import plan_hunks
from migrate_cli.rewrite.interactive.name_check import refusal
from migrate_cli.rewrite.model import RewriteSettings


def source_with(clients: int) -> str:
    body = "".join(f"\n\ndef make_{i}():\n    return OpenAI(timeout=30)\n" for i in range(clients))
    return "from openai import OpenAI\n" + body


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,400")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    target = resolve_target()
    settings = RewriteSettings(target=target)
    print(f"{'clients':>8} {'lines':>6} {'engine s':>9} {'hunks s':>8} {'check s':>8} {'questions':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        code = source_with(size)
        result = rewrite_source(code, settings)
        engine = best(args.repeat, functools.partial(rewrite_source, code, settings))
        cut = functools.partial(
            plan_hunks, code, result.code, result.changes, url=target.base_url, key_env=target.api_key_env
        )
        plan = cut()
        cutting = best(args.repeat, cut)
        half = plan.applied(plan.hunks[::2])
        assert refusal(plan, half) is None
        check = best(args.repeat, functools.partial(refusal, plan, half))
        print(f"{size:>8} {code.count(chr(10)):>6} {engine:>9.3f} {cutting:>8.3f} {check:>8.3f} {len(plan.hunks):>9}")


if __name__ == "__main__":
    main()
