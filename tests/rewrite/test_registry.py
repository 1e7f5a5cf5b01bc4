"""The rule registry is complete and documented: every rule module registered, codes unique, a README section
each, and one name per rule: its module is rules/<name>.py and its tests tests/rewrite/rules/test_<name>.py."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import migrate_cli.rewrite.rules as rules_package
from migrate_cli.rewrite.api.rule import Rule
from migrate_cli.rewrite.registry import RULES
from migrate_cli.rewrite.report.rule_list import rule_doc

README = Path(__file__).resolve().parents[2] / "README.md"
RULE_TESTS = Path(__file__).resolve().parent / "rules"
FIX_SAFETY = re.compile(r"\*\*Fix safety: (safe|needs review)\.\*\*")


def test_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"MC\d{3}", code) for code in codes)
    assert all(rule.summary and rule.name and rule.needles for rule in RULES)


def test_every_rule_module_is_registered() -> None:
    registered = {type(rule) for rule in RULES}
    for info in pkgutil.iter_modules(rules_package.__path__):
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
        assert len(classes) == 1, f"rules/{info.name}.py defines {len(classes)} rules: one module per rule"


def test_file_test_and_rule_name_agree() -> None:
    """MC016 "autogen" lives in rules/autogen.py and is tested in tests/rewrite/rules/test_autogen.py."""
    for rule in RULES:
        stem = rule.name.replace("-", "_")
        assert type(rule).__module__ == f"{rules_package.__name__}.{stem}", (
            f"{rule.code} {rule.name} lives in {type(rule).__module__}, not rules/{stem}.py"
        )
        assert (RULE_TESTS / f"test_{stem}.py").is_file(), f"{rule.code} {rule.name} has no rules/test_{stem}.py"


def test_readme_documents_every_rule() -> None:
    text = README.read_text(encoding="utf-8")
    for rule in RULES:
        assert re.search(rf"^### {rule.code} ", text, re.MULTILINE), f"README.md has no '### {rule.code} ...' section"


def _readme_section(text: str, code: str) -> str:
    match = re.search(rf"^### {code} \S+\n(.*?)(?=^### |^<!-- rules:end|^## )", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '### {code} ...' section"
    return match[1].strip()


def test_readme_sections_are_the_rules_own_documentation() -> None:
    """One text per rule: `migrate rules --explain` prints rules/docs/<name>.md, README shows the same."""
    text = README.read_text(encoding="utf-8")
    for rule in RULES:
        assert _readme_section(text, rule.code) == rule_doc(rule).strip(), (
            f"README.md's {rule.code} section differs from rules/docs/{rule.name.replace('-', '_')}.md"
        )


def test_each_rule_declares_its_fix_safety_and_its_doc_says_why() -> None:
    for rule in RULES:
        paragraphs = rule_doc(rule).strip().split("\n\n")
        said = FIX_SAFETY.match(paragraphs[-1])
        assert said, (
            f"{rule.code}: the doc's last paragraph must start '**Fix safety: safe.**' or '... needs review.**'"
        )
        assert said[1] == rule.fix_safety.value, f"{rule.code} declares {rule.fix_safety.value}, its doc says {said[1]}"
        assert any("```" in p for p in paragraphs), f"{rule.code}: the doc needs an example"


def test_readme_names_every_rule_whose_clients_mc006_follows() -> None:
    """The selection paragraph lists the rules MC006 works through; a new construction rule joins it."""
    from migrate_cli.rewrite.selection import _constant_feeders

    text = " ".join(README.read_text(encoding="utf-8").split())
    match = re.search(r"where a client this run migrates reads it \(the clients of ([^)]*)\)", text)
    assert match, "README.md no longer says which clients MC006 follows"
    listed: set[str] = set()
    for part in re.split(r", | and ", match.group(1)):
        bounds = re.fullmatch(r"MC(\d{3})-MC(\d{3})", part)
        if bounds:
            listed |= {f"MC{n:03d}" for n in range(int(bounds[1]), int(bounds[2]) + 1)}
        else:
            listed.add(part)
    assert listed == set(_constant_feeders(RULES))
