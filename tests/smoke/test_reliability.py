"""`migrate smoke` under faults and hostile input, end to end: the CLI, the real openai SDK and two
loopback providers that break on purpose (faults.py). Each test is one class of failure."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    KEY_SHAPES,
    Smoke,
    leaks,
    write_prompts,
    written_text,
)
from faults import FaultMode

from migrate_cli.smoke import outputs
from migrate_cli.smoke.gates import GateSettings, evaluate_gates
from migrate_cli.smoke.outputs import RecordFile
from migrate_cli.smoke.summary import RunSummary

PROMPTS = [
    {"id": "one", "model": "gpt-4o-mini", "prompt": "What is the capital of France?"},
    {"id": "two", "model": "odd-model", "prompt": "And of Italy?"},
    {"id": "three", "model": "gpt-4o-mini", "prompt": "And of Spain?"},
]


def results_lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text("utf-8")
    assert text == "" or text.endswith("\n"), "the results file ends in half a line"
    return [json.loads(line) for line in text.splitlines()]


def report_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


# --- 1. keys never shown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline_shape", "candidate_shape"), [("hex64", "groq"), ("xai", "short"), ("short", "hex64")]
)
@pytest.mark.parametrize("json_output", [False, True])
def test_keys_of_every_shape_are_never_printed_or_written(
    smoke_keyed: Callable[[str, str], Smoke],
    workdir: Path,
    baseline_shape: str,
    candidate_shape: str,
    json_output: bool,
) -> None:
    baseline_key, candidate_key = KEY_SHAPES[baseline_shape], KEY_SHAPES[candidate_shape]
    smoke = smoke_keyed(baseline_key, candidate_key)
    for provider in (smoke.baseline, smoke.candidate):
        provider.inject("answer_echo_auth", times=None, model="gpt-4o-mini")  # answers, tool calls, usage
    smoke.baseline.inject("error_echo_auth_long", model="odd-model")  # a 502 text body, the key across the cut
    smoke.candidate.inject("html_echo", model="odd-model")  # a 200 proxy page quoting the request
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)

    result = smoke(prompts, "--results", "answers.jsonl", "--report", "out.json", *(["--json"] if json_output else []))

    assert result.exit_code == 3, result.stderr  # the two odd-model calls were lost
    shown = result.stdout + result.stderr + written_text(workdir)
    assert "REDACTED" in shown
    for key in (baseline_key, candidate_key):
        assert not leaks(shown, key), f"a piece of the {key[:4]}... key was shown"
    assert len(results_lines(workdir / "answers.jsonl")) == 6
    report = report_of(workdir / "out.json")
    errors = {case["id"]: (case["baseline"]["error"], case["candidate"]["error"]) for case in report["cases"]}
    assert errors["two"][0]["kind"] == "server" and errors["two"][1]["kind"] == "bad_response"


# --- 2. one malformed answer fails one case -----------------------------------------------------


@pytest.mark.parametrize("mode", ["truncated_json", "deep_json", "not_a_completion", "html"])
def test_one_malformed_answer_fails_its_own_case_and_the_run_goes_on(
    smoke: Smoke, workdir: Path, mode: FaultMode
) -> None:
    smoke.candidate.inject(mode, model="odd-model")
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)

    result = smoke(prompts, "--report", "out.json", "--results", "answers.jsonl")

    assert result.exit_code == 3, result.stderr
    assert "candidate: 1 of 3 call(s) failed with bad_response" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    cases = {case["id"]: case for case in report_of(workdir / "out.json")["cases"]}
    assert set(cases) == {"one", "two", "three"}
    assert cases["two"]["verdict"] == "broken" and "bad_response" in cases["two"]["reason"]
    assert cases["two"]["candidate"]["error"]["kind"] == "bad_response"
    assert cases["one"]["candidate"]["error"] is None and cases["three"]["candidate"]["error"] is None
    assert len(results_lines(workdir / "answers.jsonl")) == 6


@pytest.mark.parametrize("body", ["<html><body>Welcome</body></html>", {"data": 5}, "[" * 5_000])
def test_a_models_list_that_is_not_one_does_not_end_the_run(smoke: Smoke, workdir: Path, body: Any) -> None:
    smoke.candidate.models_body = body  # the free probe reads nothing it does not need
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS[:1])
    result = smoke(prompts)
    assert result.exit_code == 0, result.stderr
    assert len(smoke.candidate.chat_requests()) == 1


# --- 3. --timeout bounds the whole answer -------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_a_drip_feed_is_a_timeout_and_does_not_hold_the_run(smoke: Smoke, workdir: Path, stream: bool) -> None:
    smoke.candidate.inject("drip", times=None, model="odd-model", interval=0.05)
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)

    result = smoke(prompts, "--timeout", "0.5", "--report", "out.json", *(["--stream"] if stream else []))

    assert result.exit_code == 3
    assert "candidate: 1 of 3 call(s) failed with timeout" in result.stderr
    cases = {case["id"]: case for case in report_of(workdir / "out.json")["cases"]}
    assert cases["two"]["candidate"]["error"]["kind"] == "timeout"
    assert cases["one"]["verdict"] != "broken"


# --- 4. a cut stream is an error ----------------------------------------------------------------


def test_a_stream_cut_before_its_end_is_never_an_answer(smoke: Smoke, workdir: Path) -> None:
    smoke.candidate.inject("stream_cut", times=None, model="odd-model")
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)

    result = smoke(prompts, "--stream", "--max-retries", "1", "--report", "out.json")

    assert result.exit_code == 3
    assert "candidate: 1 of 3 call(s) failed with stream_cut" in result.stderr
    case = {case["id"]: case for case in report_of(workdir / "out.json")["cases"]}["two"]
    assert case["verdict"] == "broken" and case["candidate"]["output"] is None
    assert case["candidate"]["error"]["kind"] == "stream_cut"
    assert len([r for r in smoke.candidate.chat_requests() if r.model == "odd-model"]) == 2  # sent again once


def test_a_stream_cut_once_is_sent_again_and_answered(smoke: Smoke, workdir: Path) -> None:
    smoke.candidate.inject("reset_mid_stream", times=1, model="odd-model")
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)
    result = smoke(prompts, "--stream", "--max-retries", "1")
    assert result.exit_code == 0, result.stderr


# --- 5. validation refuses what cannot be sent ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"prompt": "a lone \\ud800 surrogate"}', "lone UTF-16 surrogate"),
        ('{"prompt": "x", "messages_meta": {"\\udfff": 1}}', "lone UTF-16 surrogate"),
        ('{"prompt": "x", "temperature": 1e400}', "1e400 is too large"),
        ('{"prompt": "x", "seed": NaN}', "NaN is not valid JSON"),
        ('{"prompt": "x", "extra": ' + "[" * 150 + "]" * 150 + "}", "nested deeper than 100 levels"),
        ('{"prompt": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ],
)
def test_a_line_that_cannot_be_sent_is_refused_before_anything_is_sent(
    smoke: Smoke, workdir: Path, line: str, says: str
) -> None:
    prompts = write_prompts(
        workdir / "prompts.jsonl", [{"prompt": "fine", "model": "m"}, line.replace("{", '{"model": "m", ', 1)]
    )
    result = smoke(prompts)
    assert result.exit_code == 2
    assert "prompts.jsonl:2: " in result.stderr and says in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 3
    assert smoke.baseline.requests == [] and smoke.candidate.requests == []


# --- 6. prompts from a pipe; no gate passes on nothing ----------------------------------------------


def test_prompts_from_standard_input_are_read_once_and_run(smoke: Smoke, workdir: Path) -> None:
    from typer.testing import CliRunner

    from migrate_cli.cli import app

    text = "".join(json.dumps(case) + "\n" for case in PROMPTS)
    smoke.candidate.default = "Rome, I think."  # every case drifts
    args = smoke.args(Path("-"), "--fail-on", "drift", "--report", "out.json")
    result = CliRunner().invoke(app, args, input=text, catch_exceptions=False)

    assert result.exit_code == 1, result.stderr
    assert "gate failed: --fail-on drift: 3 case(s) drift; allowed: 0" in result.stderr
    assert len(smoke.candidate.chat_requests()) == 3
    assert report_of(workdir / "out.json")["run"]["prompts"] == "-"


def test_prompts_from_dev_stdin_through_a_real_pipe(smoke: Smoke, workdir: Path) -> None:
    text = "".join(json.dumps(case) + "\n" for case in PROMPTS)
    env = {**os.environ, "NO_COLOR": "1"}
    args = smoke.args(Path("/dev/stdin"), "--min-similarity", "0.1")[1:]  # without the leading "smoke"
    result = subprocess.run(
        [sys.executable, "-m", "migrate_cli", "smoke", *args],
        input=text.encode(),
        capture_output=True,
        cwd=workdir,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert len(smoke.baseline.chat_requests()) == 3 and len(smoke.candidate.chat_requests()) == 3


def test_a_bad_line_on_standard_input_is_named(smoke: Smoke, workdir: Path) -> None:
    from typer.testing import CliRunner

    from migrate_cli.cli import app

    result = CliRunner().invoke(app, smoke.args(Path("-")), input='{"prompt": "x", "model": "m"}\nnot json\n')
    assert result.exit_code == 2 and "<stdin>:2: not valid JSON" in result.stderr


def test_no_gate_passes_a_run_that_measured_nothing() -> None:
    empty = RunSummary()
    assert [gate.passed for gate in evaluate_gates(empty, GateSettings(fail_on=("broken",)))] == [False]
    assert [gate.passed for gate in evaluate_gates(empty, GateSettings(min_similarity=0.5))] == [False]
    assert evaluate_gates(empty, GateSettings()) == []  # without a gate there is nothing to fail


def test_min_similarity_fails_when_no_case_had_two_answers_to_score(smoke: Smoke, workdir: Path) -> None:
    smoke.baseline.default = ""
    smoke.candidate.default = ""
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS[:1])
    result = smoke(prompts, "--min-similarity", "0.5")
    assert result.exit_code == 1
    assert "--min-similarity 0.5 cannot pass" in result.stderr


# --- 7. big answers do not block ----------------------------------------------------------------


def test_two_megabyte_answers_are_compared_with_a_capped_diff(smoke: Smoke, workdir: Path) -> None:
    smoke.baseline.inject("huge", times=None, size=2_000_000)
    smoke.candidate.replies["gpt-4o-mini"] = "A short answer that differs."
    prompts = write_prompts(workdir / "prompts.jsonl", [PROMPTS[0]])

    result = smoke(prompts, "--report", "out.json")

    assert result.exit_code == 0, result.stderr
    case = report_of(workdir / "out.json")["cases"][0]
    assert len(case["baseline"]["output"]) == 2_000_000
    assert case["verdict"] == "drift" and 0 <= case["similarity"] < 0.5
    assert len(case["diff"].splitlines()) <= 402 and len(case["diff"]) < 1_000_000


def test_ctrl_c_during_huge_answers_keeps_what_finished(smoke: Smoke, workdir: Path) -> None:
    for provider in (smoke.baseline, smoke.candidate):
        provider.inject("huge", times=None, size=2_000_000)
    prompts = write_prompts(workdir / "prompts.jsonl", [{"model": "m", "prompt": f"case {i}"} for i in range(40)])
    args = smoke.args(prompts, "--results", "answers.jsonl", "--report", "out.json", "--concurrency", "2")[1:]
    process = subprocess.Popen(
        [sys.executable, "-m", "migrate_cli", "smoke", *args],
        cwd=workdir,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    results = workdir / "answers.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not results.exists() or results.stat().st_size < 4_000_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr.decode()
    lines = results_lines(results)
    report = report_of(workdir / "out.json")
    assert report["summary"]["interrupted"] is True
    assert 2 <= len(lines) < 80 and len(report["cases"]) <= len(lines) // 2 + 2


# --- 8. a full disk -----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_under_the_results_stops_with_one_line_and_keeps_the_report(smoke: Smoke, workdir: Path) -> None:
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)

    result = smoke(prompts, "--results", "/dev/full", "--report", "out.json", "--concurrency", "1")

    assert result.exit_code == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "/dev/full" in errors[0] and "No space left on device" in errors[0]
    assert "out.json" in errors[0] and "Traceback" not in result.stderr
    report = report_of(workdir / "out.json")
    assert len(report["cases"]) == 1  # the case in flight finished; no other was started
    assert len(smoke.baseline.chat_requests()) == 1


def test_a_full_disk_under_the_report_stops_and_the_results_keep_every_answer(
    smoke: Smoke, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    cases_written = 0

    def disk_full_for_the_report(fd: int, data: bytes) -> int:
        nonlocal cases_written
        # The report's disk fills up after its header and first case: ENOSPC, as the kernel says it.
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".out.json.partial") and b'"id": "' in data:
            if cases_written >= 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            cases_written += 1
        return real_write(fd, data)

    monkeypatch.setattr(outputs.os, "write", disk_full_for_the_report)
    prompts = write_prompts(workdir / "prompts.jsonl", PROMPTS)

    result = smoke(prompts, "--results", "answers.jsonl", "--report", "out.json", "--concurrency", "1")

    assert result.exit_code == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "the report out.json" in errors[0] and "answers.jsonl" in errors[0]
    assert not (workdir / "out.json").exists() and not (workdir / ".out.json.partial").exists()
    lines = results_lines(workdir / "answers.jsonl")
    assert {(line["case_id"], line["side"]) for line in lines} == {
        (c, s) for c in ("one", "two") for s in ("baseline", "candidate")
    }


def test_a_record_written_in_part_is_cut_back_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "answers.jsonl"
    records = RecordFile(path, append=True, what="--results")
    records.write('{"n": 1}\n')
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if len(data) > 10:
            return real_write(fd, data[: len(data) // 2])  # the disk takes half ...
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ... and then nothing

    monkeypatch.setattr(outputs.os, "write", half_then_full)
    with pytest.raises(OSError):
        records.write('{"n": 2, "text": "a longer record"}\n')
    monkeypatch.undo()
    records.close()
    assert path.read_text() == '{"n": 1}\n'
