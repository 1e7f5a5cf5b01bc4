"""Where a node is in its source: one place that reads `ast` positions.

Statements, expressions, arguments and keywords carry `lineno`, `col_offset`, `end_lineno` and
`end_col_offset`, but `ast.AST` itself declares none of them, so code that takes any node would
need a type-checker exception at every read. These functions read them once, by name.
"""

from __future__ import annotations

import ast


def start(node: ast.AST) -> tuple[int, int]:
    """(line, column) where `node` begins: 1-based line, 0-based UTF-8 byte column."""
    return getattr(node, "lineno"), getattr(node, "col_offset")  # noqa: B009 - ast.AST declares no positions


def end(node: ast.AST) -> tuple[int, int]:
    """(line, column) where `node` ends; (0, 0) for a node the parser gave no end."""
    return getattr(node, "end_lineno", None) or 0, getattr(node, "end_col_offset", None) or 0


def line(node: ast.AST) -> int:
    return start(node)[0]
