"""`migrate rules`: every registered rewrite rule with its code, name, fix safety and one-line summary;
`migrate rules --explain CODE`: one rule's documentation (rules/docs/<rule module>.md, the same text as
its section of README.md), as `ruff rule CODE` prints one rule's.

The codes are what `migrate rewrite --only/--skip` take; the list comes straight from the registry
(`registry.py`), so a new rule shows up here without anyone editing this file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from rich.console import Console
from rich.table import Column, Table

from migrate_cli.errors import UsageError
from migrate_cli.rewrite.api.rule import Rule
from migrate_cli.rewrite.selection import rule_suggestion

JSON_SCHEMA_VERSION = 1


def rule_rows(rules: Sequence[Rule]) -> list[dict[str, str]]:
    """One row per rule, in the order the rules run."""
    return [{"code": r.code, "name": r.name, "fix_safety": r.fix_safety.value, "summary": r.summary} for r in rules]


def rule_doc(rule: Rule) -> str:
    """The rule's documentation: what it does, why, an example, and its fix safety (the last paragraph)."""
    module_name = type(rule).__module__.rsplit(".", 1)[-1]  # rules/<name>.py: the registry test checks it
    docs = resources.files("migrate_cli.rewrite.rules").joinpath("docs", f"{module_name}.md")
    return docs.read_text(encoding="utf-8")


def explained_rule(value: str, rules: Sequence[Rule]) -> Rule:
    """The one rule `--explain` names (a code or a name, any case); UsageError, in one line, otherwise."""
    wanted = value.strip()
    for rule in rules:
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    raise UsageError(f"--explain: unknown rule '{wanted}': {rule_suggestion(wanted, rules)}")


def render_rule_doc(console: Console, rule: Rule) -> None:
    # Raw markdown, not through rich: it reads as it is, and pipes to a pager or a file unchanged.
    console.file.write(f"# {rule.code} {rule.name}\n\n{rule_doc(rule)}")
    console.file.flush()


def rules_json(rules: Sequence[Rule]) -> dict[str, Any]:
    return {"version": JSON_SCHEMA_VERSION, "rules": rule_rows(rules)}


def render_rules_table(console: Console, rules: Sequence[Rule]) -> None:
    table = Table(
        Column("code", no_wrap=True),
        Column("name", no_wrap=True),
        Column("fix", no_wrap=True),
        Column("what it rewrites", overflow="fold"),
        box=None,
    )
    for row in rule_rows(rules):
        table.add_row(row["code"], row["name"], row["fix_safety"], row["summary"])
    console.print(table)
    console.print("Pick rules with `migrate rewrite --only CODE,...` or `--skip CODE,...`.", markup=False)
    console.print("`migrate rules --explain CODE` prints one rule's documentation.", markup=False)


def render_rules_json(console: Console, rules: Sequence[Rule]) -> None:
    # Raw, not through rich: the output is for programs and must be exactly one JSON object.
    console.file.write(json.dumps(rules_json(rules), indent=2) + "\n")
    console.file.flush()
