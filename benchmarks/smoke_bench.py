"""How fast and how lean is a whole `migrate smoke` run? Prints figures; asserts nothing.

    python benchmarks/smoke_bench.py [--only latency,throughput,memory] [--memory-cases 100000]

Every run is the real CLI (`python -m migrate_cli.cli smoke ...`) in a child process, against two
fake providers (tests/smoke/server.py), each in its own process so that serving does not share a GIL
with the client. Start-up (imports, clients, file validation) is measured with a 1-case run.

1. latency: 500 cases, both servers answer after 100 ms, --concurrency 32. Wall time against the
   ideal 500 x 0.1 s / 32 plus start-up. Target: within 1.3x.
2. throughput: servers answer at once. Cases per second of `migrate smoke` (the marginal rate between
   an N- and a 2N-case run, so start-up cancels out) against a bare asyncio loop making the same
   paired calls with the same SDK and concurrency (timed inside its process after a warm-up pass).
   Target: at least 80%.
3. memory: a 100,000-case file, servers answering at once, with --results and --report written:
   peak RSS of the smoke process (wait4's ru_maxrss). Target: under 300 MB.

Prompts files are written under benchmarks/.work/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / ".work"
SERVER = ROOT / "tests" / "smoke" / "server.py"
KEYS = {
    "BENCH_BASELINE_KEY": "sk-bench-baseline-0000000000000000",
    "BENCH_CANDIDATE_KEY": "sk-bench-candidate-000000000000000",
}

BARE_LOOP = r"""
import asyncio, itertools, json, sys, time
import openai

async def main(base_url, cand_url, prompts, concurrency, key_b, key_c):
    clients = [openai.AsyncOpenAI(base_url=url, api_key=key, max_retries=0, timeout=60)
               for url, key in ((base_url, key_b), (cand_url, key_c))]
    with open(prompts) as handle:
        cases = [json.loads(line) for line in handle]

    async def call(client, case, model):
        completion = await client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": case["prompt"]}])
        return completion.choices[0].message.content

    async def run_all(batch):
        source = iter(batch)

        async def worker():
            for case in source:
                await asyncio.gather(call(clients[0], case, case["model"]), call(clients[1], case, "mira"))

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    # Warm-up (the SDK's lazy imports, the connection pools), then the timed pass: the steady
    # state, as the marginal figure for migrate smoke is.
    await run_all(cases[: max(concurrency, len(cases) // 10)])
    started, cpu = time.perf_counter(), time.process_time()
    await run_all(cases)
    print(time.perf_counter() - started, time.process_time() - cpu)
    for client in clients:
        await client.close()

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]))
"""


def write_prompts(cases: int) -> Path:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"smoke_bench_{cases}.jsonl"
    if not path.exists() or sum(1 for _ in path.open()) != cases:
        with path.open("w", encoding="utf-8") as out:
            for index in range(cases):
                prompt = f"Question {index}: what is the capital of country number {index % 197}? One sentence."
                out.write(json.dumps({"id": f"q{index}", "model": "gpt-4o-mini", "prompt": prompt}) + "\n")
    return path


@contextmanager
def server(delay: float, key: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--delay", str(delay), "--key", key],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(process.stdout.readline())  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(timeout=10)


@contextmanager
def servers(delay: float) -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(server(delay, KEYS["BENCH_BASELINE_KEY"])),
            stack.enter_context(server(delay, KEYS["BENCH_CANDIDATE_KEY"])),
        )


@dataclass(frozen=True)
class Run:
    wall: float
    #: User + system CPU seconds of the process: robust to other load on the machine.
    cpu: float
    code: int
    peak_rss_kib: int


def run_smoke(urls: tuple[str, str], prompts: Path, *extra: str) -> Run:
    """One `migrate smoke` child process: wall and CPU seconds, exit code, peak RSS."""
    command = [
        sys.executable,
        "-m",
        "migrate_cli.cli",
        "smoke",
        str(prompts),
        "--baseline-base-url",
        urls[0],
        "--baseline-api-key-env",
        "BENCH_BASELINE_KEY",
        "--base-url",
        urls[1],
        "--api-key-env",
        "BENCH_CANDIDATE_KEY",
        "--model",
        "mira",
        "--max-retries",
        "0",
        "--json",
        *extra,
    ]
    env = {**os.environ, **KEYS, "NO_COLOR": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(process.stderr.read().decode(errors="replace"), file=sys.stderr)  # type: ignore[union-attr]
    return Run(wall, usage.ru_utime + usage.ru_stime, code, usage.ru_maxrss)


def startup(urls: tuple[str, str], concurrency: int) -> float:
    """A 1-case run: imports, prompts validation, clients, one round trip, rendering."""
    prompts = write_prompts(1)
    return min(run_smoke(urls, prompts, "--concurrency", str(concurrency)).wall for _ in range(3))


def bench_latency() -> None:
    cases, delay, concurrency = 500, 0.1, 32
    prompts = write_prompts(cases)
    with servers(delay) as urls:
        start = startup(urls, concurrency)
        walls = [run_smoke(urls, prompts, "--concurrency", str(concurrency)).wall for _ in range(3)]
        bare = min(bare_loop(urls, prompts, concurrency)[0] for _ in range(3))
    wall = min(walls)
    ideal = cases * delay / concurrency
    waves = -(-cases // concurrency) * delay  # 16 full rounds of 100 ms: the true lower bound
    print(f"1. latency: {cases} cases, servers answer after {delay * 1000:.0f} ms, --concurrency {concurrency}")
    print(f"   start-up (1-case run incl. one {delay * 1000:.0f} ms round trip): {start:.2f} s")
    print(f"   wall: {wall:.2f} s (best of 3: {', '.join(f'{w:.2f}' for w in walls)})")
    print(
        f"   ideal {cases} x {delay} / {concurrency} = {ideal:.2f} s (+ start-up = {ideal + start:.2f} s); "
        f"whole rounds {waves:.2f} s"
    )
    print(f"   ratio wall / (ideal + start-up) = {wall / (ideal + start):.2f}x   (target <= 1.3x)")
    print(
        f"   for scale: a bare asyncio loop making the same calls with the same SDK takes {bare:.2f} s "
        f"after its imports ({bare / ideal:.2f}x the ideal)"
    )


def bare_loop(urls: tuple[str, str], prompts: Path, concurrency: int) -> tuple[float, float]:
    """Wall and CPU seconds of the loop alone (imports, client set-up and a warm-up pass excluded)."""
    output = subprocess.run(
        [
            sys.executable,
            "-c",
            BARE_LOOP,
            urls[0],
            urls[1],
            str(prompts),
            str(concurrency),
            KEYS["BENCH_BASELINE_KEY"],
            KEYS["BENCH_CANDIDATE_KEY"],
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    wall, cpu = output.split()
    return float(wall), float(cpu)


def bench_throughput(cases: int) -> None:
    concurrency = 32
    small, large = write_prompts(cases), write_prompts(2 * cases)
    with servers(0.0) as urls:
        bare = [bare_loop(urls, small, concurrency) for _ in range(3)]
        smoke = []
        for _ in range(3):
            first = run_smoke(urls, small, "--concurrency", str(concurrency))
            second = run_smoke(urls, large, "--concurrency", str(concurrency))
            smoke.append((second.wall - first.wall, second.cpu - first.cpu))
    bare_rate = max(cases / wall for wall, _ in bare)
    smoke_rate = max(cases / wall for wall, _ in smoke)
    bare_cpu = min(cpu for _, cpu in bare) / cases * 1000
    smoke_cpu = min(cpu for _, cpu in smoke) / cases * 1000
    print(f"2. throughput: servers answer at once, --concurrency {concurrency}, paired calls (2 requests per case)")
    print(
        f"   bare asyncio loop, same SDK: {bare_rate:,.0f} cases/s, {bare_cpu:.1f} ms CPU per case "
        f"(wall runs: {', '.join(f'{cases / w:,.0f}' for w, _ in bare)})"
    )
    print(
        f"   migrate smoke (marginal, {cases} vs {2 * cases} cases): {smoke_rate:,.0f} cases/s, "
        f"{smoke_cpu:.1f} ms CPU per case (wall runs: {', '.join(f'{cases / w:,.0f}' for w, _ in smoke)})"
    )
    print(
        f"   ratio: {smoke_rate / bare_rate:.0%} of the bare loop's cases/s; by CPU per case "
        f"{bare_cpu / smoke_cpu:.0%}   (target >= 80%)"
    )


def bench_memory(cases: int) -> None:
    prompts = write_prompts(cases)
    results, report = WORK / "smoke_bench_results.jsonl", WORK / "smoke_bench_report.json"
    results.unlink(missing_ok=True)
    with servers(0.0) as urls:
        small = run_smoke(urls, write_prompts(1000), "--concurrency", "32")
        run = run_smoke(urls, prompts, "--concurrency", "32", "--results", str(results), "--report", str(report))
    print(f"3. memory: {cases:,} cases, --concurrency 32, with --results and --report (exit {run.code})")
    print(
        f"   peak RSS: {run.peak_rss_kib / 1024:.0f} MB   (target < 300 MB); "
        f"a 1,000-case run peaks at {small.peak_rss_kib / 1024:.0f} MB"
    )
    print(
        f"   wall: {run.wall:.1f} s ({cases / run.wall:,.0f} cases/s); results {results.stat().st_size / 1e6:.0f} MB, "
        f"report {report.stat().st_size / 1e6:.0f} MB on disk"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="latency,throughput,memory")
    parser.add_argument("--throughput-cases", type=int, default=2000)
    parser.add_argument("--memory-cases", type=int, default=100_000)
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if "latency" in chosen:
        bench_latency()
    if "throughput" in chosen:
        bench_throughput(args.throughput_cases)
    if "memory" in chosen:
        bench_memory(args.memory_cases)


if __name__ == "__main__":
    main()
