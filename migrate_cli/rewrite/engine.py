"""The pure core of `migrate rewrite`: source text in, rewritten text and findings out.

No files, no printing. `files.py`/`runner.py` do the I/O; notebooks call this per cell.

    rewrite_source(code, settings) -> SourceResult     (raises SourceError if it does not parse)
    might_contain_client(data) -> bool                 (the byte pre-filter)
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from functools import cache

from migrate_cli.redact import url_passwords
from migrate_cli.rewrite.analysis.lines import source_lines
from migrate_cli.rewrite.analysis.python_syntax import parse_module
from migrate_cli.rewrite.analysis.scopes import analyze
from migrate_cli.rewrite.api.context import Findings, ImportNeed, ModuleInfo, Recorder, plain_line_label
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.rule import Rule
from migrate_cli.rewrite.apply.imports import import_splices
from migrate_cli.rewrite.model import TOO_DEEP, RewriteSettings, SourceError, SourceResult
from migrate_cli.rewrite.registry import RULES


@cache
def _needles() -> tuple[bytes, ...]:
    """Every rule's needles, minus those that contain another one (`openai_api_key` has `openai`)."""
    needles = {n for rule in RULES for n in rule.needles}
    return tuple(sorted(n for n in needles if not any(m != n and m in n for m in needles)))


def might_contain_client(data: bytes) -> bool:
    """False when no rule could have anything to do in a file with these bytes: skip parsing it."""
    # ASCII-lowercase once, then C substring searches: over the stdlib (32 MB, 13 needles) this takes
    # ~0.8 s where one case-insensitive regex alternation took ~10 s (re has no fast path for it).
    lowered = data.lower()
    return any(needle in lowered for needle in _needles())


def rewrite_source(
    code: str,
    settings: RewriteSettings,
    rules: tuple[Rule, ...] = RULES,
    line_label: Callable[[int], str] = plain_line_label,
) -> SourceResult:
    """`line_label` is how messages name a line of `code` (a notebook names its cells: "cell 3:2")."""
    if "\r" in code and "\n" not in code:
        # Classic Mac OS line ends. Python reads a lone "\r" as a line end, libcst does not (it
        # glues the next line to a statement it re-prints). So the rewrite runs on "\n" and gives
        # "\r" back: same length, same line numbers, and a file that had no "\n" gets none.
        result = _rewrite_source(code.replace("\r", "\n"), settings, rules, line_label)
        return replace(result, code=result.code.replace("\n", "\r"))
    return _rewrite_source(code, settings, rules, line_label)


def _rewrite_source(
    code: str, settings: RewriteSettings, rules: tuple[Rule, ...], line_label: Callable[[int], str]
) -> SourceResult:
    tree = parse(code)
    enabled = tuple(rule for rule in rules if settings.enabled(rule.code))
    module = ModuleInfo(
        source=code,
        tree=tree,
        analysis=analyze(tree),
        target=settings.target,
        rules=enabled,
        line_label=line_label,
    )
    findings = Findings()
    edits: list[Edit] = []
    for rule in enabled:
        edits.extend(rule.find(module, Recorder(rule.code, findings)))

    new_code = _apply(module, edits, findings.imports) if edits else code
    if "@" in code:  # a proxy URL with a password may show in a message or in a diff's context lines
        findings.secrets.extend(url_passwords(code))
    return SourceResult(
        code=new_code,
        changes=tuple(sorted(findings.changes, key=lambda c: c.line)),
        review=tuple(sorted(findings.review, key=lambda r: r.line)),
        security=tuple(findings.security),
        secrets=tuple(findings.secrets),
        changed=new_code != code,
    )


def parse(code: str) -> ast.Module:
    """The module's tree; syntax newer than the running interpreter's is read too (python_syntax.py)."""
    try:
        return parse_module(code)
    except SyntaxError as exc:
        raise SourceError(f"cannot parse: {exc.msg}", exc.lineno) from None
    except ValueError as exc:  # null bytes
        raise SourceError(f"cannot parse: {exc}") from None
    except (RecursionError, MemoryError):  # absurd nesting: CPython's parser gives up with either
        raise SourceError(TOO_DEEP) from None


def _apply(module: ModuleInfo, edits: list[Edit], imports: list[ImportNeed]) -> str:
    # Start-up speed: libcst (0.3 s to import) loads only when a file has edits to apply.
    from migrate_cli.rewrite.apply.splice import apply_edits

    code = module.source
    lines = source_lines(code)
    splices = apply_edits(code, lines, module.tree, edits)
    newline = "\r\n" if "\r\n" in code else "\n"
    splices += import_splices(module, imports, newline)
    # Bottom-up, so earlier line numbers stay valid; at equal lines a replacement goes before an insertion.
    for first, last, text in sorted(splices, key=lambda s: (s[0], s[1]), reverse=True):
        if first > len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines[first - 1 : last] = [text]
    return "".join(lines)
