"""Where `import os` goes when a rewrite needs it: where it is bound before every use.

Among the module's own top-level imports, the line is placed the way isort would order a plain
stdlib import: before the first plain `import x` that sorts after it, else after the last plain
import, else before the first `from x import y`, else after the docstring and `from __future__`
imports. A `from x import y` a rewrite needs (Haystack's `Secret`) joins the imports of its own
package (`from_import_insertion`).

But a module runs top to bottom: code that runs at import (module level, class bodies; in a
notebook, every cell in order) needs the name bound *before* it. An existing import counts only if
it is a plain top-level statement that comes earlier; the added line moves up to just before the
first top-level statement that needs it when the import block comes later (a notebook whose
imports cell follows the client cell). Code in a function runs when called, after the module's
imports. Where `os` is a local name of a function (imported there under a condition), the line
goes inside the function, right before the statement that needs it (`local_import_splice`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.api.context import ImportNeed, ModuleInfo


def import_splices(module: ModuleInfo, needs: Iterable[ImportNeed], newline: str) -> list[tuple[int, int, str]]:
    """Splices (line, line - 1, text) that insert each needed import where its uses see it."""
    tree, lines = module.tree, module.lines
    grouped: dict[tuple[str, str | None], list[ImportNeed]] = {}
    for need in needs:
        grouped.setdefault((need.module, need.name), []).append(need)
    splices: list[tuple[int, int, str]] = []
    for (name, imported), group in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        text = f"import {name}" if imported is None else f"from {name} import {imported}"
        for line in sorted({_statement_line(tree, need.at) for need in group if need.local}):
            indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
            splices.append((line, line - 1, f"{indent}{text}{newline}"))
        module_level = [need for need in group if not need.local]
        if not module_level:
            continue
        first_use = min((_top_line(tree, n.at) for n in module_level if _runs_at_import(module, n.at)), default=None)
        if _already_imported(tree, name, imported, first_use):
            continue
        at = import_insertion(tree, lines, name) if imported is None else from_import_insertion(tree, name)
        if first_use is not None and at > first_use:
            at = first_use
        splices.append((at, at - 1, f"{text}{newline}"))
    return splices


def _runs_at_import(module: ModuleInfo, node: ast.AST) -> bool:
    return module.scope_at(node).kind in ("module", "class")


def _already_imported(tree: ast.Module, name: str, imported: str | None, first_use: int | None) -> bool:
    """A plain top-level `import name` / `from name import imported`, before the first use at import."""
    for stmt in tree.body:
        if first_use is not None and stmt.lineno >= first_use:
            return False
        if imported is None and isinstance(stmt, ast.Import):
            if any(a.name == name and a.asname is None for a in stmt.names):
                return True
        elif (
            imported is not None
            and isinstance(stmt, ast.ImportFrom)
            and stmt.level == 0
            and stmt.module == name
            and any(a.name == imported and a.asname is None for a in stmt.names)
        ):
            return True
    return False


def _top_line(tree: ast.Module, node: ast.AST) -> int:
    """The first line (decorators included) of the top-level statement that holds `node`."""
    line = getattr(node, "lineno", 1)
    for stmt in tree.body:
        if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno) or _decorated_from(stmt) <= line < stmt.lineno:
            return _decorated_from(stmt)
    return line


def _decorated_from(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _statement_line(tree: ast.Module, node: ast.AST) -> int:
    """The first line of the innermost statement holding `node` that starts its own line."""
    line = getattr(node, "lineno", 1)
    best = line
    body: list[ast.stmt] = tree.body
    while True:
        stmt = next((s for s in body if _decorated_from(s) <= line <= (s.end_lineno or s.lineno)), None)
        if stmt is None:
            return best
        best = _decorated_from(stmt)
        inner = [
            b
            for b in (getattr(stmt, "body", None), getattr(stmt, "orelse", None), getattr(stmt, "finalbody", None))
            if isinstance(b, list) and b and isinstance(b[0], ast.stmt)
        ]
        inner += [h.body for h in getattr(stmt, "handlers", ())] + [c.body for c in getattr(stmt, "cases", ())]
        body = next((b for b in inner if _decorated_from(b[0]) <= line <= (b[-1].end_lineno or b[-1].lineno)), [])
        if not body or body[0].lineno == stmt.lineno:  # `if x: return OpenAI()`: no line of its own inside
            return best


def _is_future_import(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"


def import_insertion(tree: ast.Module, lines: list[str], module: str) -> int:
    """The 1-based line before which `import <module>` should be inserted."""
    body = tree.body
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future_import(body[index]):
        index += 1
    block_start = index
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        index += 1
    block = body[block_start:index]

    plain = [s for s in block if isinstance(s, ast.Import)]
    for stmt in plain:
        if stmt.names[0].name > module:
            return stmt.lineno
    if plain:
        return _line_after(plain[-1], lines)
    if block:
        return block[0].lineno
    if block_start:
        return _line_after(body[block_start - 1], lines)
    if body:
        return body[0].lineno
    return _first_line_after_header(lines)


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _line_after(stmt: ast.stmt, lines: list[str]) -> int:
    return (stmt.end_lineno or stmt.lineno) + 1


def _first_line_after_header(lines: list[str]) -> int:
    """After a shebang, encoding cookie and leading comments (for an empty module)."""
    number = 1
    while number <= len(lines) and lines[number - 1].lstrip().startswith("#"):
        number += 1
    return number


def from_import_insertion(tree: ast.Module, module: str) -> int:
    """The 1-based line before which `from <module> import <name>` should be inserted.

    Right after the last top-of-module import from the same top-level package (so
    `from haystack.utils import Secret` joins the other `haystack` imports), else after the last
    import of the module's leading import block, else where `import_insertion` would put a plain import.
    """
    body = tree.body
    index = 1 if body and _is_docstring(body[0]) else 0
    block: list[ast.stmt] = []
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        block.append(body[index])
        index += 1
    package = module.split(".")[0]
    same = [
        s for s in block if isinstance(s, ast.ImportFrom) and s.level == 0 and (s.module or "").split(".")[0] == package
    ]
    anchor = same[-1] if same else (block[-1] if block else None)
    if anchor is not None:
        return (anchor.end_lineno or anchor.lineno) + 1
    return import_insertion(tree, [], module)
