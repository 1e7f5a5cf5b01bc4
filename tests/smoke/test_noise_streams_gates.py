"""--repeat (noise floor, seeds, system_fingerprint), --stream figures, --stream-check parity, a
provider that rejects stream_options, the CI gates and the monthly projection, end to end."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import Smoke, write_prompts
from decision import PRICES, assert_no_keys, prompts_file, read_json
from server import Reply

BASELINE_WORDINGS = [
    "The capital of France is Paris.",
    "Paris is the capital of France.",
    "France has Paris as its capital city.",
]


def test_drift_within_the_baselines_own_variation_is_equivalent(two_tokenizers: Smoke, tmp_path: Path) -> None:
    turns = itertools.count()

    def baseline(body: dict) -> Reply:
        if "Germany" in str(body["messages"]):
            return Reply("The capital of Germany is Berlin.")
        n = next(turns)
        return Reply(BASELINE_WORDINGS[n % 3], system_fingerprint=f"fp_{n % 2}")

    two_tokenizers.baseline.default = baseline
    two_tokenizers.candidate.default = lambda body: (
        "Berlin, I think, or maybe Bonn."
        if "Germany" in str(body["messages"])
        else "The French capital is Paris, of course."
    )
    prompts = write_prompts(
        tmp_path / "p.jsonl",
        [
            {"id": "france", "model": "gpt-4o-mini", "prompt": "Capital of France?", "seed": 7},
            {"id": "germany", "model": "gpt-4o-mini", "prompt": "Capital of Germany?", "seed": 7},
        ],
    )
    result = two_tokenizers(prompts, "--model", "mira", "--repeat", "3", "--report", "r.json", "--cache", ".cache")
    assert result.exit_code == 0, result.stderr
    assert len(two_tokenizers.baseline.chat_requests()) == 6 and len(two_tokenizers.candidate.chat_requests()) == 6
    report = read_json(tmp_path / "r.json")
    cases = {case["id"]: case for case in report["cases"]}
    france, germany = cases["france"], cases["germany"]
    # The candidate differs from the first baseline answer (0.73) less than the baseline from itself (0.62).
    assert france["noise_floor"] == pytest.approx(0.6206, abs=1e-4)
    assert france["verdict"] == "equivalent" and france["similarity"] < 0.85
    assert "no more than the baseline differs from itself (noise floor 0.62 over 3 answers)" in france["reason"]
    assert germany["noise_floor"] == 1.0 and germany["verdict"] == "drift"
    noise = france["noise"]
    assert noise["seed"] == 7 and noise["seed_repeated"] == {"baseline": False, "candidate": True}
    assert noise["fingerprints"]["baseline"] == ["fp_0", "fp_1"] and noise["candidate"] == 1.0
    assert len(noise["extra_outputs"]["baseline"]) == 2
    assert report["summary"]["noise"]["drift_within_noise"] == 1
    assert report["summary"]["noise"]["seed_not_repeated"] == {"baseline": 1, "candidate": 0}
    assert "seed 7 did not make the baseline repeat itself over 3 answers" in report["summary"]["noise"]["notes"][0]
    assert "noise floor" in result.stdout

    # The repeats are distinct cache entries: a cached re-run keeps the same noise floor.
    again = two_tokenizers(prompts, "--model", "mira", "--repeat", "3", "--report", "r2.json", "--cache", ".cache")
    assert again.exit_code == 0 and len(two_tokenizers.baseline.chat_requests()) == 6
    assert read_json(tmp_path / "r2.json")["cases"][0]["noise_floor"] == france["noise_floor"]


def test_stream_figures_and_a_provider_that_rejects_stream_options(two_tokenizers: Smoke, tmp_path: Path) -> None:
    two_tokenizers.baseline.default = lambda body: Reply(
        "Paris is the capital of France, by a long way.", chunk_delay=0.002
    )
    two_tokenizers.candidate.reject_params = {"stream_options"}  # e.g. an Azure-style endpoint
    prompts = prompts_file(tmp_path, 4)
    result = two_tokenizers(prompts, "--model", "mira", "--stream", "--report", "r.json", "--concurrency", "1")
    assert result.exit_code == 0, result.stderr
    report = read_json(tmp_path / "r.json")
    stream = report["summary"]["stream"]
    assert stream["baseline"]["usage_arrived"] == 4 and stream["baseline"]["mean_output_tokens_per_s"] > 0
    assert stream["candidate"]["usage_arrived"] == 0 and stream["candidate"]["streams"] == 4
    assert stream["candidate"]["notes"][0].startswith("stream_options rejected; sent again without it")
    # One rejected request, one retry without stream_options; later requests leave it out at once.
    chats = two_tokenizers.candidate.chat_requests()
    assert len(chats) == 5 and "stream_options" in chats[0].body
    assert all("stream_options" not in r.body for r in chats[1:])
    first = report["cases"][0]["candidate"]
    assert first["error"] is None and first["ttft_s"] is not None and first["usage"] is None
    assert first["notes"][0].startswith("stream_options rejected") and "HTTP 400" in first["notes"][0]
    assert all(case["candidate"]["error"] is None for case in report["cases"])
    assert "usage arrived in 4 of 4 stream(s)" in " ".join(result.stdout.split())


def test_stream_check_asks_k_cases_both_ways_and_compares(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path, 4)
    result = two_tokenizers(prompts, "--model", "mira", "--stream-check", "2", "--report", "r.json")
    assert result.exit_code == 0, result.stderr
    for provider in (two_tokenizers.baseline, two_tokenizers.candidate):
        chats = provider.chat_requests()
        assert len(chats) == 6 and sum(bool(r.body.get("stream")) for r in chats) == 2
    report = read_json(tmp_path / "r.json")
    check = report["summary"]["stream_check"]
    for side in ("baseline", "candidate"):
        assert check[side] == {
            "cases": 2,
            "content_agrees": 2,
            "usage_agrees": 2,
            "usage_compared": 2,
            "usage_in_stream": 2,
            "disagreements": [],
        }
    assert [bool(case["stream_check"]) for case in report["cases"]].count(True) == 2
    assert "content agrees in 2 of 2 case(s) streamed and not" in " ".join(result.stdout.split())


def test_gates_say_which_failed_and_by_how_much(two_tokenizers: Smoke, tmp_path: Path) -> None:
    # Equal prices: the candidate costs more, from its tokenizer (1.25x) and its wordier answers.
    (tmp_path / "prices.toml").write_text(PRICES.replace("0.05", "0.15").replace("0.20", "0.60"), "utf-8")
    prompts = prompts_file(tmp_path, 6)
    two_tokenizers.candidate.fail(400, times=1, message="temperature is not supported")
    result = two_tokenizers(
        prompts, "--model", "mira", "--pricing", "prices.toml", "--concurrency", "1",
        "--max-cost-increase", "10", "--fail-on", "error", "--min-similarity", "0.1",
        "--report", "r.json", "--report", "r.xml", "--report", "r.md",
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    summary = read_json(tmp_path / "r.json")["summary"]
    gates = {gate["name"]: gate for gate in summary["gates"]}
    assert set(gates) == {"fail-on error", "min-similarity", "max-cost-increase"}
    assert gates["max-cost-increase"]["threshold"] == 10 and not gates["max-cost-increase"]["passed"]
    assert (
        gates["max-cost-increase"]["value"] == pytest.approx(summary["cost_delta_pct"])
        and summary["cost_delta_pct"] > 20
    )
    assert gates["fail-on error"]["value"] == 1 and not gates["fail-on error"]["passed"]
    assert gates["min-similarity"]["passed"] is True
    increase = gates["max-cost-increase"]["value"]
    assert (
        f"gate failed: --max-cost-increase +10%: the candidate costs {increase:+.1f}% vs the baseline, "
        in result.stderr
    )
    assert f"{increase - 10:.1f} points over the limit of +10%" in result.stderr
    assert "gate failed: --fail-on error: 1 case(s) with a failed call; allowed: 0" in result.stderr
    assert "min-similarity" not in result.stderr  # passed gates are listed in the report, not as failures

    import xml.etree.ElementTree as ElementTree

    suite = ElementTree.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {f"c0{i}" for i in range(6)} | {f"gate {name}" for name in gates}
    failed = {name for name, case in cases.items() if case.find("failure") is not None}
    assert "c00" in failed  # its candidate call failed: --fail-on error counts it
    assert {"gate fail-on error", "gate max-cost-increase"} <= failed and "gate min-similarity" not in failed
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(failed))
    markdown = (tmp_path / "r.md").read_text("utf-8")
    assert "| max-cost-increase | 10 |" in markdown and "❌ failed" in markdown and "✅ passed" in markdown
    assert summary["cost_split"]["sentence"] in markdown
    assert_no_keys(result, tmp_path)


def test_monthly_projection_from_weights_and_from_a_volume(two_tokenizers: Smoke, tmp_path: Path) -> None:
    (tmp_path / "prices.toml").write_text(PRICES, "utf-8")
    lines = [
        {"id": "rare", "model": "gpt-4o-mini", "prompt": "Tell me a long story about a dragon.", "weight": 1},
        {"id": "common", "model": "gpt-4o-mini", "prompt": "Hi", "weight": 3},
    ]
    prompts = write_prompts(tmp_path / "p.jsonl", lines)
    args = ("--model", "mira", "--pricing", "prices.toml", "--report", "r.json")
    assert two_tokenizers(prompts, *args).exit_code == 0
    report = read_json(tmp_path / "r.json")
    cost = {case["id"]: case["baseline"]["cost_usd"] for case in report["cases"]}
    monthly = report["summary"]["monthly"]
    assert monthly["from"] == "case weights" and monthly["monthly_requests"] == 4
    assert monthly["baseline_usd"] == pytest.approx(cost["rare"] + 3 * cost["common"])
    assert two_tokenizers.baseline.chat_requests()[0].body.keys() == {"model", "messages"}  # weight is not sent

    assert two_tokenizers(prompts, *args, "--monthly-requests", "1000000").exit_code == 0
    monthly = read_json(tmp_path / "r.json")["summary"]["monthly"]
    assert monthly["baseline_usd"] == pytest.approx(1_000_000 * (cost["rare"] + 3 * cost["common"]) / 4)
    assert monthly["sentence"].startswith("at 1,000,000 requests a month: baseline $")
    bad = write_prompts(tmp_path / "bad.jsonl", [{**lines[0], "weight": 0}])
    refused = two_tokenizers(bad, "--dry-run")
    assert refused.exit_code == 2 and "bad.jsonl:1: 'weight' must be a positive number" in refused.stderr


def test_option_combinations_are_checked_before_anything_is_sent(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path, 2)
    for args, expected in (
        (("--refresh", "all"), "give --cache DIR too"),
        (("--cache", "c", "--refresh", "both"), "--refresh takes baseline, candidate or all"),
        (("--repeat", "1"), "--repeat must be at least 2"),
        (("--stream-check", "0"), "--stream-check must be at least 1"),
        (("--fail-on", "broken,oops"), "and/or 'error'"),
        (("--max-cost-increase", "-150"), "at least -100"),
        (("--resume", "nothing.jsonl"), "no such results file"),
        (("--resume", "a.jsonl", "--results", "b.jsonl"), "drop --results"),
        (("--save-calibration", "no/dir/c.json"), "does not exist"),
    ):
        result = two_tokenizers(prompts, *args)
        assert result.exit_code == 2 and expected in result.stderr, (args, result.stderr)
    assert two_tokenizers.baseline.requests == [] and two_tokenizers.candidate.requests == []
    assert not (tmp_path / "c").exists()
