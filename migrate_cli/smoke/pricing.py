"""Cost of a response from its reported usage and a price table. An unknown model is unpriced.

Which prices apply to a side is decided from the endpoint that side called, not from the model
name: the shipped OpenAI table (providers/openai_prices.toml) applies only to an endpoint on
`api.openai.com`. A model called "gpt-4o" on any other host is unpriced unless the user's pricing
file prices it, so OpenAI's rates are never put on another provider's bill because a name looks alike.

The pricing-file format is described in price_file.py.

Arithmetic follows OpenAI's usage semantics: cached tokens are INSIDE prompt_tokens and reasoning
tokens INSIDE completion_tokens, so cost = (prompt - cached) * input + cached * cached_input +
completion * output, with cached clamped into [0, prompt]. vMira-style `thinking_tokens` reported
on top of completion_tokens (total_tokens > prompt + completion) are billed as output. Decimal
throughout; floats only in the returned `Cost`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from migrate_cli.errors import UsageError
from migrate_cli.smoke.price_file import (
    Price,
    Rates,
    parse_entries,
    parse_rates,
    read_pricing_file,
    to_decimal,
)
from migrate_cli.smoke.records import SIDES, Cost, Endpoint, Usage

__all__ = ["Price", "PriceTable", "Rates", "is_openai_api", "load_prices", "parse_rate_option"]

OPENAI_API_HOST = "api.openai.com"


def is_openai_api(base_url: str) -> bool:
    """True for OpenAI's own API host. Regional hosts bill differently, so they do not count."""
    parts = urlsplit(base_url.strip())
    return parts.scheme == "https" and (parts.hostname or "").lower() == OPENAI_API_HOST


@dataclass(frozen=True)
class PriceTable:
    """Shipped OpenAI prices plus the user's; `cost()` picks by the side's endpoint and model."""

    openai: Mapping[str, Price] = field(default_factory=dict)
    both_sides: Mapping[str, Price] = field(default_factory=dict)
    per_side: Mapping[tuple[str, str], Price] = field(default_factory=dict)

    def lookup(self, endpoint: Endpoint, model: str) -> Price | None:
        """The price for `model` as served by `endpoint`, or None (unpriced)."""
        price = self.per_side.get((endpoint.side, model)) or self.both_sides.get(model)
        if price is None and is_openai_api(endpoint.base_url):
            price = self.openai.get(model)
        return price

    def cost(self, endpoint: Endpoint, model: str, usage: Usage | None) -> Cost:
        """Cost of one response from the usage the provider reported."""
        price = self.lookup(endpoint, model)
        if price is None:
            return _unpriced(endpoint, model)
        if usage is None or usage.prompt_tokens is None or usage.completion_tokens is None:
            return Cost(usd=None, status="no_usage", note="the provider reported no token usage")
        prompt, completion = usage.prompt_tokens, usage.completion_tokens
        if prompt < 0 or completion < 0:
            return Cost(usd=None, status="no_usage", note="the reported usage has negative counts")
        notes = [price.origin]
        reported_cached = usage.cached_tokens or 0
        cached = min(max(reported_cached, 0), prompt)
        if cached != reported_cached:
            notes.append(f"cached tokens clamped from {reported_cached} to {cached}")
        extra_output = _thinking_outside_completion(usage)
        if extra_output:
            notes.append(f"{extra_output} thinking tokens beyond completion_tokens billed as output")
        rates = price.rates_for(prompt)
        if rates is price.long_context:
            notes.append(f"long-context rates (prompt over {price.long_context_above} tokens)")
        cached_rate = rates.input if rates.cached_input is None else rates.cached_input
        input_usd = (prompt - cached) * rates.input + cached * cached_rate
        output_usd = (completion + extra_output) * rates.output
        return Cost(
            usd=float(input_usd + output_usd),
            status="computed",
            input_usd=float(input_usd),
            output_usd=float(output_usd),
            note="; ".join(notes),
        )

    def projected_input_cost(self, endpoint: Endpoint, model: str, prompt_tokens: int) -> Cost:
        """`--dry-run`: what `prompt_tokens` (a local estimate) would cost as uncached input."""
        price = self.lookup(endpoint, model)
        if price is None:
            return _unpriced(endpoint, model)
        input_usd = prompt_tokens * price.rates.input
        note = f"{price.origin}; input only, from the local token estimate, no cache discount"
        if price.long_context is not None:
            note += f"; long-context rates (prompts over {price.long_context_above}) not applied"
        return Cost(usd=float(input_usd), status="estimated", input_usd=float(input_usd), note=note)


def _unpriced(endpoint: Endpoint, model: str) -> Cost:
    where = "OpenAI's API" if is_openai_api(endpoint.base_url) else endpoint.base_url
    return Cost(
        usd=None,
        status="unpriced",
        note=f"no price for '{model}' on the {endpoint.side} side ({where}); add it to --pricing FILE",
    )


def _thinking_outside_completion(usage: Usage) -> int:
    thinking = usage.thinking_tokens or 0
    if thinking <= 0 or usage.total_tokens is None:
        return 0  # without a total, follow the docs that put thinking inside completion_tokens
    gap = usage.total_tokens - (usage.prompt_tokens or 0) - (usage.completion_tokens or 0)
    return max(0, min(thinking, gap))


# --- loading ----------------------------------------------------------------------------------


def load_prices(path: Path | None, *, rates: Mapping[str, float | Decimal] = {}) -> PriceTable:
    """The shipped OpenAI table plus the user's pricing file; `rates` (USD per unit) override its own."""
    shipped_file = resources.files("migrate_cli.providers").joinpath("openai_prices.toml")
    shipped = tomllib.loads(shipped_file.read_text("utf-8"), parse_float=Decimal)
    openai = parse_entries(shipped, "OpenAI price table", {}, origin_prefix="OpenAI list price")
    if path is None:
        return PriceTable(openai=openai)
    data = read_pricing_file(path)
    file_rates = parse_rates(data.get("rates", {}), f"{path}: [rates]")
    override = parse_rates(dict(rates), "--rate")
    all_rates = {**file_rates, **override}
    both = parse_entries(data, str(path), all_rates, origin_prefix=path.name)
    per_side: dict[tuple[str, str], Price] = {}
    for side in SIDES:
        scoped = data.get(side, {})
        if not isinstance(scoped, dict):
            raise UsageError(f"{path}: '{side}' must be a table of model prices")
        # File-wide defaults (currency, per, provenance) hold inside a side's table too.
        inherited: dict[str, object] = {key: data[key] for key in ("currency", "per", "source", "as_of") if key in data}
        entries = parse_entries({**inherited, **scoped}, f"{path}: {side}", all_rates, path.name)
        per_side.update(((side, model), price) for model, price in entries.items())
    return PriceTable(openai=openai, both_sides=both, per_side=per_side)


def parse_rate_option(text: str) -> tuple[str, Decimal]:
    """`RUB=0.0108` (USD per unit of RUB) -> ("RUB", Decimal("0.0108"))."""
    code, sep, value = text.partition("=")
    rate = to_decimal(value.strip()) if sep else None
    if not code.strip() or rate is None or rate <= 0:
        raise UsageError(f"--rate must look like CURRENCY=USD_PER_UNIT (e.g. RUB=0.0108), got '{text}'")
    return code.strip().upper(), rate
