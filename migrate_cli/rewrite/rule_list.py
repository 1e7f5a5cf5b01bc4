"""`migrate rules`: every registered rewrite rule with its code, name and one-line summary.

The codes are what `migrate rewrite --only/--skip` take; the list comes straight from the registry
(`rules/__init__.py`), so a new rule shows up here without anyone editing this file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Column, Table

from migrate_cli.rewrite.rules.base import Rule

JSON_SCHEMA_VERSION = 1


def rule_rows(rules: Sequence[Rule]) -> list[dict[str, str]]:
    """One row per rule, in the order the rules run."""
    return [{"code": r.code, "name": r.name, "summary": r.summary} for r in rules]


def rules_json(rules: Sequence[Rule]) -> dict[str, Any]:
    return {"version": JSON_SCHEMA_VERSION, "rules": rule_rows(rules)}


def render_rules_table(console: Console, rules: Sequence[Rule]) -> None:
    table = Table(
        Column("code", no_wrap=True),
        Column("name", no_wrap=True),
        Column("what it rewrites", overflow="fold"),
        box=None,
    )
    for row in rule_rows(rules):
        table.add_row(row["code"], row["name"], row["summary"])
    console.print(table)
    console.print(
        "Pick rules with `migrate rewrite --only CODE,...` or `--skip CODE,...`.",
        markup=False,
    )


def render_rules_json(console: Console, rules: Sequence[Rule]) -> None:
    # Raw, not through rich: the output is for programs and must be exactly one JSON object.
    console.file.write(json.dumps(rules_json(rules), indent=2) + "\n")
    console.file.flush()
