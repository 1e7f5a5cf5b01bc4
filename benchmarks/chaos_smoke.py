"""Chaos: Ctrl-C at a random moment of `migrate smoke` runs. Prints figures; asserts nothing.

    python benchmarks/chaos_smoke.py [--trials 40] [--big-trials 8] [--startup-trials 8] [--seed 1] [--keep DIR]
    python benchmarks/chaos_smoke.py --compare-only

Each trial runs the real CLI in a child process against two fake providers, each a process of its
own (tests/smoke/server.py), with keys of shapes no pattern catches: 64 hex characters on the
baseline, and `gsk_...`, `xai-...` or a 6-character key on the candidate in turn. Every third answer
quotes the request's Authorization header in its text, tool call and usage (the `answer_echo_auth`
fault). Servers answer after a random 20-200 ms; every other trial streams. `migrate smoke` runs
200 cases at --concurrency 8 with --results and --report, and gets SIGINT a random 0-2.5 s after
it has started (printed its endpoints); one trial in four gets a second SIGINT 50 ms after the
first. A "big" trial does the same with 2 MB answers on both sides (the comparison of two such
answers used to block the run for minutes), once a few have arrived. A "start-up" trial gets its
SIGINT 20-400 ms after the process starts, while Python is still importing.

Checked per trial:

- survived: exit code 130 (or 0 when the run finished before the signal), no traceback, and the
  process gone within 30 s of the signal. A second Ctrl-C exits at once: the process may then end
  killed by SIGINT, which a shell also reports as 130;
- results valid: every line of --results parses as JSON and the file ends with a newline;
- report complete: --report parses as JSON and ends with its summary, whenever the run had
  started (a Ctrl-C before the outputs are opened leaves neither file);
- data lost: answers a server finished sending at least 0.2 s before the first SIGINT that are not
  in --results (answers still arriving at the signal are cancelled with their call: counted apart,
  as "in flight");
- key leaks: any 8 consecutive characters of either key (the whole key when shorter) in standard
  output, standard error, --results or --report;
- Ctrl-C to "interrupted" and to exit: seconds from the first SIGINT to the CLI's "interrupted"
  line on standard error (the run has stopped, outputs are complete), and to the process's exit
  (interpreter shutdown included).

Before the trials it times, in this process, what one 2 MB case costs on the event loop: the
comparison of two 2 MB answers (prose, one long line without spaces, a 300,000-number JSON array),
best of 3 each, wall and CPU seconds; `--compare-only` stops there.

Everything stays on 127.0.0.1; each run is bounded (200 cases, 30 s after the signal).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "smoke" / "server.py"
BASELINE_KEY = "3f9ac2d1e8b7460f9a2c5d7e1b3f8a6c0d4e2f9b7a1c3e5d8f0a2b4c6d8e0f1a"
CANDIDATE_KEYS = ["gsk_Wq8Zt3LmNp5Rv7Xy9Ab2Cd4Ef6Gh8Jk0", "xai-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4", "k3Y!z9"]
CASES = 200
GRACE = 0.2


@dataclass
class Trial:
    number: int
    kind: str
    code: int = 0
    survived: bool = False
    results_valid: bool = False
    report_complete: bool = False
    lost: int = 0
    in_flight: int = 0
    leaks: list[str] = field(default_factory=list)
    exit_after_signal: float | None = None
    stopped_after_signal: float | None = None
    finished_before_signal: bool = False
    signals: int = 0


@contextmanager
def server(key: str, delay: float, log: Path, big: bool) -> Iterator[str]:
    command = [sys.executable, str(SERVER), "--key", key, "--delay", str(delay), "--log", str(log)]
    command += ["--fault", "huge"] if big else ["--fault", "answer_echo_auth", "--fault-every", "3"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(timeout=30)


def leaked(text: str, key: str, width: int = 8) -> bool:
    secret = key[4:] if key.startswith(("gsk_", "xai-")) else key
    if len(secret) <= width:
        return secret in text
    return any(secret[i : i + width] in text for i in range(len(secret) - width + 1))


def run_trial(number: int, rng: random.Random, work: Path, kind: str) -> Trial:
    trial = Trial(number, kind)
    big = kind == "big"
    folder = work / f"trial{number}"
    folder.mkdir()
    prompts = folder / "prompts.jsonl"
    cases = 12 if big else CASES
    with prompts.open("w") as out:
        for index in range(cases):
            out.write(json.dumps({"id": f"c{index}", "model": "gpt-4o-mini", "prompt": f"case {index}"}) + "\n")
    candidate_key = CANDIDATE_KEYS[number % len(CANDIDATE_KEYS)]
    delay = rng.uniform(0.02, 0.2)
    stream = number % 2 == 1
    logs = folder / "baseline.log", folder / "candidate.log"
    with server(BASELINE_KEY, delay, logs[0], big) as baseline, server(candidate_key, delay, logs[1], big) as candidate:
        command = [
            sys.executable,
            "-m",
            "migrate_cli",
            "smoke",
            str(prompts),
            "--baseline-base-url",
            baseline,
            "--baseline-api-key-env",
            "CHAOS_BASELINE_KEY",
            "--base-url",
            candidate,
            "--api-key-env",
            "CHAOS_CANDIDATE_KEY",
            "--model",
            "mira",
            "--max-retries",
            "0",
            "--concurrency",
            "2" if big else "8",
            "--results",
            str(folder / "answers.jsonl"),
            "--report",
            str(folder / "report.json"),
            *(["--stream"] if stream else []),
        ]
        env = {**os.environ, "CHAOS_BASELINE_KEY": BASELINE_KEY, "CHAOS_CANDIDATE_KEY": candidate_key, "NO_COLOR": "1"}
        stdout, stderr = (folder / "stdout").open("wb"), (folder / "stderr").open("wb")
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=stdout, stderr=stderr)
        until = time.monotonic() + 60
        if big:  # wait until big answers are being compared, then interrupt
            results = folder / "answers.jsonl"
            while time.monotonic() < until and (not results.exists() or results.stat().st_size < 4_000_000):
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.5))
        elif kind == "start-up":
            time.sleep(rng.uniform(0.02, 0.4))
        else:
            while time.monotonic() < until and "candidate:" not in (folder / "stderr").read_text("utf-8", "replace"):
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 2.5))
        signalled = time.time()
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            trial.signals = 1
            if number % 4 == 0:
                time.sleep(0.05)
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
                    trial.signals = 2
        else:
            trial.finished_before_signal = True
        while process.poll() is None and time.time() < signalled + 30:
            if trial.stopped_after_signal is None and "interrupted" in (folder / "stderr").read_text(
                "utf-8", "replace"
            ):
                trial.stopped_after_signal = time.time() - signalled
            time.sleep(0.005)
        if process.poll() is None:
            process.kill()
        else:
            trial.exit_after_signal = time.time() - signalled
        trial.code = process.wait()
        stdout.close()
        stderr.close()
    check(trial, folder, signalled, candidate_key)
    return trial


def check(trial: Trial, folder: Path, signalled: float, candidate_key: str) -> None:
    err = (folder / "stderr").read_text("utf-8", "replace")
    timely = trial.exit_after_signal is not None
    codes = (0, 130, -signal.SIGINT) if trial.signals == 2 else (0, 130)
    trial.survived = timely and trial.code in codes and "Traceback" not in err and "internal error" not in err
    results = folder / "answers.jsonl"
    text = results.read_text("utf-8") if results.exists() else ""
    try:
        lines = [json.loads(line) for line in text.splitlines()]
        trial.results_valid = text == "" or text.endswith("\n")
    except ValueError:
        lines, trial.results_valid = [], False
    report_path = folder / "report.json"
    try:
        trial.report_complete = "summary" in json.loads(report_path.read_text("utf-8"))
    except (OSError, ValueError):
        # Not opened yet when the signal came (the results file is opened with it), or broken.
        trial.report_complete = not results.exists() and not (folder / ".report.json.partial").exists()
    kept = {(line["model"], line["request"]["messages"][-1]["content"]) for line in lines if line.get("error") is None}
    for log in ("baseline.log", "candidate.log"):
        for raw in (folder / log).read_text().splitlines():
            answered = json.loads(raw)
            if (answered["model"], answered["content"]) in kept:
                continue
            if answered["t"] < signalled - GRACE:
                trial.lost += 1
            else:
                trial.in_flight += 1
    shown = "".join((folder / name).read_text("utf-8", "replace") for name in ("stdout", "stderr"))
    shown += text + (report_path.read_text("utf-8", "replace") if report_path.exists() else "")
    trial.leaks = [key[:4] for key in (BASELINE_KEY, candidate_key) if leaked(shown, key)]


def time_comparisons() -> None:
    """Seconds to compare two 2 MB answers of three shapes (best of 3): the event loop's longest step."""
    sys.path.insert(0, str(ROOT))
    from migrate_cli.smoke.compare import compare
    from migrate_cli.smoke.records import SideResult

    rng = random.Random(7)
    words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dogs",
        "while",
        "seven",
        "wise",
        "owls",
        "watch",
        "42",
        "silent",
        "rivers",
        "flow.",
    ]

    def prose() -> str:
        return " ".join(rng.choice(words) for _ in range(400_000))[:2_000_000]

    shapes = {
        "prose": (prose(), prose()),
        "one line, no spaces": ("".join(rng.choice("abcdef0123456789") for _ in range(2_000_000)),) * 2,
        "JSON array of 300,000 numbers": tuple(json.dumps(list(range(k, 300_000 + k))) for k in (0, 1)),
    }
    print("comparing two 2 MB answers (best of 3):")
    for name, (a, b) in shapes.items():
        if a == b:
            b = b[:-10] + "0123456789"
        sides = (
            SideResult("baseline", "m", {}, output=a, finish_reason="stop"),
            SideResult("candidate", "m", {}, output=b, finish_reason="stop"),
        )
        runs = [_seconds(compare, *sides) for _ in range(3)]
        wall, cpu = min(run[0] for run in runs), min(run[1] for run in runs)
        print(f"  {name:32} {wall:.2f} s wall, {cpu:.2f} s CPU ({len(a):,} and {len(b):,} characters)")


def _seconds(action: Any, *args: Any) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU time barely moves with other load on the machine)."""
    started, cpu = time.perf_counter(), time.process_time()
    action(*args)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--big-trials", type=int, default=8)
    parser.add_argument("--startup-trials", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep each trial's files (prompts, outputs, server logs) here")
    parser.add_argument("--compare-only", action="store_true", help="only time the comparison of 2 MB answers")
    args = parser.parse_args()
    time_comparisons()
    if args.compare_only:
        return
    rng = random.Random(args.seed)
    trials: list[Trial] = []
    with tempfile.TemporaryDirectory(prefix="chaos_smoke_") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        kinds = ["normal"] * args.trials + ["big"] * args.big_trials + ["start-up"] * args.startup_trials
        for number, kind in enumerate(kinds):
            trial = run_trial(number, rng, work, kind)
            trials.append(trial)
            flags = [] if trial.survived else ["DIED"]
            flags += [] if trial.results_valid else ["BAD RESULTS"]
            flags += [] if trial.report_complete else ["NO REPORT"]
            flags += [f"LOST {trial.lost}"] if trial.lost else []
            flags += [f"LEAK {trial.leaks}"] if trial.leaks else []
            after = f"{trial.exit_after_signal:.2f} s" if trial.exit_after_signal is not None else "-"
            print(
                f"trial {number:3} {kind:8} exit {trial.code:3} after {after:>7}  "
                f"in flight {trial.in_flight:3}  {' '.join(flags) or 'ok'}",
                flush=True,
            )
    for kind, label in (("normal", "runs"), ("big", "2 MB answers"), ("start-up", "Ctrl-C during start-up")):
        group = [t for t in trials if t.kind == kind]
        if not group:
            continue
        signalled = [t for t in group if not t.finished_before_signal]
        exits = [t.exit_after_signal for t in signalled if t.exit_after_signal is not None]
        stops = [t.stopped_after_signal for t in signalled if t.stopped_after_signal is not None]
        print(f"\n{label}: {len(group)} trials")
        print(f"  survived              {sum(t.survived for t in group)}/{len(group)}")
        print(f"  finished before SIGINT {sum(t.finished_before_signal for t in group)}")
        print(f"  results valid JSONL   {sum(t.results_valid for t in group)}/{len(group)}")
        print(f"  reports complete      {sum(t.report_complete for t in group)}/{len(group)}")
        print(f"  data lost             {sum(t.lost for t in group)} answers")
        print(f"  in flight at SIGINT   {sum(t.in_flight for t in group)} answers (cancelled with their call)")
        print(f"  key leaks             {sum(bool(t.leaks) for t in group)} trials")
        if stops:
            print(f"  Ctrl-C to 'interrupted' median {statistics.median(stops):.2f} s, max {max(stops):.2f} s")
        if exits:
            print(f"  Ctrl-C to exit        median {statistics.median(exits):.2f} s, max {max(exits):.2f} s")


if __name__ == "__main__":
    main()
