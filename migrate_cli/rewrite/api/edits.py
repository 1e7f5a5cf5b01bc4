"""The edits a rule can ask for: plain values aimed at `ast` nodes.

Rules decide on the `ast` (see analysis.py); they describe each change as one of the small edit
values below. The engine finds the matching libcst node (same source range) and `cst_edits.py`
applies the edit there, so every rule gets the same care for commas, line breaks, indentation and
comments, and none of them has to touch libcst itself. This module does not import libcst: a run
over files with nothing to change never pays for it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class ReplaceExpr:
    """Replace an expression with new code (parentheses around the old one are kept)."""

    node: ast.expr
    code: str


@dataclass(frozen=True)
class SetString:
    """Give a string literal a new value, keeping its prefix and quote style."""

    node: ast.Constant
    value: str


@dataclass(frozen=True)
class AddKeywords:
    """Append `name=code` keyword arguments to a call, in the call's own layout."""

    node: ast.Call
    keywords: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RemoveKeyword:
    node: ast.Call
    name: str


@dataclass(frozen=True)
class AddDictItems:
    """Append `"key": code` items to a dict literal, in the dict's own layout."""

    node: ast.Dict
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class InsertAfter:
    """Insert a statement (same indentation) after a simple statement."""

    node: ast.stmt
    code: str


@dataclass(frozen=True)
class RenameKeyword:
    """`call(old=...)` -> `call(new=...)`."""

    node: ast.Call
    old: str
    new: str


@dataclass(frozen=True)
class RenameImported:
    """`from m import old [as x]` -> `from m import new [as x]`."""

    node: ast.ImportFrom
    old: str
    new: str


@dataclass(frozen=True)
class AddImported:
    """`from m import after` -> `from m import after, new`, in the statement's own layout."""

    node: ast.ImportFrom
    after: str
    new: str


@dataclass(frozen=True)
class RemoveImported:
    """`from m import a [as x], b` -> `from m import b`; the statement goes when that was its only name."""

    node: ast.ImportFrom
    name: str
    asname: str | None = None


@dataclass(frozen=True)
class Custom:
    """Escape hatch: any libcst transformation of the node matching `node`."""

    node: ast.AST
    #: Imports libcst itself when it runs.
    apply: Callable[[cst.CSTNode], cst.CSTNode]


Edit = (
    ReplaceExpr
    | SetString
    | AddKeywords
    | RemoveKeyword
    | AddDictItems
    | InsertAfter
    | RenameKeyword
    | RenameImported
    | AddImported
    | RemoveImported
    | Custom
)
