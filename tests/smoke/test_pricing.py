"""Cost arithmetic with exact numbers, unpriced models, sides, currencies and bad pricing files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from migrate_cli.errors import UsageError
from migrate_cli.smoke.pricing import is_openai_api, load_prices, parse_rate_option
from migrate_cli.smoke.records import Endpoint, Usage

OPENAI = Endpoint("baseline", "https://api.openai.com/v1", "OPENAI_API_KEY")
VMIRA = Endpoint("candidate", "https://api.vmira.ai/v1", "MIRA_API_KEY")
LOCAL_BASELINE = Endpoint("baseline", "http://127.0.0.1:8000/v1", "OPENAI_API_KEY")
EXAMPLE_PRICING = Path(__file__).parents[2] / "examples" / "pricing.toml"


def usage(
    prompt: int, completion: int, *, cached_tokens: int | None = None, reasoning_tokens: int | None = None
) -> Usage:
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached_tokens=cached_tokens,
        reasoning_tokens=reasoning_tokens,
    )


def pricing_file(tmp_path: Path, text: str, name: str = "pricing.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# OpenAI's pricing page, https://developers.openai.com/api/docs/pricing (read 2026-11-26): input,
# cached input, output; USD per 1M tokens.
REFERENCE_PRICES = {
    "gpt-4o": ("2.50", "1.25", "10.00"),
    "gpt-4o-mini": ("0.15", "0.075", "0.60"),
    "gpt-4.1": ("2.00", "0.50", "8.00"),
    "gpt-4.1-mini": ("0.40", "0.10", "1.60"),
    "gpt-4.1-nano": ("0.10", "0.025", "0.40"),
    "o3": ("2.00", "0.50", "8.00"),
    "o4-mini": ("1.10", "0.275", "4.40"),
    "gpt-5": ("1.25", "0.125", "10.00"),
    "gpt-5-mini": ("0.25", "0.025", "2.00"),
    "gpt-5-nano": ("0.05", "0.005", "0.40"),
    "gpt-5.1": ("1.25", "0.125", "10.00"),
    "gpt-5.2": ("1.75", "0.175", "14.00"),
    "gpt-5.4": ("2.50", "0.25", "15.00"),
    "gpt-5.4-mini": ("0.75", "0.075", "4.50"),
    "gpt-5.4-nano": ("0.20", "0.02", "1.25"),
    "gpt-5.5": ("5.00", "0.50", "30.00"),
}


def test_shipped_table_matches_the_reference() -> None:
    table = load_prices(None)
    assert set(table.openai) == set(REFERENCE_PRICES)
    million = Decimal(1_000_000)
    for model, (inp, cached, out) in REFERENCE_PRICES.items():
        price = table.openai[model]
        assert price.rates.input * million == Decimal(inp), model
        assert price.rates.cached_input is not None and price.rates.cached_input * million == Decimal(cached), model
        assert price.rates.output * million == Decimal(out), model
        assert price.source == "https://developers.openai.com/api/docs/pricing"
        assert "as of 2026-11-26" in price.origin


def test_openai_cost_with_cached_tokens_inside_prompt() -> None:
    cost = load_prices(None).cost(OPENAI, "gpt-4o", usage(1000, 500, cached_tokens=200))
    # 800 uncached * 2.50/M + 200 cached * 1.25/M + 500 * 10.00/M
    assert cost.status == "computed"
    assert cost.input_usd == 0.00225
    assert cost.output_usd == 0.005
    assert cost.usd == 0.00725
    assert cost.note == "OpenAI list price: USD per 1M tokens, standard tier, as of 2026-11-26"


@pytest.mark.parametrize(("reported", "billed_as_cached"), [(5000, 1000), (-3, 0)])
def test_cached_tokens_are_clamped_into_the_prompt(reported: int, billed_as_cached: int) -> None:
    cost = load_prices(None).cost(OPENAI, "gpt-4o", usage(1000, 0, cached_tokens=reported))
    expected = (1000 - billed_as_cached) * Decimal("2.50") / 10**6 + billed_as_cached * Decimal("1.25") / 10**6
    assert cost.usd == float(expected)
    assert f"cached tokens clamped from {reported} to {billed_as_cached}" in cost.note


def test_reasoning_tokens_are_not_billed_twice() -> None:
    # OpenAI counts reasoning tokens inside completion_tokens.
    cost = load_prices(None).cost(OPENAI, "o3", usage(100, 500, reasoning_tokens=400))
    assert cost.usd == 0.0042  # 100 * 2/M + 500 * 8/M


def test_long_context_rates_apply_above_the_threshold() -> None:
    table = load_prices(None)
    assert table.cost(OPENAI, "gpt-5.4", usage(272_000, 1000)).usd == 0.695  # 272000*2.5/M + 1000*15/M
    long = table.cost(OPENAI, "gpt-5.4", usage(300_000, 1000))
    assert long.usd == 1.5225  # 300000 * 5/M + 1000 * 22.5/M
    assert "long-context rates (prompt over 272000 tokens)" in long.note


def test_vmira_thinking_tokens_on_top_of_completion_are_output() -> None:
    table = load_prices(EXAMPLE_PRICING)
    # vMira's extended-thinking example: 35 + 120 + 85 = 240, so thinking is outside completion.
    raw = {"prompt_tokens": 35, "completion_tokens": 120, "thinking_tokens": 85, "total_tokens": 240}
    cost = table.cost(VMIRA, "mira", Usage.from_raw(raw))
    # input 35 * 0.10 RUB/1K, output 205 * 0.30 RUB/1K, at 0.0108 USD per RUB
    assert cost.input_usd == 0.0000378
    assert cost.output_usd == 0.0006642
    assert cost.usd == 0.000702
    assert "85 thinking tokens beyond completion_tokens billed as output" in cost.note
    assert "RUB per 1K tokens, at 0.0108 USD/RUB" in cost.note


@pytest.mark.parametrize("total", [155, None])
def test_thinking_tokens_inside_completion_are_not_added(total: int | None) -> None:
    raw = {"prompt_tokens": 35, "completion_tokens": 120, "thinking_tokens": 85, "total_tokens": total}
    cost = load_prices(EXAMPLE_PRICING).cost(VMIRA, "mira", Usage.from_raw(raw))
    assert cost.output_usd == 0.0003888  # 120 * 0.30 / 1000 * 0.0108
    assert "thinking" not in cost.note


@pytest.mark.parametrize(
    ("thinking", "total", "billed_extra"),
    [
        (None, 250, 0),  # a total above prompt + completion says nothing by itself: only thinking is billed
        (0, 250, 0),
        (1, 156, 1),  # a single thinking token outside completion is billed
        (85, 200, 45),  # the total shows only 45 outside completion: no more than that is added
        (85, 150, 0),  # a total below prompt + completion: nothing outside
    ],
)
def test_thinking_tokens_billed_beyond_completion_are_bounded_by_the_total(
    thinking: int | None, total: int, billed_extra: int
) -> None:
    raw = {"prompt_tokens": 35, "completion_tokens": 120, "thinking_tokens": thinking, "total_tokens": total}
    cost = load_prices(EXAMPLE_PRICING).cost(VMIRA, "mira", Usage.from_raw(raw))
    plain = load_prices(EXAMPLE_PRICING).cost(VMIRA, "mira", usage(35, 120 + billed_extra))
    assert cost.output_usd == plain.output_usd
    assert ("thinking tokens beyond completion_tokens" in cost.note) is (billed_extra > 0)


def test_cached_tokens_cost_the_input_rate_without_a_cached_price() -> None:
    cost = load_prices(EXAMPLE_PRICING).cost(VMIRA, "mira-pro", usage(1000, 0, cached_tokens=400))
    assert cost.usd == 0.00324  # all 1000 at 0.30 RUB/1K * 0.0108


def test_candidate_gpt_4o_on_vmira_is_unpriced_not_openai_priced() -> None:
    table = load_prices(EXAMPLE_PRICING)
    cost = table.cost(VMIRA, "gpt-4o", usage(1000, 500))
    assert cost.usd is None
    assert cost.status == "unpriced"
    assert cost.note == (
        "no price for 'gpt-4o' on the candidate side (https://api.vmira.ai/v1); add it to --pricing FILE"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1",
        "https://eu.api.openai.com/v1",
        "https://api.openai.com.evil.example/v1",
        "http://api.openai.com/v1",
    ],
)
def test_shipped_prices_only_on_api_openai_com(url: str) -> None:
    assert not is_openai_api(url)
    cost = load_prices(None).cost(Endpoint("baseline", url, "OPENAI_API_KEY"), "gpt-4o", usage(10, 10))
    assert cost.status == "unpriced"


def test_unknown_openai_model_is_unpriced_not_guessed() -> None:
    # A dated snapshot can cost more than its alias (gpt-4o-2024-05-13 did): no prefix matching.
    cost = load_prices(None).cost(OPENAI, "gpt-4o-2024-05-13", usage(10, 10))
    assert cost.status == "unpriced"
    assert "on the baseline side (OpenAI's API)" in cost.note


def test_user_entries_by_side_and_for_both(tmp_path: Path) -> None:
    path = pricing_file(
        tmp_path,
        """
        ["gpt-4o"]
        input = 1
        output = 2

        [candidate."gpt-4o"]
        input = 3
        output = 4
        cached_input = 1.5
        """,
    )
    table = load_prices(path)
    # The user's price for both sides beats the shipped one, even on api.openai.com.
    assert table.cost(OPENAI, "gpt-4o", usage(1_000_000, 0)).usd == 1.0
    assert table.cost(LOCAL_BASELINE, "gpt-4o", usage(0, 1_000_000)).usd == 2.0
    # The candidate-only entry wins on the candidate side: 0.5M * 3 + 0.5M * 1.5 + 1M * 4 (per M).
    assert table.cost(VMIRA, "gpt-4o", usage(1_000_000, 1_000_000, cached_tokens=500_000)).usd == 6.25


def test_side_only_entry_does_not_leak_to_the_other_side(tmp_path: Path) -> None:
    path = pricing_file(tmp_path, "[candidate.mira]\ninput = 1\noutput = 1\n")
    table = load_prices(path)
    assert table.cost(VMIRA, "mira", usage(1, 1)).status == "computed"
    assert table.cost(Endpoint("baseline", "https://api.vmira.ai/v1", "K"), "mira", usage(1, 1)).status == "unpriced"


def test_json_pricing_file_and_rate_override(tmp_path: Path) -> None:
    path = pricing_file(
        tmp_path,
        '{"rates": {"RUB": 0.02}, "mira": {"input": 0.10, "output": 0.30, "currency": "RUB", "per": 1000}}',
        name="pricing.json",
    )
    assert load_prices(path).cost(VMIRA, "mira", usage(1000, 0)).usd == 0.002  # 0.10 RUB * 0.02
    overridden = load_prices(path, rates={"RUB": 0.0108})
    assert overridden.cost(VMIRA, "mira", usage(1000, 0)).usd == 0.00108


def test_missing_rate_is_an_error_naming_the_entry(tmp_path: Path) -> None:
    path = pricing_file(tmp_path, 'currency = "RUB"\nper = 1000\n\n[mira-max]\ninput = 1.5\noutput = 6\n')
    with pytest.raises(UsageError) as caught:
        load_prices(path)
    assert caught.value.message == (
        f"{path}: 'mira-max': prices in RUB need a conversion rate: add [rates] RUB = <USD per RUB> "
        "to the pricing file or pass --rate RUB=<USD per RUB>"
    )
    assert load_prices(path, rates={"rub": 0.01}).cost(VMIRA, "mira-max", usage(1000, 1000)).usd == 0.075


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[mira\n", "not valid TOML"),
        ("[mira]\noutput = 1\n", "'mira': 'input' price is missing"),
        ("[mira]\ninput = -1\noutput = 1\n", "'mira': 'input' must be a number of at least 0"),
        ('[mira]\ninput = "cheap"\noutput = 1\n', "'mira': 'input' must be a number of at least 0"),
        ("[mira]\ninput = 1\noutput = 1\ninptu = 2\n", "'mira': unknown key 'inptu'"),
        ("[mira]\ninput = 1\noutput = 1\nper = 0\n", "'mira': 'per' must be a positive whole number"),
        ("mira = 3\n", "'mira' must be a table with input and output prices"),
        ("[rates]\nRUB = 0\n", "[rates]: rate for RUB must be a positive number"),
        ("[rates]\nUSD = 2\n", "the USD rate is 1 by definition"),
        ("candidate = 1\n", "'candidate' must be a table of model prices"),
        ("[x]\ninput = 1\noutput = 1\nlong_context = { input = 2, output = 2 }\n", "'x': 'long_context' must be"),
    ],
)
def test_invalid_pricing_files_name_the_file_and_entry(tmp_path: Path, text: str, expected: str) -> None:
    path = pricing_file(tmp_path, text)
    with pytest.raises(UsageError) as caught:
        load_prices(path)
    assert caught.value.message.startswith(str(path))
    assert expected in caught.value.message


def test_missing_pricing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such pricing file"):
        load_prices(tmp_path / "nope.toml")


def test_no_usage_is_not_a_zero_cost() -> None:
    table = load_prices(None)
    assert table.cost(OPENAI, "gpt-4o", None).status == "no_usage"
    assert table.cost(OPENAI, "gpt-4o", Usage(prompt_tokens=10)).usd is None


@pytest.mark.parametrize("reported", [usage(-5, 10), usage(10, -1), usage(-1, -1)])
def test_negative_usage_counts_are_no_usage_not_a_refund(reported: Usage) -> None:
    # A broken proxy's negative count would otherwise lower the side's total cost.
    cost = load_prices(None).cost(OPENAI, "gpt-4o", reported)
    assert (cost.usd, cost.status, cost.note) == (None, "no_usage", "the reported usage has negative counts")


def test_zero_counts_are_a_computed_cost() -> None:
    table = load_prices(None)
    nothing = table.cost(OPENAI, "gpt-4o", usage(0, 0))
    assert (nothing.usd, nothing.status) == (0.0, "computed")
    assert table.cost(OPENAI, "gpt-4o", usage(0, 1_000_000)).usd == 10.0
    assert table.cost(OPENAI, "gpt-4o", usage(1_000_000, 0)).usd == 2.5


def test_projected_input_cost_for_dry_run() -> None:
    table = load_prices(EXAMPLE_PRICING)
    projected = table.projected_input_cost(OPENAI, "gpt-4o", 1_000_000)
    assert (projected.usd, projected.status, projected.output_usd) == (2.5, "estimated", None)
    assert table.projected_input_cost(VMIRA, "mira", 10_000).usd == 0.0108  # 10K * 0.10 RUB/1K
    assert table.projected_input_cost(VMIRA, "gpt-4o", 1000).status == "unpriced"


def test_projected_cost_says_when_long_context_rates_may_apply() -> None:
    # --dry-run projects at the base rate: for a model with long-context rates the figure can be
    # low, and the note says so; for others it does not cry wolf.
    table = load_prices(None)
    long = table.projected_input_cost(OPENAI, "gpt-5.4", 300_000)
    assert long.usd == 0.75  # 300000 * 2.5/M: the base rate, as the note says
    assert "long-context rates (prompts over 272000) not applied" in long.note
    assert "long-context" not in table.projected_input_cost(OPENAI, "gpt-4o", 300_000).note


def test_rate_option_parsing() -> None:
    assert parse_rate_option("rub=0.0108") == ("RUB", Decimal("0.0108"))
    for bad in ("RUB", "RUB=", "=1", "RUB=-1", "RUB=abc", "RUB=nan"):
        with pytest.raises(UsageError, match="--rate must look like CURRENCY=USD_PER_UNIT"):
            parse_rate_option(bad)


def test_usage_from_raw_reads_each_provider_shape() -> None:
    openai = Usage.from_raw(
        {
            "prompt_tokens": 1000,
            "completion_tokens": 500,
            "total_tokens": 1500,
            "prompt_tokens_details": {"cached_tokens": 200, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 300},
        }
    )
    assert (openai.prompt_tokens, openai.cached_tokens, openai.reasoning_tokens) == (1000, 200, 300)
    deepseek = Usage.from_raw({"prompt_tokens": 10, "completion_tokens": 5, "prompt_cache_hit_tokens": 4})
    assert deepseek.cached_tokens == 4
    odd = Usage.from_raw({"prompt_tokens": 10.0, "completion_tokens": "5", "prompt_tokens_details": None})
    assert (odd.prompt_tokens, odd.completion_tokens, odd.cached_tokens) == (10, None, None)
    assert Usage.from_raw(None) is None
