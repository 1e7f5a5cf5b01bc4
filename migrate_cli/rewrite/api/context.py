"""What a rule sees of a module (`ModuleInfo`) and how it reports what it found (`Recorder`)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from migrate_cli.config import Target
from migrate_cli.rewrite.analysis import positions
from migrate_cli.rewrite.analysis.lines import source_lines
from migrate_cli.rewrite.analysis.scopes import Binding, ModuleAnalysis, QName, Scope
from migrate_cli.rewrite.api.sites import ClientSite
from migrate_cli.rewrite.model import Change, ReviewItem, SecurityFinding

if TYPE_CHECKING:
    # Only for annotations: a rule reads a ModuleInfo, so rule.py imports this module.
    from migrate_cli.rewrite.api.rule import Rule

T = TypeVar("T")


class Fact(Generic[T]):
    """A typed key of `ModuleInfo.facts`: something several rules derive from the same tree, computed
    once per module by the module that defines the key (one module-level constant per fact; keys
    compare by identity, so two modules cannot collide on a spelling)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __repr__(self) -> str:
        return f"Fact({self.what!r})"


@dataclass(frozen=True)
class ImportNeed:
    module: str
    #: None for `import module`; else `from module import name`.
    name: str | None
    #: The node that reads the imported name.
    at: ast.AST
    #: Import it in the function, right before the statement holding `at` (`os` is a local name there).
    local: bool = False


@dataclass
class Findings:
    """Everything the rules of one run over one module reported."""

    changes: list[Change] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    security: list[SecurityFinding] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    #: Imports a rewrite relies on, with the nodes that need them: `import os` (module, None) or
    #: `from haystack.utils import Secret` (module, name). The engine places each one where it is
    #: bound before every use (imports.py).
    imports: list[ImportNeed] = field(default_factory=list)


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

    def require_import(self, module: str, name: str | None, at: ast.AST, local: bool = False) -> None:
        """Ask for `import module` (or `from module import name`) where the code at `at` sees it: at
        module level, or (`local`) right before the statement holding `at`, in its function."""
        self.findings.imports.append(ImportNeed(module, name, at, local))


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
    #: The rules running on this module (`--only/--skip` applied): `engine.module_info()` passes them.
    #: Lets a rule see through another's work (MC006 follows constants only into enabled rules' calls).
    rules: tuple[Rule, ...]
    #: Per-module cache for indexes several rules derive from the same tree (see constants.py):
    #: read and written through `known` / `learn`, whose `Fact` keys carry the value's type.
    facts: dict[Fact[Any], Any] = field(default_factory=dict, compare=False, repr=False)
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
        (first, start), (last, end) = positions.start(node), positions.end(node)
        first, last = first - 1, last - 1
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

    def known(self, fact: Fact[T]) -> T | None:
        """The value of `fact` for this module, if it has been learnt."""
        return cast("T | None", self.facts.get(fact))

    def learn(self, fact: Fact[T], value: T) -> T:
        self.facts[fact] = value
        return value

    @cached_property
    def client_sites(self) -> tuple[ClientSite, ...]:
        """Every client the enabled rules would move here, as each declares them (`Rule.client_sites`,
        pure), collected once before any of them is needed: constructions first, then Azure clients,
        then the module client, each kind in rule order (the order review messages name them in)."""
        sites = [site for rule in self.rules for site in rule.client_sites(self)]
        return tuple(sorted(sites, key=lambda site: site.kind))

    @cached_property
    def lowered_source(self) -> str:
        return self.source.lower()

    @cached_property
    def calls_by_callee(self) -> dict[str, list[int]]:
        """Positions in `analysis.calls` by every qualified name the callee may be (built once per module:
        some twenty construction specs ask about hundreds of calls)."""
        index: dict[str, list[int]] = {}
        for position, call in enumerate(self.analysis.calls):
            for name in self.callee_names(call):
                index.setdefault(name, []).append(position)
        return index

    def callee_names(self, call: ast.Call) -> frozenset[str]:
        """`qualify(call.func).names`, computed once per call for all the construction rules."""
        names = self._callee_names.get(id(call))
        if names is None:
            names = self._callee_names[id(call)] = self.qualify(call.func).names
        return names

    @cached_property
    def _callee_names(self) -> dict[int, frozenset[str]]:
        return {}

    def mentions(self, needles: Iterable[bytes]) -> bool:
        """Whether the source contains one of these lower-case needles, case-insensitively.

        A file is parsed when *any* rule's needle is in it; a rule whose own needles are absent has no
        work here and can return at once instead of qualifying every call of the module.
        """
        lowered = self.lowered_source
        return any(needle.decode("ascii") in lowered for needle in needles)

    def rule_enabled(self, code: str) -> bool:
        return any(rule.code == code for rule in self.rules)

    def os_module_name(self, node: ast.AST, recorder: Recorder) -> str | None:
        """The name that reaches the `os` module at `node` ("os", or an alias like "_os"); see `reach`."""
        return self.reach(frozenset({"os"}), "os", None, node, recorder)

    def reach(
        self, qualified: frozenset[str], name: str, from_module: str | None, node: ast.AST, recorder: Recorder
    ) -> str | None:
        """The name that reaches an imported object (`qualified`: its import paths) at `node`.

        `name` itself, or an alias, when it is bound where `node` runs (bound_before). When none
        is, answers `name` and asks for its import (`import name`, or `from from_module import
        name`) where it will be: at module level, before the first code that runs at import and
        needs it; or, when `name` is a local name of the function (imported there under a
        condition, or later), right before the statement that needs it. When `name` is bound to
        something else there and no alias exists, answers None: the caller must not write it and
        should list the site for review instead.
        """
        scope = self.scope_at(node)
        bindings = self.analysis.lookup(name, scope)
        ours = bool(bindings) and all(b.kind == "import" and b.imported in qualified for b in bindings)
        if ours and self.bound_before(bindings, node):
            return name
        for alias, module_bindings in self.analysis.module_scope.bindings.items():
            if (
                alias != name
                and all(b.kind == "import" and b.imported in qualified for b in module_bindings)
                and self.analysis.lookup(alias, scope) is module_bindings
                and self.bound_before(module_bindings, node)
            ):
                return alias
        if bindings and not ours:
            return None
        holder = self.analysis.binding_scope(name, scope) if bindings else None
        local = holder is not None and holder.kind != "module"
        if local and (scope.kind != "function" or holder is not scope):
            return None  # bound in an enclosing function, or read in a lambda: no statement to import it before
        if from_module is None:
            recorder.require_import(name, None, node, local)
        else:
            recorder.require_import(from_module, name, node, local)
        return name

    def bound_before(self, bindings: list[Binding], node: ast.AST) -> bool:
        """Whether one of these bindings is in place whenever the code at `node` runs.

        Code at module level or in a class body runs at import, top to bottom: a binding counts when
        its statement comes earlier and is not under an `if`, a loop or an `except`. A function runs
        later, when called: a module-level binding anywhere (unconditional) counts; one of the
        function's own counts when it comes earlier in the function, unconditionally.
        """
        scope = self.scope_at(node)
        runs_at_import = scope.kind in ("module", "class")
        line = getattr(node, "lineno", 0)
        for binding in bindings:
            statement = binding.statement
            if binding.conditional or statement is None:
                continue
            holder = self.analysis.statement_scope.get(id(statement))
            if holder is None:
                continue
            if holder.kind == "module" and not runs_at_import:
                return True
            if statement.lineno < line:
                return True
        return False
