"""Where `import os` goes when a rewrite needs it: among the module's own top-level imports.

The line is placed the way isort would order a plain stdlib import: before the first plain
`import x` that sorts after it, else after the last plain import, else before the first
`from x import y`, else after the docstring and `from __future__` imports. A `from x import y`
a rewrite needs (Haystack's `Secret`) joins the imports of its own package (`from_import_insertion`).
"""

from __future__ import annotations

import ast


def import_insertion(tree: ast.Module, lines: list[str], module: str) -> int:
    """The 1-based line before which `import <module>` should be inserted."""
    body = tree.body
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and isinstance(body[index], ast.ImportFrom) and body[index].module == "__future__":
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
