"""The response cache (--cache, --refresh) and --resume, end to end: the servers' request logs
prove what was sent again and what was not."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BASELINE_ENV, CANDIDATE_ENV, Smoke
from decision import KEYS, assert_no_keys, prompts_file, read_json
from server import Reply

from migrate_cli.errors import UsageError
from migrate_cli.smoke.cache import FILE_NAME, ResponseCache, cache_key


def asked(smoke: Smoke) -> tuple[int, int]:
    return len(smoke.baseline.requests), len(smoke.candidate.requests)


@pytest.mark.parametrize("two_tokenizers", [("xai", "short")], indirect=True)
def test_a_second_cached_run_sends_nothing_and_marks_its_answers(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path, 6)
    first = two_tokenizers(prompts, "--model", "mira", "--cache", ".cache", "--report", "first.json")
    assert first.exit_code == 0, first.stderr
    sent = asked(two_tokenizers)
    assert sent == (7, 7)  # GET /models and six chat calls per side

    second = two_tokenizers(prompts, "--model", "mira", "--cache", ".cache", "--report", "second.json")
    assert second.exit_code == 0, second.stderr
    assert asked(two_tokenizers) == sent  # not even the /models probe
    before, after = read_json(tmp_path / "first.json"), read_json(tmp_path / "second.json")
    assert all(not case[side]["cached"] for case in before["cases"] for side in ("baseline", "candidate"))
    assert all(case[side]["cached"] for case in after["cases"] for side in ("baseline", "candidate"))

    def answers(report: dict) -> list[tuple[str, str, str]]:  # cases finish in any order
        return sorted((c["id"], c["verdict"], c["candidate"]["output"]) for c in report["cases"])

    assert answers(after) == answers(before)
    assert after["summary"]["answers_from"] == {"baseline": {"cache": 6}, "candidate": {"cache": 6}}
    assert "6 the cache" in second.stdout
    database = tmp_path / ".cache" / FILE_NAME
    assert sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    # --refresh candidate asks that side again (and stores the new answers); the baseline stays cached.
    third = two_tokenizers(prompts, "--model", "mira", "--cache", ".cache", "--refresh", "candidate")
    assert third.exit_code == 0, third.stderr
    assert asked(two_tokenizers) == (sent[0], sent[1] + 7)
    assert_no_keys(third, tmp_path)


def test_errors_are_never_cached(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path, 4)
    two_tokenizers.candidate.fail(500, times=1, message="upstream overloaded")
    first = two_tokenizers(prompts, "--model", "mira", "--cache", ".cache", "--concurrency", "1")
    assert first.exit_code == 3  # a call lost after retries
    chat_before = len(two_tokenizers.candidate.chat_requests())
    second = two_tokenizers(prompts, "--model", "mira", "--cache", ".cache", "--report", "r.json")
    assert second.exit_code == 0, second.stderr
    # Only the failed case goes out again, after the probe; the baseline is all cached.
    assert len(two_tokenizers.candidate.chat_requests()) == chat_before + 1
    assert len(two_tokenizers.baseline.chat_requests()) == 4
    cases = read_json(tmp_path / "r.json")["cases"]
    assert [case["candidate"]["cached"] for case in cases].count(False) == 1


def test_the_cache_directory_can_come_from_the_project_config(two_tokenizers: Smoke, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.migrate]\ncache = ".migrate/cache"\n', "utf-8")
    prompts = prompts_file(tmp_path, 2)
    assert two_tokenizers(prompts, "--model", "mira").exit_code == 0
    assert (tmp_path / ".migrate" / "cache" / FILE_NAME).is_file()
    sent = asked(two_tokenizers)
    assert two_tokenizers(prompts, "--model", "mira").exit_code == 0
    assert asked(two_tokenizers) == sent


@pytest.mark.parametrize("kind", ["garbage", "foreign", "damaged"])
def test_a_corrupt_or_foreign_cache_file_is_a_clear_error(two_tokenizers: Smoke, tmp_path: Path, kind: str) -> None:
    prompts = prompts_file(tmp_path, 3)
    database = tmp_path / ".cache" / FILE_NAME
    if kind == "garbage":
        database.parent.mkdir()
        database.write_bytes(b"this is not a database at all\n" * 50)
    elif kind == "foreign":
        database.parent.mkdir()
        with sqlite3.connect(database) as other:
            other.execute("CREATE TABLE notes (body TEXT)")
    else:
        assert two_tokenizers(prompts, "--model", "mira", "--cache", ".cache").exit_code == 0
        with sqlite3.connect(database) as db:  # fold the WAL in, then damage the pages past the header
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = bytearray(database.read_bytes())
        data[4096:] = b"\xff" * (len(data) - 4096)
        database.write_bytes(bytes(data))
    result = two_tokenizers(prompts, "--model", "mira", "--cache", ".cache")
    assert result.exit_code in (2, 3), result.stdout
    message = result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr and str(FILE_NAME) in result.stderr
    expected = {"garbage": "not an SQLite database", "foreign": "another program", "damaged": "delete"}[kind]
    assert expected in result.stderr, message


def test_two_runs_can_share_one_cache(tmp_path: Path) -> None:
    first, second = ResponseCache.open(tmp_path), ResponseCache.open(tmp_path)
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    key = cache_key("http://x/v1", request)
    first.put(key, "http://x/v1", "m", {"output": "one"})
    assert second.get(key) == {"output": "one"}
    second.put(cache_key("http://x/v1", request, repeat=1), "http://x/v1", "m", {"output": "two"})
    assert first.get(cache_key("http://x/v1", request, repeat=1)) == {"output": "two"}
    assert first.get(cache_key("http://x/v1/", request)) == {"output": "one"}  # URL spelling does not matter
    first.close()
    second.close()
    with pytest.raises(UsageError, match="is a file"):
        ResponseCache.open(tmp_path / FILE_NAME)


@pytest.mark.parametrize("two_tokenizers", [("short", "xai")], indirect=True)
def test_a_killed_run_resumes_without_resending_finished_cases(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path, 8)
    slow = {"c06", "c07"}

    def candidate_reply(body: dict) -> Reply:
        hang = any(topic in str(body["messages"]) for topic in _topics(slow))
        return Reply(f"answer to {body['messages']}", delay=60 if hang else 0)

    two_tokenizers.candidate.default = candidate_reply
    results = tmp_path / "results.jsonl"
    env = {**os.environ, BASELINE_ENV: KEYS["short"], CANDIDATE_ENV: KEYS["xai"]}
    process = subprocess.Popen(
        [sys.executable, "-m", "migrate_cli.cli", *two_tokenizers.args(prompts, "--model", "mira")[0:],
         "--results", str(results), "--concurrency", "2", "--timeout", "120"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        # Cases c00-c05 answer at once on both sides; then both workers wait on c06/c07's candidate.
        while _answered(results) < 12 + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _answered(results) == 14
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with results.open("a", encoding="utf-8") as handle:
        handle.write('{"case_id": "c07", "side": "candid')  # as if killed mid-write
    base_sent, cand_sent = len(two_tokenizers.baseline.chat_requests()), len(two_tokenizers.candidate.chat_requests())
    two_tokenizers.candidate.default = lambda body: f"answer to {body['messages']}"

    resumed = two_tokenizers(prompts, "--model", "mira", "--resume", str(results), "--report", "r.json")
    assert resumed.exit_code == 0, resumed.stderr
    new_base = two_tokenizers.baseline.chat_requests()[base_sent:]
    new_cand = two_tokenizers.candidate.chat_requests()[cand_sent:]
    assert new_base == []  # every baseline answer, c06/c07's included, was already paid for
    assert sorted(str(r.body["messages"]) for r in new_cand) == sorted(_messages(prompts, slow))
    report = read_json(tmp_path / "r.json")
    assert [case["id"] for case in sorted(report["cases"], key=lambda c: c["id"])] == [f"c0{i}" for i in range(8)]
    assert report["summary"]["answers_from"]["baseline"] == {"resume": 8}
    assert report["summary"]["answers_from"]["candidate"] == {"live": 2, "resume": 6}
    assert "resume: 14 answer(s)" in resumed.stderr and "1 unusable line(s) skipped" in resumed.stderr
    # The new answers were appended on lines of their own after the cut one.
    lines = results.read_text("utf-8").splitlines()
    assert lines[-3].endswith('"side": "candid') and len(lines) == 14 + 1 + 2
    assert_no_keys(resumed, tmp_path)


def _answered(results: Path) -> int:
    if not results.exists():
        return 0
    return sum(1 for line in results.read_text("utf-8").splitlines() if line.endswith("}"))


def _topics(ids: set[str]) -> list[str]:
    from decision import TOPICS

    return [TOPICS[int(case_id[1:])] for case_id in ids]


def _messages(prompts: Path, ids: set[str]) -> list[str]:
    import json

    lines = [json.loads(line) for line in prompts.read_text("utf-8").splitlines()]
    return [str(line["messages"]) for line in lines if line["id"] in ids]
