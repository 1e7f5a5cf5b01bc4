"""`migrate smoke` end to end: the CLI, the real openai SDK, two fake providers over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import BASELINE_ENV, BASELINE_KEY, CANDIDATE_ENV, CANDIDATE_KEY, Smoke, write_prompts
from server import ErrorStyle, Reply

CASES: list[dict[str, Any]] = [
    {"id": "capital", "model": "gpt-4o-mini", "prompt": "What is the capital of France?"},
    {
        "id": "colours",
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "Three colours"}],
        "response_format": {"type": "json_object"},
        "temperature": 0,
        "seed": 42,
    },
    {"id": "short", "model": "gpt-4o-mini", "prompt": "Say hello.", "max_tokens": 5},
]


def read_report(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def test_paired_run_sends_the_same_request_to_both_sides_and_reports_it(smoke: Smoke, workdir: Path) -> None:
    smoke.baseline.replies.update(
        {
            "gpt-4o-mini": lambda body: "Hello!" if "hello" in str(body) else "The capital of France is Paris.",
            "gpt-4o": Reply('{"colours": ["red", "green", "blue"]}'),
        }
    )
    smoke.candidate.replies.update(
        {
            "mira": lambda body: "Hello!" if "hello" in str(body) else "Paris.",
            "mira-pro": Reply('{"colours": ["red", "green", "blue"]}'),
        }
    )
    prompts = write_prompts(workdir / "prompts.jsonl", CASES)

    result = smoke(prompts, "--model-map", "gpt-4o-mini=mira", "--model-map", "gpt-4o=mira-pro", "--report", "out.json")

    assert result.exit_code == 0, result.stderr
    report = read_report(workdir / "out.json")
    cases = {case["id"]: case for case in report["cases"]}
    assert set(cases) == {"capital", "colours", "short"}
    assert cases["short"]["verdict"] == "same" and cases["short"]["similarity"] == 1.0
    assert cases["colours"]["verdict"] == "same"
    assert cases["capital"]["verdict"] == "drift" and "similarity" in cases["capital"]["reason"]
    assert 0 < cases["capital"]["similarity"] < 1
    assert cases["capital"]["diff"].startswith("--- baseline (gpt-4o-mini)\n+++ candidate (mira)")
    for case in report["cases"]:
        for side in ("baseline", "candidate"):
            record = case[side]
            assert set(record) >= {"output", "usage", "estimated_tokens", "cost_usd", "latency_s", "ttft_s", "error"}
            assert record["error"] is None and record["latency_s"] > 0
            assert record["usage"]["prompt_tokens"] > 0 and record["estimated_tokens"]["prompt"] > 0
    assert cases["capital"]["candidate"]["model"] == "mira"
    assert cases["colours"]["candidate"]["model"] == "mira-pro"
    summary = report["summary"]
    assert summary["cases"] == 3 and summary["errors"] == {"baseline": 0, "candidate": 0}
    assert summary["verdicts"]["same"] == 2 and summary["interrupted"] is False

    # Same messages and parameters to both sides; only the model differs, as mapped.
    base_requests = {r.body["messages"][-1]["content"]: r for r in smoke.baseline.chat_requests()}
    cand_requests = {r.body["messages"][-1]["content"]: r for r in smoke.candidate.chat_requests()}
    assert base_requests.keys() == cand_requests.keys() and len(base_requests) == 3
    mapped = {"gpt-4o-mini": "mira", "gpt-4o": "mira-pro"}
    for content, base in base_requests.items():
        cand = cand_requests[content]
        assert {k: v for k, v in base.body.items() if k != "model"} == {
            k: v for k, v in cand.body.items() if k != "model"
        }
        assert cand.body["model"] == mapped[base.body["model"]]
        assert base.headers["authorization"] == f"Bearer {BASELINE_KEY}"
        assert cand.headers["authorization"] == f"Bearer {CANDIDATE_KEY}"
    colours = base_requests["Three colours"].body
    assert colours["response_format"] == {"type": "json_object"} and colours["seed"] == 42
    assert base_requests["Say hello."].body["max_tokens"] == 5

    # The table and the summary are on stdout; the endpoints on stderr.
    assert "capital" in result.stdout and "verdicts" in result.stdout
    assert smoke.candidate.url in result.stderr


def test_model_flag_overrides_the_map_for_every_case(smoke: Smoke, workdir: Path) -> None:
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--model", "mira-max", "--model-map", "gpt-4o=mira-pro")
    assert result.exit_code == 0, result.stderr
    assert {r.model for r in smoke.candidate.chat_requests()} == {"mira-max"}
    assert sorted(str(r.model) for r in smoke.baseline.chat_requests()) == ["gpt-4o", "gpt-4o-mini", "gpt-4o-mini"]


PRICES = """
[baseline."gpt-4o-mini"]
input = 0.15
cached_input = 0.075
output = 0.60

[candidate.mira]
currency = "RUB"
per = 1000
input = 0.10
output = 0.30

[rates]
RUB = 0.0125
"""


def test_cost_arithmetic_with_cached_tokens_currency_and_thinking_tokens(smoke: Smoke, workdir: Path) -> None:
    smoke.baseline.default = Reply(
        "Paris.",
        usage={
            "prompt_tokens": 1000,
            "completion_tokens": 500,
            "total_tokens": 1500,
            "prompt_tokens_details": {"cached_tokens": 200},
        },
    )
    # vMira-style: 100 thinking tokens on top of completion_tokens (total = 1200 + 400 + 100).
    smoke.candidate.default = Reply(
        "Paris.", usage={"prompt_tokens": 1200, "completion_tokens": 400, "thinking_tokens": 100, "total_tokens": 1700}
    )
    (workdir / "prices.toml").write_text(PRICES, "utf-8")
    prompts = write_prompts(workdir / "p.jsonl", [{"model": "gpt-4o-mini", "prompt": "Capital of France?"}])

    result = smoke(prompts, "--model", "mira", "--pricing", "prices.toml", "--report", "r.json")

    assert result.exit_code == 0, result.stderr
    report = read_report(workdir / "r.json")
    case = report["cases"][0]
    # (1000 - 200) * 0.15/1M + 200 * 0.075/1M + 500 * 0.60/1M
    assert case["baseline"]["cost_usd"] == pytest.approx(0.000435)
    # (1200 * 0.10 + (400 + 100) * 0.30) / 1000 RUB * 0.0125 USD/RUB
    assert case["candidate"]["cost_usd"] == pytest.approx(0.0033750)
    assert case["candidate"]["usage"]["raw"]["thinking_tokens"] == 100
    summary = report["summary"]
    assert summary["baseline_cost_usd"] == pytest.approx(0.000435)
    assert summary["candidate_cost_usd"] == pytest.approx(0.003375)
    assert summary["cost_delta_pct"] == pytest.approx((0.003375 - 0.000435) / 0.000435 * 100, abs=0.01)
    assert "+675.9%" in result.stdout

    # --rate overrides the file's rate.
    again = smoke(prompts, "--model", "mira", "--pricing", "prices.toml", "--rate", "RUB=0.025", "--report", "r2.json")
    assert again.exit_code == 0
    assert read_report(workdir / "r2.json")["cases"][0]["candidate"]["cost_usd"] == pytest.approx(0.00675)


def test_unpriced_models_are_never_zero_and_openai_prices_stay_on_openai(smoke: Smoke, workdir: Path) -> None:
    """The candidate serves a model named gpt-4o-mini, but it is not api.openai.com: no price."""
    prompts = write_prompts(workdir / "p.jsonl", [{"model": "gpt-4o-mini", "prompt": "Capital of France?"}])
    result = smoke(prompts, "--report", "r.json", "--json")
    assert result.exit_code == 0, result.stderr
    report = read_report(workdir / "r.json")
    side = report["cases"][0]["candidate"]
    assert side["cost_usd"] is None and side["cost"]["status"] == "unpriced"
    assert "gpt-4o-mini" in side["cost"]["note"]
    summary = json.loads(result.stdout)
    assert summary["baseline_cost_usd"] is None and summary["candidate_cost_usd"] is None
    assert summary["cost_delta_pct"] is None
    assert summary["sides"]["candidate"]["unpriced_models"] == ["gpt-4o-mini"]

    table = smoke(prompts)
    assert "unpriced" in table.stdout and "$0" not in table.stdout


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ({"model": "gpt-4o"}, "needs exactly one of 'messages' or 'prompt'"),
        ({"model": "gpt-4o", "messages": "hello"}, "'messages' must be a list"),
        ({"model": "gpt-4o", "prompt": "hi", "temperature": "hot"}, "'temperature'"),
        ({"model": 4, "prompt": "hi"}, "'model' must be a non-empty string"),
    ],
)
def test_bad_prompts_file_is_refused_before_any_request(
    smoke: Smoke, workdir: Path, bad_line: dict[str, Any] | str, expected: str
) -> None:
    prompts = write_prompts(workdir / "p.jsonl", [CASES[0], CASES[2], bad_line])
    result = smoke(prompts, "--results", "res.jsonl", "--report", "r.json")
    assert result.exit_code == 2
    assert "p.jsonl:3: " in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr
    assert smoke.baseline.requests == [] and smoke.candidate.requests == []
    assert not (workdir / "r.json").exists()


def test_missing_key_is_refused_before_any_request(
    smoke: Smoke, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CANDIDATE_ENV)
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts)
    assert result.exit_code == 2
    assert f"${CANDIDATE_ENV} is not set" in result.stderr
    assert smoke.baseline.requests == [] and smoke.candidate.requests == []


def test_unknown_report_format_is_refused_before_any_request(smoke: Smoke, workdir: Path) -> None:
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--report", "out.json", "--report", "out.csv")
    assert result.exit_code == 2 and "unknown report format '.csv'" in result.stderr
    assert smoke.baseline.requests == [] and smoke.candidate.requests == []


@pytest.mark.parametrize("style", ["openai", "vmira"])
def test_rejected_key_stops_with_one_line_and_exit_3(smoke: Smoke, workdir: Path, style: ErrorStyle) -> None:
    smoke.candidate.api_key = "sk-some-other-key-the-provider-expects"
    smoke.candidate.auth_style = style
    prompts = write_prompts(workdir / "p.jsonl", [CASES[0]] * 1 + [dict(CASES[0], id=f"c{i}") for i in range(30)])
    result = smoke(prompts, "--concurrency", "2", "--results", "res.jsonl", "--report", "r.json")
    assert result.exit_code == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: candidate ({smoke.candidate.url}) rejected the API key: check {CANDIDATE_ENV}"]
    assert "Traceback" not in result.stderr
    for text in (result.stdout, result.stderr, (workdir / "res.jsonl").read_text(), (workdir / "r.json").read_text()):
        assert CANDIDATE_KEY not in text and BASELINE_KEY not in text
    # The free GET /models probe caught the key before any paid call, on either side.
    assert smoke.candidate.chat_requests() == [] and smoke.baseline.chat_requests() == []
    assert [r.path for r in smoke.candidate.requests] == ["/v1/models"]
    assert read_report(workdir / "r.json")["summary"]["stopped"] == "candidate auth error"


def test_key_rejected_only_by_chat_stops_after_the_cases_in_flight(smoke: Smoke, workdir: Path) -> None:
    """A 403 on chat (a plan that does not include the model) is not seen by the /models probe."""
    smoke.candidate.fail(403, times=None, style="vmira", message="Your plan does not include this model")
    prompts = write_prompts(workdir / "p.jsonl", [dict(CASES[0], id=f"c{i}") for i in range(30)])
    result = smoke(prompts, "--concurrency", "2", "--report", "r.json")
    assert result.exit_code == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: candidate ({smoke.candidate.url}) refused the request with this API key (HTTP 403: "
        f"Your plan does not include this model): check {CANDIDATE_ENV} and its plan or permissions"
    ]
    assert len(smoke.candidate.chat_requests()) <= 2
    report = read_report(workdir / "r.json")
    assert len(report["cases"]) <= 2 and report["cases"][0]["verdict"] == "broken"


def test_streaming_records_ttft_and_flags_a_stream_without_usage(smoke: Smoke, workdir: Path) -> None:
    smoke.baseline.default = Reply("The capital of France is Paris.", chunk_delay=0.005)
    smoke.candidate.default = Reply("The capital of France is Paris.", stream_usage=False)
    prompts = write_prompts(workdir / "p.jsonl", [CASES[0]])
    result = smoke(prompts, "--stream", "--report", "r.json")
    assert result.exit_code == 0, result.stderr
    case = read_report(workdir / "r.json")["cases"][0]
    base, cand = case["baseline"], case["candidate"]
    assert 0 < base["ttft_s"] <= base["latency_s"] and 0 < cand["ttft_s"] <= cand["latency_s"]
    assert base["stream_usage_missing"] is False and base["usage"]["prompt_tokens"] > 0
    assert cand["stream_usage_missing"] is True and cand["usage"] is None
    assert case["verdict"] == "same"
    assert read_report(workdir / "r.json")["summary"]["sides"]["candidate"]["stream_usage_missing"] == 1
    assert "1 stream(s) without usage" in result.stdout
    for request in smoke.candidate.chat_requests():
        assert request.body["stream_options"] == {"include_usage": True}


def test_limit_runs_the_first_cases_and_results_hold_every_response(smoke: Smoke, workdir: Path) -> None:
    prompts = write_prompts(workdir / "p.jsonl", [dict(CASES[0], id=f"c{i}") for i in range(10)])
    result = smoke(prompts, "--limit", "3", "--results", "res.jsonl", "--concurrency", "1")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in (workdir / "res.jsonl").read_text().splitlines()]
    assert sorted((line["case_id"], line["side"]) for line in lines) == [
        (f"c{i}", side) for i in range(3) for side in ("baseline", "candidate")
    ]
    for line in lines:
        assert line["output"] == "The capital of France is Paris." and line["request"]["messages"]
        assert line["usage"]["raw"]["prompt_tokens"] > 0 and line["run_id"]
    assert len(smoke.baseline.chat_requests()) == 3 and len(smoke.candidate.chat_requests()) == 3


def test_failures_are_recorded_per_case_and_counted(smoke: Smoke, workdir: Path) -> None:
    smoke.candidate.reject_params = {"seed"}
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--report", "r.json", "--fail-on", "broken")
    assert result.exit_code == 1
    report = read_report(workdir / "r.json")
    colours = next(case for case in report["cases"] if case["id"] == "colours")
    assert colours["verdict"] == "broken"
    assert colours["candidate"]["error"] == {
        "kind": "bad_request",
        "message": "Unrecognized request argument supplied: seed",
        "status": 400,
    }
    assert report["summary"]["errors"] == {"baseline": 0, "candidate": 1}
    assert "gate failed: --fail-on broken: 1 case(s) broken; allowed: 0" in result.stderr
    assert "bad_request" in result.stdout
    # Which side, how many, the provider's words and what to do, on one line.
    assert (
        "candidate: 1 of 3 call(s) failed with bad_request (400: Unrecognized request argument "
        "supplied: seed): the provider rejects a parameter"
    ) in result.stderr
    # A rejected parameter is a finding, not a lost call: without --fail-on the run passes.
    assert smoke(prompts).exit_code == 0


def test_a_wrong_base_url_fails_the_run_with_what_to_check(smoke: Smoke, workdir: Path) -> None:
    """Every candidate call answered 404 (here: the base URL lacks /v1): nothing was measured on
    that side, so the run fails (exit 3) and says what to check."""
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--base-url", smoke.candidate.url.removesuffix("/v1"), "--report", "r.json")
    assert result.exit_code == 3
    assert (
        "candidate: 3 of 3 call(s) failed with unknown_model (404: no route for POST /chat/completions): "
        "check the model name (--model, --model-map, or the case's model) and that the base URL is "
        "the API root (most end in /v1)"
    ) in result.stderr
    assert "Traceback" not in result.stderr
    report = read_report(workdir / "r.json")
    assert len(report["summary"]["failed_calls"]) == 1 and report["summary"]["errors"]["candidate"] == 3


def test_calls_lost_after_retries_make_the_run_incomplete(smoke: Smoke, workdir: Path) -> None:
    smoke.candidate.fail(500, times=2, message="upstream overloaded")
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--concurrency", "1", "--max-retries", "1", "--report", "r.json")
    # The first case's call failed twice (once retried): lost. The other two got answers.
    assert result.exit_code == 3
    assert (
        "candidate: 1 of 3 call(s) failed with server (500: upstream overloaded): the provider failed "
        "after retries: run again later or raise --max-retries"
    ) in result.stderr
    assert len(smoke.candidate.chat_requests()) == 4
    verdicts = [case["verdict"] for case in read_report(workdir / "r.json")["cases"]]
    assert verdicts.count("broken") == 1


def test_dry_run_sends_nothing_and_needs_no_keys(smoke: Smoke, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BASELINE_ENV)
    monkeypatch.delenv(CANDIDATE_ENV)
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--dry-run", "--json", "--model", "mira")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["cases"] == 3
    candidate = [line for line in payload["lines"] if line["side"] == "candidate"]
    assert candidate == [
        {
            "side": "candidate",
            "model": "mira",
            "cases": 3,
            "prompt_tokens": candidate[0]["prompt_tokens"],
            "cost_usd": None,
            # Without --calibration the projection is tiktoken's own count.
            "projected_prompt_tokens": candidate[0]["prompt_tokens"],
            "calibrated": False,
        }
    ]
    assert candidate[0]["prompt_tokens"] > 0
    assert smoke.baseline.requests == [] and smoke.candidate.requests == []


def test_project_config_supplies_the_defaults(smoke: Smoke, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "pyproject.toml").write_text(
        f"""
[tool.migrate]
base_url = "{smoke.candidate.url}"
api_key_env = "{CANDIDATE_ENV}"
baseline_base_url = "{smoke.baseline.url}"
baseline_api_key_env = "{BASELINE_ENV}"
model = "gpt-4o-mini"
model_map = {{ "gpt-4o-mini" = "mira" }}
concurrency = 2
max_retries = 0
""",
        "utf-8",
    )
    prompts = write_prompts(workdir / "p.jsonl", [{"prompt": "Hi"}, {"prompt": "Bye"}])
    from typer.testing import CliRunner

    from migrate_cli.cli import app

    result = CliRunner().invoke(app, ["smoke", str(prompts)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert [r.model for r in smoke.baseline.chat_requests()] == ["gpt-4o-mini"] * 2
    assert [r.model for r in smoke.candidate.chat_requests()] == ["mira"] * 2


def test_an_unwritable_output_is_refused_before_any_request_and_leaves_nothing(smoke: Smoke, workdir: Path) -> None:
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    result = smoke(prompts, "--report", "ok.json", "--results", "no/such/dir/res.jsonl")
    assert result.exit_code == 2 and "--results no/such/dir/res.jsonl: cannot write" in result.stderr
    assert smoke.baseline.requests == [] and smoke.candidate.requests == []
    assert sorted(p.name for p in workdir.iterdir()) == [".git", "p.jsonl"]


def test_a_proxy_password_in_either_base_url_is_never_shown(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from migrate_cli.cli import app

    monkeypatch.setenv(BASELINE_ENV, BASELINE_KEY)
    monkeypatch.setenv(CANDIDATE_ENV, CANDIDATE_KEY)
    prompts = write_prompts(workdir / "p.jsonl", CASES)
    report = workdir / "plan.md"
    args = [
        "smoke", str(prompts), "--dry-run", "--model", "mira", "--report", str(report),
        "--base-url", "https://bob:cand1d4te-pw@proxy.example/v1", "--api-key-env", CANDIDATE_ENV,
        "--baseline-base-url", "https://alice:b4seline-pw@gateway.example/v1", "--baseline-api-key-env", BASELINE_ENV,
    ]  # fmt: skip
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(app, [*args, *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        shown = result.stdout + result.stderr + (report.read_text() if report.exists() else "")
        assert "cand1d4te-pw" not in shown and "b4seline-pw" not in shown
        assert "proxy.example/v1" in shown and "gateway.example/v1" in shown
