"""Token calibration and the cost split, end to end against two providers that count differently,
plus the fit's arithmetic on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Smoke
from decision import CANDIDATE_SCALE, PRICES, assert_no_keys, prompts_file, read_json

from migrate_cli.smoke.calibration import CalibrationFit, calibration_request
from migrate_cli.smoke.cost_split import CostSplit
from migrate_cli.smoke.records import CaseResult, Comparison, Cost, SideResult, TokenEstimate, Usage


def test_the_fit_recovers_each_providers_ratio_and_the_cost_split_adds_up(
    two_tokenizers: Smoke, tmp_path: Path
) -> None:
    (tmp_path / "prices.toml").write_text(PRICES, "utf-8")
    prompts = prompts_file(tmp_path)
    result = two_tokenizers(
        prompts, "--model", "mira", "--pricing", "prices.toml", "--report", "r.json", "--save-calibration", "cal.json"
    )
    assert result.exit_code == 0, result.stderr
    summary = read_json(tmp_path / "r.json")["summary"]

    calibration = summary["calibration"]
    candidate, baseline = calibration["candidate"], calibration["baseline"]
    assert set(candidate) >= {"prompt_ratio", "completion_ratio", "cases", "spread", "sentence"}
    assert candidate["prompt_ratio"] == pytest.approx(CANDIDATE_SCALE, rel=0.02)
    assert candidate["completion_ratio"] == pytest.approx(CANDIDATE_SCALE, rel=0.05)
    assert baseline["prompt_ratio"] == pytest.approx(1.0, abs=1e-9) and baseline["spread"] == 0
    assert candidate["cases"] == baseline["cases"] == 12 and candidate["spread"] < 0.02
    # The sentence says it in words, with the spread and the number of cases, and is printed.
    assert candidate["sentence"].startswith("the candidate (127.0.0.1:")
    assert f"counts {candidate['prompt_ratio']:.2f}× tiktoken's prompt tokens (spread" in candidate["sentence"]  # noqa: RUF001 - the sentence is read, not parsed
    assert "over 12 cases" in candidate["sentence"]
    assert candidate["sentence"] in " ".join(result.stdout.split())

    # The split over the 12 cases priced on both sides: price effect + tokenizer effect = total.
    split = summary["cost_split"]
    total = split["candidate_usd"] - split["baseline_usd"]
    assert split["price_effect_usd"] + split["tokenizer_effect_usd"] == pytest.approx(total, abs=1e-15)
    assert split["baseline_usd"] == pytest.approx(summary["baseline_cost_usd"])
    assert split["candidate_usd"] == pytest.approx(summary["candidate_cost_usd"])
    # mira's prices are a third of gpt-4o-mini's; its tokenizer counts 1.25x the tokens.
    assert split["candidate_at_baseline_tokens_usd"] == pytest.approx(split["baseline_usd"] / 3, rel=1e-9)
    assert split["tokenizer_effect_usd"] == pytest.approx(0.25 * split["candidate_at_baseline_tokens_usd"], rel=0.03)
    sentence = split["sentence"]
    parts = [float(p.replace("−", "-").replace("+", "")) for p in sentence.replace("%", " ").split() if p[0] in "+−"]  # noqa: RUF001 - the sentence is read, not parsed
    assert parts[0] == pytest.approx(parts[1] + parts[2], abs=1e-9)  # the printed figures add up
    assert sentence.startswith("−58.") and "from prices" in sentence and "from the tokenizer" in sentence  # noqa: RUF001 - the sentence is read, not parsed
    assert "cost split" in result.stdout

    saved = read_json(tmp_path / "cal.json")
    assert saved["sides"]["candidate"]["base_url"] == two_tokenizers.candidate.url
    assert saved["sides"]["candidate"]["models"] == ["mira"] and saved["created"]
    assert saved["sides"]["candidate"]["prompt_ratio"] == candidate["prompt_ratio"]
    assert_no_keys(result, tmp_path)


def test_calibrate_sends_one_output_token_and_the_fit_projects_a_dry_run(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path)
    result = two_tokenizers(prompts, "--model", "mira", "--calibrate", "--save-calibration", "cal.json")
    assert result.exit_code == 0, result.stderr
    requests = two_tokenizers.candidate.chat_requests() + two_tokenizers.baseline.chat_requests()
    assert len(requests) == 24 and all(r.body["max_tokens"] == 1 for r in requests)
    assert "counts 1.25× tiktoken's prompt tokens" in " ".join(result.stdout.split())  # noqa: RUF001 - the sentence is read, not parsed
    saved = read_json(tmp_path / "cal.json")["sides"]
    assert saved["candidate"]["prompt_ratio"] == pytest.approx(1.25, rel=0.02)
    assert saved["candidate"]["completion_ratio"] is None  # one token says nothing about answers

    # Prompts that were never run get a calibrated projection for the candidate.
    more = prompts_file(tmp_path, 5, name="more.jsonl")
    sent = len(two_tokenizers.candidate.requests)
    dry = two_tokenizers(more, "--model", "mira", "--dry-run", "--json", "--calibration", "cal.json")
    assert dry.exit_code == 0, dry.stderr
    sides = json.loads(dry.stdout)["sides"]
    tiktoken_count = sides["candidate"]["tiktoken_prompt_tokens"]
    assert sides["candidate"]["calibrated"] is True
    assert sides["candidate"]["projected_prompt_tokens"] == pytest.approx(1.25 * tiktoken_count, rel=0.02)
    assert sides["baseline"]["projected_prompt_tokens"] == pytest.approx(tiktoken_count, abs=1)
    assert len(two_tokenizers.candidate.requests) == sent  # a dry run sends nothing
    assert "calibrated from cal.json" in dry.stderr
    assert_no_keys(result, tmp_path)


def test_calibration_file_problems_are_one_line_errors(two_tokenizers: Smoke, tmp_path: Path) -> None:
    prompts = prompts_file(tmp_path, 2)
    (tmp_path / "bad.json").write_text('{"format": "something-else"}', "utf-8")
    for name, expected in (("missing.json", "no such file"), ("bad.json", "not a calibration file")):
        result = two_tokenizers(prompts, "--dry-run", "--calibration", name)
        assert result.exit_code == 2 and expected in result.stderr and "Traceback" not in result.stderr
    result = two_tokenizers(prompts, "--calibration", "bad.json")
    assert result.exit_code == 2 and "use it with --dry-run" in result.stderr
    result = two_tokenizers(prompts, "--calibrate", "--fail-on", "broken")
    assert result.exit_code == 2 and "--calibrate" in result.stderr
    assert two_tokenizers.candidate.requests == []


# --- the arithmetic ------------------------------------------------------------------------------


def answered(prompt_estimate: int, reported: int, messages: int = 1, text: int = 0, completion: int = 0) -> SideResult:
    return SideResult(
        "candidate",
        "m",
        {"messages": [{"role": "user", "content": "x"}] * messages},
        output="x",
        usage=Usage(prompt_tokens=reported, completion_tokens=completion),
        estimated_tokens=TokenEstimate(prompt_estimate, text, "o200k_base", True),
    )


def test_a_per_message_term_is_fitted_only_when_the_data_calls_for_it() -> None:
    ratio_only = CalibrationFit()
    for estimate in (40, 80, 120, 200, 300):
        ratio_only.add(answered(estimate, round(1.1 * estimate), messages=estimate // 40))
    fit = ratio_only.result("vMira")
    assert fit.per_message is None and fit.prompt_ratio == pytest.approx(1.1, rel=0.01)

    # 1.0x tiktoken plus 9 tokens per message: the ratio alone leaves a large error, the term removes it.
    overhead = CalibrationFit()
    for estimate, messages in ((40, 1), (40, 5), (100, 2), (100, 8), (250, 3), (60, 10)):
        overhead.add(answered(estimate, estimate + 9 * messages, messages=messages))
    fit = overhead.result("vMira")
    assert fit.per_message == pytest.approx(9, abs=0.01) and fit.prompt_ratio == pytest.approx(1.0, abs=0.001)
    assert fit.spread == pytest.approx(0, abs=1e-6)
    assert fit.sentence == "vMira counts 1.00× tiktoken's prompt tokens plus 9 per message (spread 0.00 over 6 cases)"  # noqa: RUF001 - the sentence is read, not parsed
    assert fit.project(100, 4) == 136


def test_failed_and_usage_less_answers_are_left_out_and_counted() -> None:
    fit = CalibrationFit()
    fit.add(answered(100, 124, text=10, completion=12))
    fit.add(answered(100, 126, text=10, completion=12))
    fit.add(SideResult("candidate", "m", {"messages": []}, usage=None))
    result = fit.result("vMira")
    assert result.cases == 2 and result.prompt_ratio == pytest.approx(1.25, abs=0.001)
    assert result.spread == pytest.approx(0.01) and result.completion_ratio == pytest.approx(1.2)
    assert result.sentence.startswith("vMira counts 1.25× tiktoken's prompt tokens (spread 0.01 over 2 cases)")  # noqa: RUF001 - the sentence is read, not parsed
    empty = CalibrationFit().result("vMira")
    assert empty.prompt_ratio is None and empty.cases == 0 and "nothing to calibrate" in empty.sentence


def test_calibration_request_caps_output_under_the_name_the_case_uses() -> None:
    assert calibration_request({"model": "m", "max_tokens": 500})["max_tokens"] == 1
    capped = calibration_request({"model": "o3", "max_completion_tokens": 500})
    assert capped["max_completion_tokens"] == 1 and "max_tokens" not in capped


def test_the_split_sentence_adds_up_after_rounding() -> None:
    def priced(usd: float) -> SideResult:
        return SideResult("baseline", "m", {}, cost=Cost(usd, "computed"))

    split = CostSplit()
    for base, middle, cand in ((1.0, 0.4851, 0.5904), (2.0, 0.9702, 1.1808)):
        split.add(CaseResult("c", priced(base), priced(cand), Comparison(1, "same", ""), 1, middle))
    data = split.to_dict()
    assert data["price_effect_usd"] + data["tokenizer_effect_usd"] == pytest.approx(data["candidate_usd"] - 3.0)
    # -40.96% total, -51.49% from prices: rounded to -41.0 and -51.5, so the tokenizer shows +10.5.
    assert data["sentence"].startswith("−41.0% total: −51.5% from prices, +10.5% from the tokenizer")  # noqa: RUF001 - the sentence is read, not parsed
    assert CostSplit().to_dict()["price_effect_usd"] is None


def test_word_differences_mark_only_the_words_one_side_has() -> None:
    from migrate_cli.smoke.reports.worddiff import word_diff

    left, right = word_diff("It ships in 2 days, by post.", "It ships in 3 days by post.")
    assert [text for text, changed in left if changed] == ["2", ","]
    assert [text for text, changed in right if changed] == ["3"]
    assert "".join(text for text, _ in left) == "It ships in 2 days, by post."
