"""Fixtures shared by the rewrite tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from migrate_cli.rewrite.model import RewriteSettings, SourceResult


@pytest.fixture
def target():
    """The fake OpenAI-compatible target on 127.0.0.1 that rewritten code is run against."""
    from helpers.fake_target import FakeTarget, serve

    yield from serve(FakeTarget(reply="hi from the target"))


@pytest.fixture(autouse=True)
def _prefilter_lets_through_every_file_a_rule_acts_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every engine run of every rewrite test doubles as a test of the byte pre-filter.

    A file the pre-filter rejects is never parsed: if a rule changed, reviewed or flagged code
    whose bytes the pre-filter would reject, real runs would skip that file without a word. So a
    rule's `needles` must name whatever its code can match (see engine.might_contain_client).
    """
    from migrate_cli.rewrite import engine
    from migrate_cli.rewrite.registry import RULES

    real = engine._rewrite_source
    registered = {rule.code for rule in RULES}  # not the stand-in rules some tests define

    def checked(code: str, settings: RewriteSettings, *args: Any) -> SourceResult:
        result = real(code, settings, *args)
        acted = (
            {c.rule for c in result.changes} | {r.rule for r in result.review} | {s.rule for s in result.security}
        ) & registered
        if acted and not engine.might_contain_client(code.encode("utf-8", "surrogatepass")):
            pytest.fail(f"{', '.join(sorted(acted))} acted on code the byte pre-filter rejects; add a needle:\n{code}")
        return result

    monkeypatch.setattr(engine, "_rewrite_source", checked)
