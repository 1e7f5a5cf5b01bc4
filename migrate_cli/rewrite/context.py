"""What a rule sees of a module (`ModuleInfo`) and how it reports what it found (`Recorder`)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from migrate_cli.config import Target
from migrate_cli.rewrite.analysis import ModuleAnalysis, QName, Scope
from migrate_cli.rewrite.lines import source_lines
from migrate_cli.rewrite.model import Change, ReviewItem, SecurityFinding


@dataclass
class Findings:
    """Everything the rules of one run over one module reported."""

    changes: list[Change] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    security: list[SecurityFinding] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    #: Modules a rewrite relies on being imported at module level (`os`).
    imports: set[str] = field(default_factory=set)
    #: (module, name) pairs a rewrite relies on `from module import name` for (Haystack's `Secret`).
    from_imports: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class Recorder:
    """A rule's handle on `Findings`: every entry carries the rule's code and the node's line."""

    rule: str
    findings: Findings

    def change(self, node: ast.AST, message: str) -> None:
        self.findings.changes.append(Change(self.rule, _line(node), message))

    def review(self, node: ast.AST, reason: str) -> None:
        self.findings.review.append(ReviewItem(self.rule, _line(node), reason))

    def security(self, node: ast.AST, message: str, secret: str) -> None:
        self.findings.security.append(SecurityFinding(self.rule, _line(node), message))
        self.findings.secrets.append(secret)

    def secret(self, value: str) -> None:
        self.findings.secrets.append(value)

    def require_import(self, module: str) -> None:
        self.findings.imports.add(module)

    def require_from_import(self, module: str, name: str) -> None:
        """Ask for `from module import name` at module level (added unless that exact import is there)."""
        self.findings.from_imports.add((module, name))


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def plain_line_label(line: int) -> str:
    return f"line {line}"


def _cut(line: str, start: int, end: int | None) -> str:
    """Slice a line by ast's UTF-8 byte offsets."""
    if line.isascii():
        return line[start:end]
    return line.encode("utf-8")[start:end].decode("utf-8", errors="replace")


@dataclass(frozen=True)
class ModuleInfo:
    """One parsed module: its source, its `ast`, its scopes, and where the migration is going."""

    source: str
    tree: ast.Module
    analysis: ModuleAnalysis
    target: Target
    #: The rules running on this module (`--only/--skip` applied); None means every registered rule.
    #: Lets a rule see through another's work (MC006 follows constants only into enabled rules' calls).
    rules: tuple[Any, ...] | None = None
    #: Per-module cache for indexes several rules derive from the same tree (see constants.py).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: How a message names a line of `source`: "line 12"; in a notebook, "cell 3:2".
    line_label: Callable[[int], str] = field(default=plain_line_label, compare=False, repr=False)

    def where(self, node: ast.AST | int) -> str:
        """A line of this module as a message names it ("line 12", or "cell 3:2" in a notebook)."""
        return self.line_label(node if isinstance(node, int) else _line(node))

    def qualify(self, expr: ast.AST) -> QName:
        return self.analysis.qualify(expr)

    @cached_property
    def lines(self) -> list[str]:
        return source_lines(self.source)

    def segment(self, node: ast.AST) -> str:
        """The exact source text of a node, for messages."""
        first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        if first == last:
            return _cut(self.lines[first], start, end)
        parts = [_cut(self.lines[first], start, None), *self.lines[first + 1 : last], _cut(self.lines[last], 0, end)]
        return "".join(parts)

    def scope_at(self, node: ast.AST) -> Scope:
        """The scope code at `node` runs in (a statement's own, else found through a name read inside it)."""
        statement_scope = self.analysis.statement_scope.get(id(node))
        if statement_scope is not None:
            return statement_scope
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                scope = self.analysis.scope_of(child)
                if scope is not None:
                    return scope
        return self.analysis.module_scope

    def mentions(self, needles: Iterable[bytes]) -> bool:
        """Whether the source contains one of these lower-case needles, case-insensitively.

        A file is parsed when *any* rule's needle is in it; a rule whose own needles are absent has no
        work here and can return at once instead of qualifying every call of the module.
        """
        lowered = self.memo.get("lowered_source")
        if lowered is None:
            lowered = self.memo["lowered_source"] = self.source.lower()
        return any(needle.decode("ascii") in lowered for needle in needles)

    def enabled_rules(self) -> tuple[Any, ...]:
        if self.rules is not None:
            return self.rules
        from migrate_cli.rewrite.rules import RULES  # the registry imports this module

        return RULES

    def rule_enabled(self, code: str) -> bool:
        return any(rule.code == code for rule in self.enabled_rules())

    def os_module_name(self, node: ast.AST, recorder: Recorder) -> str | None:
        """The name that reaches the `os` module at `node` ("os", or an alias like "_os").

        When nothing binds `os` yet, answers "os" and asks for `import os` at module level. When
        `os` is bound to something else there and no alias exists, answers None: the caller must not
        write `os.environ` and should list the site for review instead.
        """
        scope = self.scope_at(node)
        bindings = self.analysis.lookup("os", scope)
        if bindings and all(b.kind == "import" and b.imported == "os" for b in bindings):
            return "os"
        for name, module_bindings in self.analysis.module_scope.bindings.items():
            if all(b.kind == "import" and b.imported == "os" for b in module_bindings):
                if self.analysis.lookup(name, scope) is module_bindings:
                    return name
        if bindings:
            return None
        recorder.require_import("os")
        return "os"
