"""The rule registry is complete and documented: every rule module registered, codes unique, a README section each."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import migrate_cli.rewrite.rules as rules_package
from migrate_cli.rewrite.rules import RULES
from migrate_cli.rewrite.rules.base import Rule

README = Path(__file__).resolve().parents[2] / "README.md"
HELPERS = {"base", "construction", "spec_construction"}


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"MC\d{3}", code) for code in codes)
    assert all(rule.summary and rule.name and rule.needles for rule in RULES)


def test_every_rule_module_is_registered() -> None:
    registered = {type(rule) for rule in RULES}
    for info in pkgutil.iter_modules(rules_package.__path__):
        if info.name in HELPERS:
            continue
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        assert module.__doc__, f"rule module {info.name} needs a docstring saying what it rewrites and why"
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Rule)
            and obj.__module__ == module.__name__
            and hasattr(obj, "code")
        ]
        assert classes, f"{info.name} defines no rule"
        assert all(cls in registered for cls in classes), f"{info.name} has a rule missing from RULES"


def test_readme_documents_every_rule() -> None:
    text = README.read_text(encoding="utf-8")
    for rule in RULES:
        assert re.search(rf"^### {rule.code} ", text, re.MULTILINE), f"README.md has no '### {rule.code} ...' section"
