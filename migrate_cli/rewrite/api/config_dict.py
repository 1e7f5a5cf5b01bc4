"""What the dict behind `Ctor(**kwargs)` holds: a literal plus `kwargs["key"] = value` in the same function.

Pattern P16 of reference/codemod.md, seen in many real code bases:

    kwargs = {"api_key": key, "timeout": 30}
    if base:
        kwargs["base_url"] = base
    client = OpenAI(**kwargs)

`follow_config()` proves what such a dict can hold when the construction runs, or says why it cannot.
It can when `kwargs` is bound exactly once, to a dict literal with string-literal keys, and every other
use of the name in that function (nested functions included) is one of:

- `kwargs["key"] = value` as a whole statement, with a string-literal key, after the literal and
  before the construction, not in a loop and not in a nested function;
- a read: `kwargs["x"]`, `kwargs.get(...)`, `"x" in kwargs`, ...;
- `**kwargs` in a call (the construction rule decides which unpacking calls it accepts).

Anything else (`kwargs.update(...)`, `del kwargs[...]`, a computed key, `kwargs["x"] += ...`, passing
`kwargs` to a function, storing it somewhere) means its content at the construction is unknown. A set
that is not in the same block as the literal (under an `if`, `try`, `with`, ...) may or may not run:
it is *conditional*, so the literal's value (or its absence) also reaches the construction.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from migrate_cli.redact import redact
from migrate_cli.rewrite.analysis.positions import end as _end
from migrate_cli.rewrite.analysis.positions import start as _position
from migrate_cli.rewrite.analysis.values import string_items, string_value
from migrate_cli.rewrite.api.context import Fact, ModuleInfo

_READ_METHODS = frozenset({"get", "keys", "items", "values", "copy"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass(frozen=True)
class DictValue:
    key: str
    value: ast.expr
    #: True when the statement setting it may not run before the construction.
    conditional: bool


@dataclass(frozen=True)
class ConfigDict:
    """A dict literal and every value its string keys can hold when it is unpacked."""

    name: str
    literal: ast.Dict
    entries: tuple[DictValue, ...]
    #: Every call that unpacks the dict (`f(**name)`), in source order.
    unpacked_by: tuple[ast.Call, ...]

    def values(self, key: str) -> list[DictValue]:
        return [entry for entry in self.entries if entry.key == key]


@dataclass(frozen=True)
class NotFollowed:
    """There is a dict literal, but what it holds at the construction cannot be proved."""

    reason: str


#: Each dict followed, by the identity of its name's bindings.
_FOLLOWED: Fact[dict[int, ConfigDict | NotFollowed | None]] = Fact("config dicts followed")


def follow_config(splat: ast.expr, call: ast.Call, module: ModuleInfo) -> ConfigDict | NotFollowed | None:
    """The dict behind `**splat` in `call`; None when `splat` is not a dict literal this module builds."""
    if isinstance(splat, ast.Dict):
        items = string_items(splat)
        if items is None:
            return None
        return ConfigDict("", splat, tuple(DictValue(key, value, False) for key, value in items), (call,))
    if not isinstance(splat, ast.Name):
        return None
    scope = module.analysis.scope_of(splat)
    if scope is None:
        return None
    bindings = module.analysis.lookup(splat.id, scope)
    literals = [b.value for b in bindings if b.kind == "assign" and isinstance(b.value, ast.Dict)]
    if not literals:
        return None
    if len(bindings) > 1:
        return NotFollowed(f"{splat.id} is bound more than once in this scope")
    followed = module.known(_FOLLOWED) or module.learn(_FOLLOWED, {})
    if id(bindings) not in followed:  # by the name's bindings: one dict, followed once for every call
        followed[id(bindings)] = _follow(splat.id, bindings, literals[0], module)
    return followed[id(bindings)]


def _follow(name: str, bindings: list, literal: ast.Dict, module: ModuleInfo) -> ConfigDict | NotFollowed | None:
    items = string_items(literal)
    if items is None:
        return NotFollowed(
            f"the dict literal {name} is built from has keys that are not string literals (or `**` entries)"
        )
    assignment = next((s for s in module.analysis.assignments if getattr(s, "value", None) is literal), None)
    if assignment is None:
        return None
    located = _locate(module.tree, assignment)
    if located is None:
        return None
    owner, block = located
    entries = [DictValue(key, value, False) for key, value in items]
    unpacked_by: list[ast.Call] = []
    sets: list[ast.stmt] = []
    for use in _uses(owner, name, bindings, module):
        node, parent, grand, stmt, in_loop, nested = use
        if isinstance(parent, ast.keyword) and parent.arg is None and isinstance(grand, ast.Call):
            unpacked_by.append(grand)
        elif isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.targets[0] is parent):
                return NotFollowed(
                    f"{name}[...] is changed at line {stmt.lineno} (`{_first_line(module, stmt)}`) in a way the "
                    "rewrite cannot follow"
                )
            key = string_value(parent.slice)
            if key is None:
                return NotFollowed(
                    f"{name}[{module.segment(parent.slice)}] is set at line {stmt.lineno} with a key the rewrite "
                    "cannot read"
                )
            if in_loop or nested:
                where = "a loop" if in_loop else "a nested function"
                return NotFollowed(f"{name}[{key!r}] is set inside {where} at line {stmt.lineno}")
            if _position(stmt) < _position(assignment):
                return NotFollowed(f"{name}[{key!r}] is set at line {stmt.lineno}, before the dict literal")
            entries.append(DictValue(key, stmt.value, not any(s is stmt for s in block)))
            sets.append(stmt)
        elif not _is_read(node, parent, grand):
            return NotFollowed(
                f"{name} is used at line {node.lineno} (`{_first_line(module, stmt)}`), which may change it"
            )
    if not unpacked_by:
        return None
    first_call = min(_position(c) for c in unpacked_by)
    for stmt in [assignment, *sets]:
        if _end(stmt) > first_call:
            return NotFollowed(f"{name} is changed at line {stmt.lineno}, after it is unpacked at line {first_call[0]}")
    return ConfigDict(name, literal, tuple(entries), tuple(sorted(unpacked_by, key=_position)))


def _is_read(node: ast.Name, parent: ast.AST | None, grand: ast.AST | None) -> bool:
    if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load) and parent.value is node:
        return True
    if isinstance(parent, ast.Attribute) and parent.attr in _READ_METHODS and isinstance(grand, ast.Call):
        return grand.func is parent
    if isinstance(parent, ast.Compare) and any(node is c for c in parent.comparators):
        return all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
    return False


def _uses(owner: ast.AST, name: str, bindings: list, module: ModuleInfo):
    """(name node, parent, grandparent, statement, in a loop, in a nested scope) for each use of the binding."""
    analysis = module.analysis
    # An explicit stack: user code can nest deeper than Python's recursion limit.
    stack: list[tuple[ast.AST, ast.AST | None, ast.AST | None, ast.stmt | None, bool, bool]] = [
        (child, owner, None, child if isinstance(child, ast.stmt) else None, False, False) for child in _children(owner)
    ]
    while stack:
        node, parent, grand, stmt, in_loop, nested = stack.pop()
        if isinstance(node, ast.Name):
            if node.id == name and isinstance(node.ctx, ast.Load):
                scope = analysis.scope_of(node)
                if scope is not None and analysis.lookup(name, scope) is bindings:
                    yield node, parent, grand, stmt, in_loop, nested
            continue
        loops_here = isinstance(node, _LOOPS)
        nested_here = nested or isinstance(node, _NESTED)
        for child in ast.iter_child_nodes(node):
            child_stmt = child if isinstance(child, ast.stmt) else stmt
            child_loop = in_loop or (loops_here and isinstance(child, ast.stmt))
            stack.append((child, node, parent, child_stmt, child_loop, nested_here))


def _children(owner: ast.AST) -> list[ast.AST]:
    # For a function, only its body: decorators, defaults and annotations run in the enclosing scope.
    if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return list(owner.body)
    return list(ast.iter_child_nodes(owner))


def _locate(tree: ast.Module, target: ast.stmt) -> tuple[ast.AST, list[ast.stmt]] | None:
    """The function (or module, or class) whose body runs `target`, and the block that holds it."""
    owner: ast.AST = tree
    body: list[ast.stmt] = tree.body
    while True:
        if any(s is target for s in body):
            return owner, body
        container = next((s for s in body if _position(s) <= _position(target) and _end(target) <= _end(s)), None)
        if container is None:
            return None
        if isinstance(container, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            owner = container
        inner = next(
            (
                b
                for b in _blocks(container)
                if b and _position(b[0]) <= _position(target) and _end(target) <= _end(b[-1])
            ),
            None,
        )
        if inner is None:
            return None
        body = inner


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [
        getattr(stmt, name) for name in ("body", "orelse", "finalbody") if isinstance(getattr(stmt, name, None), list)
    ]
    blocks += [handler.body for handler in getattr(stmt, "handlers", ())]
    blocks += [case.body for case in getattr(stmt, "cases", ())]
    return blocks


def _first_line(module: ModuleInfo, stmt: ast.stmt | None) -> str:
    if stmt is None:
        return ""
    text = redact(module.lines[stmt.lineno - 1].strip())  # a line may hold a hard-coded key
    return text if len(text) <= 60 else text[:57] + "..."
