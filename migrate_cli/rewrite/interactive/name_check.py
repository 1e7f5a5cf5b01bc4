"""Does partly rewritten code still hold together? Name resolution for `--interactive`.

hunk_deps.py finds the names a rewrite binds differently (`bound_name_counts`, `rebound_names`:
an added `import os`, an import renamed from `AzureOpenAI` to `OpenAI`) to tell which edits depend
on each other. `refusal()` is the last check before a partly accepted file is written: it resolves
every name the file reads (`unresolved_names`, by the compiler's own scope analysis, `symtable`:
module bindings, enclosing scopes, `global` declarations, builtins) and compares with the original
and the full rewrite.

Names are compared as sets over the module: a name bound only inside some other function is not
"defined" for this purpose, so the check errs towards refusing, never towards a broken file.
"""

from __future__ import annotations

import ast
import builtins
import symtable
import warnings
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.python_syntax import analysable_text, parse_module
from migrate_cli.rewrite.interactive.hunks import FileChanges, compose

_KNOWN = frozenset(dir(builtins)) | {
    "__file__",
    "__name__",
    "__doc__",
    "__spec__",
    "__loader__",
    "__package__",
    "__builtins__",
    "__path__",
    "__cached__",
    "__annotations__",
    "__dict__",
    "__module__",
    "__qualname__",
}


class DoesNotParse(Exception):
    """The code is not valid Python (or not analysable by the compiler's scope pass)."""


def unresolved_names(code: str) -> frozenset[str]:
    """Names the code reads that nothing binds at module level or in an enclosing scope."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            # The compiler's scope pass reads what ast reads: code in newer syntax, neutralised.
            top = symtable.symtable(analysable_text(code), "<rewrite>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise DoesNotParse(str(exc)) from None
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    read: set[str] = {s.get_name() for s in top.get_symbols() if s.is_referenced()}
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        for symbol in table.get_symbols():
            if symbol.is_declared_global() and (symbol.is_assigned() or symbol.is_imported()):
                bound.add(symbol.get_name())
            if symbol.is_referenced() and symbol.is_global():
                read.add(symbol.get_name())
    return frozenset(read - bound - _KNOWN)


def bound_name_counts(code: str) -> dict[str, int]:
    """How many times each name is bound anywhere in the code (imports, assignments, defs, arguments...)."""
    tree = _parse(code)
    counts: dict[str, int] = {}

    def add(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(node.name)
        elif isinstance(node, ast.arg):
            add(node.arg)
        elif isinstance(node, ast.alias):
            add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                add(name)
    return counts


def _parse(code: str) -> ast.Module:
    try:
        return parse_module(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise DoesNotParse(str(exc)) from None


def import_bindings(code: str) -> dict[str, frozenset[str]]:
    """name -> what the imports of the code bind it to (`{"LLM": {"openai.AsyncOpenAI"}}`)."""
    tree = _parse(code)
    bindings: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bindings.setdefault(alias.asname or alias.name.split(".")[0], set()).add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                bindings.setdefault(alias.asname or alias.name, set()).add(f"{module}.{alias.name}")
    return {name: frozenset(targets) for name, targets in bindings.items()}


def rebound_names(old: str, new: str) -> frozenset[str]:
    """Names an import binds in both texts, but to something else in the new one."""
    before, after = import_bindings(old), import_bindings(new)
    return frozenset(name for name in before.keys() & after.keys() if before[name] != after[name])


def refusal(changes: FileChanges, applied: Iterable[int]) -> str | None:
    """Why the file with only the `applied` regions must not be written; None when it is sound.

    It must parse, and every name it reads that the original or the full rewrite resolves must
    still resolve.
    """
    chosen = frozenset(applied)
    if not chosen or chosen == frozenset(range(len(changes.regions))):
        return None  # the original, or the engine's own result
    text = compose(changes.old_lines, changes.new_lines, changes.regions, chosen)
    try:
        missing = unresolved_names(text) - unresolved_names(changes.old) - unresolved_names(changes.new)
    except DoesNotParse as exc:
        return f"with only the changes you accepted the file would not parse ({exc})"
    if missing:
        return f"with only the changes you accepted, {', '.join(sorted(missing))} would be undefined"
    return None
