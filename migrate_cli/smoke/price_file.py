"""The pricing-file format (`--pricing FILE` and the shipped OpenAI table) and its validation.

Pricing file (`--pricing FILE`, TOML, or JSON with the same structure; `.json` selects JSON):

    source = "https://..."          # optional provenance (also `tier`, `note`), kept with each price
    as_of = "2026-04-05"
    currency = "RUB"                # default for the entries below (else USD)
    per = 1000                      # tokens per price unit for the entries below (else 1_000_000)

    [rates]                         # USD per unit of currency; `--rate RUB=0.0108` overrides
    RUB = 0.0108

    [mira]                          # model -> prices, applies to both sides
    input = 0.10                    # required
    output = 0.30                   # required
    cached_input = 0.05             # optional; cached tokens cost `input` without it
    # optional per entry: currency, per, source, as_of, note,
    # long_context = { above = 272000, input = ..., output = ..., cached_input = ... }

    [candidate."gpt-4o"]            # an entry that applies to one side only
    input = 3.0                     # (tables `baseline` and `candidate` hold such entries)
    output = 12.0

Model names with dots must be quoted in TOML (`["gpt-4.1"]`). Lookup for a side: the user's entry
for that side, then the user's entry for both sides, then (on api.openai.com only) the shipped
OpenAI price, else unpriced. A non-USD entry without a rate is refused at load time, before any call.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from migrate_cli.errors import UsageError
from migrate_cli.smoke.records import SIDES

DEFAULT_PER = 1_000_000
_FILE_KEYS = {"source", "as_of", "tier", "note", "currency", "per", "rates", *SIDES}
_ENTRY_KEYS = {
    *("input", "output", "cached_input", "long_context"),
    *("currency", "per", "source", "as_of", "note"),
}
_LONG_KEYS = {"above", "input", "output", "cached_input"}


@dataclass(frozen=True)
class Rates:
    """USD per single token."""

    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None


@dataclass(frozen=True)
class Price:
    model: str
    rates: Rates
    #: Where the price comes from, as shown next to a cost.
    origin: str
    long_context_above: int | None = None
    long_context: Rates | None = None
    #: The URL or document the figures were taken from, for a report's list of sources.
    source: str = ""

    def rates_for(self, prompt_tokens: int) -> Rates:
        """Long-context rates apply to the whole request once its prompt exceeds the threshold."""
        above = self.long_context_above
        if self.long_context is not None and above is not None and prompt_tokens > above:
            return self.long_context
        return self.rates


def read_pricing_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such pricing file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the pricing file ({exc})") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, parse_float=Decimal)
        else:
            data = tomllib.loads(text, parse_float=Decimal)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise UsageError(f"{path}: not valid {kind} ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the pricing file must be a table of model -> prices")
    return data


def parse_rates(table: Any, where: str) -> dict[str, Decimal]:
    if not isinstance(table, Mapping):
        raise UsageError(f"{where} must be a table of CURRENCY = USD per unit")
    parsed = {}
    for code, value in table.items():
        rate = to_decimal(value)
        if rate is None or rate <= 0:
            raise UsageError(f"{where}: rate for {code} must be a positive number (USD per 1 {code})")
        parsed[str(code).upper()] = rate
    if parsed.get("USD", Decimal(1)) != 1:
        raise UsageError(f"{where}: the USD rate is 1 by definition")
    return parsed


def parse_entries(
    data: Mapping[str, Any], where: str, rates: Mapping[str, Decimal], origin_prefix: str
) -> dict[str, Price]:
    defaults = {key: data[key] for key in ("currency", "per", "source", "as_of", "tier") if key in data}
    return {
        model: _parse_entry(model, entry, defaults, f"{where}: '{model}'", rates, origin_prefix)
        for model, entry in data.items()
        if model not in _FILE_KEYS
    }


def _parse_entry(
    model: str,
    entry: Any,
    defaults: Mapping[str, Any],
    where: str,
    rates: Mapping[str, Decimal],
    origin_prefix: str,
) -> Price:
    if not isinstance(entry, dict):
        raise UsageError(f"{where} must be a table with input and output prices")
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        expected = ", ".join(sorted(_ENTRY_KEYS))
        raise UsageError(f"{where}: unknown key '{unknown[0]}' (expected: {expected})")
    merged = {**defaults, **entry}
    currency = str(merged.get("currency", "USD")).upper()
    per = merged.get("per", DEFAULT_PER)
    if isinstance(per, bool) or not isinstance(per, int) or per <= 0:
        raise UsageError(f"{where}: 'per' must be a positive whole number of tokens")
    if currency == "USD":
        usd_per_unit = Decimal(1)
    elif currency in rates:
        usd_per_unit = rates[currency]
    else:
        raise UsageError(
            f"{where}: prices in {currency} need a conversion rate: add [rates] {currency} = "
            f"<USD per {currency}> to the pricing file or pass --rate {currency}=<USD per {currency}>"
        )
    scale = usd_per_unit / per
    long = merged.get("long_context")
    if long is not None and (not isinstance(long, dict) or set(long) - _LONG_KEYS or "above" not in long):
        raise UsageError(f"{where}: 'long_context' must be {{above = TOKENS, input = .., output = ..}}")
    above = long.get("above") if long else None
    if long and (isinstance(above, bool) or not isinstance(above, int) or above <= 0):
        raise UsageError(f"{where}: long_context 'above' must be a positive whole number of tokens")
    return Price(
        model=model,
        rates=_rates(merged, where, scale),
        origin=_origin(origin_prefix, merged, currency, per, usd_per_unit),
        long_context_above=above,
        long_context=_rates(long, f"{where}: long_context", scale) if long else None,
        source=str(merged.get("source", "")),
    )


def _rates(table: Mapping[str, Any], where: str, scale: Decimal) -> Rates:
    values: dict[str, Decimal] = {}
    for key in ("input", "output", "cached_input"):
        if key not in table:
            if key != "cached_input":
                raise UsageError(f"{where}: '{key}' price is missing")
            continue
        number = to_decimal(table[key])
        if number is None or number < 0:
            raise UsageError(f"{where}: '{key}' must be a number of at least 0")
        values[key] = number * scale
    return Rates(values["input"], values["output"], values.get("cached_input"))


def _origin(prefix: str, entry: Mapping[str, Any], currency: str, per: int, usd_per_unit: Decimal) -> str:
    unit = "1M" if per == 1_000_000 else "1K" if per == 1000 else f"{per:,}"
    parts = [f"{prefix}: {currency} per {unit} tokens"]
    if currency != "USD":
        parts.append(f"at {usd_per_unit} USD/{currency}")
    if "tier" in entry:
        parts.append(f"{entry['tier']} tier")
    if "as_of" in entry:
        parts.append(f"as of {entry['as_of']}")
    return ", ".join(parts)


def to_decimal(value: Any) -> Decimal | None:
    """A finite number (int, float, Decimal or decimal string) as Decimal, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    try:
        # str() first: Decimal(0.1) would carry the float's binary error into the price.
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None
