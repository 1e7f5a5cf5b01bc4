"""Ctrl-C at random moments of `migrate rewrite`: is anything ever lost, half-written or leaked?

    python benchmarks/chaos_rewrite.py                 # 30 trials with --jobs 1, 30 with --jobs 2
    python benchmarks/chaos_rewrite.py --trials 100    # per --jobs value
    python benchmarks/chaos_rewrite.py --seed 7        # another sequence of moments

A tree of generated modules (the forms of rewrite_bench.py) is built once; a fourth of them also
hold a hard-coded key, in four shapes (64 hex characters, gsk_..., xai-..., a short one). A full,
uninterrupted run gives each file's rewritten bytes. Then each trial copies the tree, starts
`migrate rewrite TREE --json --jobs N` in its own process group, and at a random moment of the
run sends SIGINT to the group, as a terminal's Ctrl-C does; in half of the trials a second
SIGINT follows 0-300 ms later. Each trial is checked:

- data lost: a file that is neither as it was nor exactly as the full run rewrote it, or a file
  the JSON lists as written that is not (or one rewritten that it does not list);
- temp files: a `.migrate-tmp` file left behind;
- key leaks: a key's value on stdout or stderr, or in a file migrate wrote;
- hung: the process still running 60 s after the signal (it is then killed);
- bad exit: not exactly one JSON object on stdout, or an exit code other than 130 (or 0 for a run
  that finished before the signal landed). A signal that lands while Python and the CLI are still
  starting (before the command runs) may end it with "interrupted" and no JSON: nothing was done.

A trial survives when none of these happened. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rewrite_bench import client_file  # the same generated modules as the speed benchmark

WORK = Path(__file__).resolve().parent / ".work"
FILES = 400
HANG_SECONDS = 60.0
KEYS = {
    "hex": "9f3a" * 16,
    "groq": "gsk_" + "Xy7Qp2Lm9Rt4" * 4 + "Zz",
    "xai": "xai-" + "Bn4Kd8Wq1Ve5" * 6,
    "short": "k3y-0f-9",
}
TEMP_SUFFIX = ".migrate-tmp"


@dataclass
class Tally:
    trials: int = 0
    survived: int = 0
    interrupted: int = 0
    before_start: int = 0
    second_ctrl_c: int = 0
    finished_first: int = 0
    data_lost: int = 0
    temp_left: int = 0
    key_leaks: int = 0
    hung: int = 0
    bad_exit: int = 0
    problems: list[str] = field(default_factory=list)


def build_tree(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    for k in range(FILES):
        directory = root / f"pkg_{k // 100:02}"
        directory.mkdir(parents=True, exist_ok=True)
        code = client_file(rng)
        if k % 4 == 0:
            key = list(KEYS.values())[(k // 4) % len(KEYS)]
            code += f'\nKEYED_{k} = OpenAI(api_key="{key}")\n'
            if "from openai import OpenAI\n" not in code:  # `import OpenAI as LLM` does not bind it
                code = "from openai import OpenAI\n" + code
        (directory / f"module_{k:04}.py").write_text(code)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def migrate(root: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "migrate_cli", "rewrite", str(root), "--json", "--jobs", str(jobs)]


def prepare(seed: int) -> tuple[Path, dict[str, bytes], dict[str, bytes], float]:
    """The original tree, its files before and after a full run, and how long a full run takes."""
    original = WORK / f"chaos_tree_{seed}"
    if not (original / ".complete").exists():
        shutil.rmtree(original, ignore_errors=True)
        build_tree(original, seed)
        (original / ".complete").touch()
    before = {k: v for k, v in snapshot(original).items() if k != ".complete"}
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(original, tree)
        start = time.perf_counter()
        subprocess.run(migrate(tree, 1), capture_output=True, check=False)
        duration = time.perf_counter() - start
        after = {k: v for k, v in snapshot(tree).items() if k != ".complete"}
    kept = [name for name, data in after.items() for key in KEYS.values() if key.encode() in data]
    if kept:  # the full run itself left a hard-coded key in code: a finding of its own, not chaos
        print(f"note: the uninterrupted run keeps a hard-coded key in {len(kept)} files, e.g. {kept[0]}")
    return original, before, after, duration


def trial(
    original: Path,
    before: dict[str, bytes],
    after: dict[str, bytes],
    jobs: int,
    delay: float,
    second: float | None,
    tally: Tally,
) -> None:
    tally.trials += 1
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(original, tree)
        process = subprocess.Popen(
            migrate(tree, jobs),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: the SIGINT goes to it and its workers only
        )
        time.sleep(delay)
        signalled = process.poll() is None
        if signalled:
            os.killpg(process.pid, signal.SIGINT)
            if second is not None:
                time.sleep(second)
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGINT)
                    tally.second_ctrl_c += 1
        try:
            out, err = process.communicate(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            tally.hung += 1
            problems.append("hung")
        now = {k: v for k, v in snapshot(tree).items() if k != ".complete"}

        temps = [k for k in now if k.endswith(TEMP_SUFFIX)]
        if temps:
            tally.temp_left += 1
            problems.append(f"temp files left: {temps[:3]}")
        rewritten = set()
        lost = []
        for name, data in now.items():
            if name.endswith(TEMP_SUFFIX):
                continue
            if data == after.get(name) and data != before.get(name):
                rewritten.add(name)
            elif data != before.get(name):
                lost.append(name)
        before_start = signalled and not out and err == b"interrupted\n" and not rewritten and not lost
        try:
            report = None if before_start else json.loads(out)
            if report is not None:
                listed = {str(Path(p).relative_to(tree)) for p in report["changed"]}
                if listed != rewritten:
                    lost.append(f"JSON lists {len(listed)} written, {len(rewritten)} were")
        except (ValueError, KeyError) as exc:
            report = None
            tally.bad_exit += 1
            problems.append(f"stdout is not one JSON object ({exc}): {out[:80]!r}")
        if lost:
            tally.data_lost += 1
            problems.append(f"data lost: {lost[:3]}")
        # Rewritten files are byte-identical to the full run's (checked above); what a trial adds is
        # its output, and any temporary file it left.
        seen = out + err + b"".join(now[name] for name in temps)
        leaked = [name for name, key in KEYS.items() if key.encode() in seen]
        if leaked:
            tally.key_leaks += 1
            problems.append(f"keys leaked: {leaked}")
        interrupted = before_start or (report is not None and "interrupted" in report)
        expected = (130,) if interrupted else (0, 130)
        if process.returncode not in expected:
            tally.bad_exit += 1
            problems.append(f"exit code {process.returncode}: {err[-200:]!r}")
        if before_start:  # while Python and the CLI were still starting: nothing done, nothing to list
            tally.before_start += 1
        elif interrupted:
            tally.interrupted += 1
        elif process.returncode == 0:
            tally.finished_first += 1
    if problems:
        tally.problems.append(f"--jobs {jobs}, SIGINT at {delay:.3f} s, second {second}: {'; '.join(problems)}")
    else:
        tally.survived += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=30, help="trials per --jobs value")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    original, before, after, duration = prepare(args.seed)
    changed = sum(1 for name in after if after[name] != before.get(name))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; tree: {len(before)} files, {changed} rewritten")
    print(f"a full run takes {duration:.2f} s; SIGINT lands uniformly within it")
    for jobs in (1, 2):
        tally = Tally()
        for _ in range(args.trials):
            delay = rng.uniform(0.05, duration)
            second = rng.uniform(0.0, 0.3) if rng.random() < 0.5 else None
            trial(original, before, after, jobs, delay, second, tally)
        print(
            f"--jobs {jobs}: {tally.trials} trials, {tally.survived} survived "
            f"({tally.interrupted} interrupted mid-run, {tally.before_start} before the run started, "
            f"{tally.second_ctrl_c} with a second Ctrl-C, "
            f"{tally.finished_first} finished before the signal); data lost {tally.data_lost}, "
            f"temp files left {tally.temp_left}, key leaks {tally.key_leaks}, hung {tally.hung}, "
            f"bad exit {tally.bad_exit}"
        )
        for problem in tally.problems:
            print(f"   {problem}")


if __name__ == "__main__":
    main()
