"""Edits of `from x import a, b` statements: rename one imported name, add one next to it, or remove one.

A rule that swaps one class for another (MC003: `AzureOpenAI` -> `OpenAI`) must keep the file's
import style: `from openai import AzureOpenAI` becomes `from openai import OpenAI` when nothing
else uses `AzureOpenAI`, or `from openai import AzureOpenAI, OpenAI` when something still does; and
when the file imports `OpenAI` already, the `AzureOpenAI` name goes from its import (the whole
statement when it was its only name) instead of becoming a second import of `OpenAI`.
These helpers find the statement that binds a name where it is used, count the uses, and return
edits that change only the import list (comments, parentheses and layout kept).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from migrate_cli.rewrite.analysis.scopes import Binding
from migrate_cli.rewrite.api.context import ModuleInfo
from migrate_cli.rewrite.api.edits import AddImported, RemoveImported, RenameImported

_NESTING = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def uses_of(module: ModuleInfo, name: str, bindings: list[Binding]) -> list[ast.Name]:
    """Every read of `name` that resolves to exactly these bindings (one walk of the tree)."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            scope = module.analysis.scope_of(node)
            if scope is not None and module.analysis.lookup(name, scope) is bindings:
                found.append(node)
    return found


def binding_import(module: ModuleInfo, local_name: str, imported: str, at: ast.AST) -> ast.ImportFrom | None:
    """The `from ... import` statement that binds `local_name` (to `imported`) for code at `at`.

    The innermost one lexically enclosing `at` (a function-local import wins over the module's);
    None when there is none or more than one at that depth (e.g. `try`/`except` alternatives).
    """
    target_chain = _chain_to(module.tree, at)
    if target_chain is None:
        return None
    best: list[tuple[int, ast.ImportFrom]] = []
    for chain, stmt in _imports(module.tree, ()):
        if chain != target_chain[: len(chain)]:
            continue
        base = "." * stmt.level + (stmt.module or "")
        if any(f"{base}.{a.name}" == imported and (a.asname or a.name) == local_name for a in stmt.names):
            best.append((len(chain), stmt))
    if not best:
        return None
    depth = max(d for d, _ in best)
    innermost = [s for d, s in best if d == depth]
    return innermost[0] if len(innermost) == 1 else None


def _imports(node: ast.AST, chain: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], ast.ImportFrom]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ImportFrom):
            yield chain, child
        elif isinstance(child, _NESTING):
            yield from _imports(child, (*chain, id(child)))
        elif isinstance(child, ast.stmt):
            yield from _imports(child, chain)


def _chain_to(tree: ast.AST, target: ast.AST) -> tuple[int, ...] | None:
    """Ids of the functions/classes enclosing `target`, outermost first."""
    stack: list[tuple[ast.AST, tuple[int, ...]]] = [(tree, ())]
    while stack:
        node, chain = stack.pop()
        if node is target:
            return chain
        inner = (*chain, id(node)) if isinstance(node, _NESTING) else chain
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return None


def rename_imported(stmt: ast.ImportFrom, old: str, new: str) -> RenameImported:
    """`from m import old [as x]` -> `from m import new [as x]`."""
    return RenameImported(stmt, old, new)


def add_imported(stmt: ast.ImportFrom, after: str, new: str) -> AddImported:
    """`from m import after` -> `from m import after, new`, in the statement's own layout."""
    return AddImported(stmt, after, new)


def remove_imported(stmt: ast.ImportFrom, name: str, asname: str | None = None) -> RemoveImported:
    """`from m import name [as asname], other` -> `from m import other`; the statement goes if it had only that."""
    return RemoveImported(stmt, name, asname)


def empties_its_block(module: ModuleInfo, stmt: ast.ImportFrom) -> bool:
    """Whether removing `stmt` whole would leave the block it is in empty (`try:` holding only it)."""
    if len(stmt.names) > 1:
        return False
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Module):
            continue
        for block in (getattr(node, field, None) for field in ("body", "orelse", "finalbody")):
            if isinstance(block, list) and any(s is stmt for s in block):
                return len(block) == 1
    return False
