"""Golden-case harness for rewrite rules: exact before/after, output parses, second run is a no-op."""

from __future__ import annotations

import ast
from textwrap import dedent

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import rewrite_source
from migrate_cli.rewrite.model import RewriteSettings, SourceResult

VMIRA = RewriteSettings(resolve_target())


def rewrite(code: str, settings: RewriteSettings = VMIRA) -> SourceResult:
    return rewrite_source(code, settings)


def check_rewrite(before: str, after: str, settings: RewriteSettings = VMIRA) -> SourceResult:
    before, after = dedent(before), dedent(after)
    ast.parse(after)  # the expected code itself must be valid Python
    result = rewrite(before, settings)
    assert result.code == after, f"expected:\n{after}\ngot:\n{result.code}"
    assert result.changed
    again = rewrite(result.code, settings)
    assert again.code == result.code, "a second run must change nothing"
    assert not again.changes
    return result


def check_noop(code: str, settings: RewriteSettings = VMIRA) -> SourceResult:
    code = dedent(code)
    result = rewrite(code, settings)
    assert result.code == code, f"expected no change, got:\n{result.code}"
    assert not result.changed
    assert not result.changes
    return result
