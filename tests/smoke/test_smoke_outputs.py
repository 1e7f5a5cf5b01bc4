"""What a run leaves behind: results kept after Ctrl-C, complete reports, and no key anywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import BASELINE_ENV, BASELINE_KEY, CANDIDATE_ENV, CANDIDATE_KEY, Smoke, write_prompts
from server import Reply

from migrate_cli.redact import KEY_PATTERN

QUESTION = {"model": "gpt-4o-mini", "prompt": "What is the capital of France?"}


def wait_for(condition, what: str, limit: float = 60.0) -> None:
    """Poll until `condition()`; the limit only stops a broken test from hanging, it is not a timing check."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_ctrl_c_keeps_every_answer_prints_the_partial_summary_and_exits_130(smoke: Smoke, workdir: Path) -> None:
    # Cases 0-3 answer at once; from case 4 on the candidate hangs, so the run is mid-flight when interrupted.
    smoke.candidate.default = lambda body: (
        Reply("Paris.", delay=60) if any(f"case {i}" in str(body) for i in range(4, 20)) else Reply("Paris.")
    )
    prompts = write_prompts(
        workdir / "p.jsonl", [dict(QUESTION, id=f"c{i}", prompt=f"case {i}: capital of France?") for i in range(20)]
    )
    results = workdir / "res.jsonl"
    env = {**os.environ, BASELINE_ENV: BASELINE_KEY, CANDIDATE_ENV: CANDIDATE_KEY, "NO_COLOR": "1"}
    command = [
        sys.executable,
        "-m",
        "migrate_cli.cli",
        *smoke.args(prompts, "--concurrency", "1", "--results", str(results), "--report", "r.json"),
    ]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # 4 full cases (8 lines) plus case 4's baseline answer, which arrived before the hang.
        wait_for(lambda: results.exists() and len(results.read_text().splitlines()) >= 9, "9 result lines")
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(lines) == 9 and {line["case_id"] for line in lines} == {f"c{i}" for i in range(5)}
    assert all(line["error"] is None and line["output"] for line in lines)
    assert "4 of 20 (interrupted)" in stdout
    assert "interrupted: 4 case(s) finished; kept in" in stderr
    report = json.loads((workdir / "r.json").read_text())
    assert len(report["cases"]) == 4 and report["summary"]["interrupted"] is True
    assert report["summary"]["planned_cases"] == 20


def test_no_key_value_in_any_output(smoke: Smoke, workdir: Path) -> None:
    """Providers that echo keys in error messages, every output written: none holds a key."""
    smoke.candidate.fail(400, times=1, message=f"request rejected for key {CANDIDATE_KEY}")
    smoke.candidate.fail(
        429,
        times=1,
        style="vmira",
        retry_after="86400",
        message=f"daily limit for {CANDIDATE_KEY[:-4]}-and-{BASELINE_KEY}",
    )
    smoke.baseline.fail(500, times=1, message=f"upstream failed; caller key was {BASELINE_KEY}")
    prompts = write_prompts(workdir / "p.jsonl", [dict(QUESTION, id=f"c{i}") for i in range(6)])

    runs = [
        smoke(prompts, "--concurrency", "1", "--results", "res.jsonl", "--report", "r.json"),
        smoke(prompts, "--json", "--stream"),
        smoke(prompts, "--dry-run"),
    ]
    smoke.candidate.api_key = "sk-some-other-key-the-provider-expects"  # now the key is rejected
    runs.append(smoke(prompts, "--results", "res.jsonl", "--report", "r2.json"))

    # The first run lost a call to the rate limit (Retry-After is a day): incomplete, exit 3. The
    # scripted failures were used up by then, so the second run got every answer.
    assert [run.exit_code for run in runs] == [3, 0, 0, 3]
    assert "candidate: 1 of 6 call(s) failed with rate_limit (429: daily limit for" in runs[0].stderr
    outputs = [text for run in runs for text in (run.stdout, run.stderr)]
    outputs += [(workdir / name).read_text() for name in ("res.jsonl", "r.json", "r2.json")]
    for text in outputs:
        assert BASELINE_KEY not in text and CANDIDATE_KEY not in text
        assert CANDIDATE_KEY[:-4] not in text
        assert not KEY_PATTERN.search(text.replace("…REDACTED", "")), "something key-shaped leaked"
    # The errors were recorded (redacted), not dropped.
    report = (workdir / "r.json").read_text()
    assert "request rejected for key" in report and "REDACTED" in report
    assert "upstream failed" in report
