"""Apply edits with libcst to the smallest whole statements that contain them, then splice them back.

Parsing a whole file with libcst and walking it costs ~10 ms per 30 lines on the target machines;
most of a file a client lives in has nothing to change. So each edit is carried out on the source
lines of the innermost statement that contains it (a nested statement is parsed inside an
`if True:` header, which keeps its indentation exactly), and only those lines are replaced. Lines
outside the edited statements are never re-generated, so they stay byte-identical by construction.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from migrate_cli.rewrite.analysis import positions
from migrate_cli.rewrite.analysis.deep_stack import on_deep_stack
from migrate_cli.rewrite.analysis.python_syntax import parse_module
from migrate_cli.rewrite.api.edits import Edit, InsertAfter, RemoveKeyword
from migrate_cli.rewrite.apply.cst_edits import apply_edit, statement_after

_WRAPPER = "if True:"


@dataclass
class Unit:
    """Lines [first, last] (1-based, inclusive) holding whole statements, and the edits inside."""

    first: int
    last: int
    edits: list[Edit]


def apply_edits(source: str, lines: list[str], tree: ast.Module, edits: Iterable[Edit]) -> list[tuple[int, int, str]]:
    """Returns splices (first, last, new_text): replace lines first..last with new_text."""
    units: list[Unit] = []
    for edit in edits:
        first, last = _unit_lines(tree, lines, edit.node)
        units.append(Unit(first, last, [edit]))
    # libcst's native parser must not meet deep code on the main thread's stack (deep_stack.py).
    return on_deep_stack(lambda: [(u.first, u.last, _rewrite_unit(lines, u)) for u in _merge(units)])


def _merge(units: list[Unit]) -> list[Unit]:
    merged: list[Unit] = []
    for unit in sorted(units, key=lambda u: (u.first, -u.last)):
        if merged and unit.first <= merged[-1].last:
            outer = merged[-1]
            outer.last = max(outer.last, unit.last)
            outer.edits.extend(unit.edits)
        else:
            merged.append(Unit(unit.first, unit.last, list(unit.edits)))
    return merged


# -- finding the unit of an edit ----------------------------------------------------------------


def _start(stmt: ast.stmt) -> tuple[int, int]:
    decorators = getattr(stmt, "decorator_list", None)
    if decorators:
        return min((d.lineno, d.col_offset - 1) for d in decorators)  # the "@" precedes the expression
    return stmt.lineno, stmt.col_offset


def _bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    bodies = [
        getattr(stmt, name) for name in ("body", "orelse", "finalbody") if isinstance(getattr(stmt, name, None), list)
    ]
    bodies += [handler.body for handler in getattr(stmt, "handlers", ())]
    bodies += [case.body for case in getattr(stmt, "cases", ())]
    return [body for body in bodies if body and isinstance(body[0], ast.stmt)]


def _path_to(body: list[ast.stmt], node: ast.AST) -> list[tuple[list[ast.stmt], ast.stmt]]:
    """(containing body, statement) pairs from the module down to the innermost statement."""
    start, end = positions.start(node), positions.end(node)
    path: list[tuple[list[ast.stmt], ast.stmt]] = []
    while True:
        stmt = next((s for s in body if _start(s) <= start and end <= positions.end(s)), None)
        if stmt is None:
            return path
        path.append((body, stmt))
        inner = next((b for b in _bodies(stmt) if _start(b[0]) <= start and end <= positions.end(b[-1])), None)
        if inner is None:
            return path
        body = inner


def _unit_lines(tree: ast.Module, lines: list[str], node: ast.AST) -> tuple[int, int]:
    path = _path_to(tree.body, node)
    if not path:
        raise ValueError(f"no statement contains line {getattr(node, 'lineno', '?')}")
    # Walk outwards until the statement (with siblings sharing its lines) owns whole lines and
    # can be parsed on its own: `if x: y = OpenAI()` and `elif` branches need their parent.
    for body, stmt in reversed(path):
        group = _line_group(body, stmt)
        first, last = _start(group[0])[0], positions.end(group[-1])[0]
        head_line = lines[first - 1]
        if head_line[: _char_col(head_line, _start(group[0])[1])].strip():
            continue
        if _starts_with_keyword(lines, stmt, "elif"):
            continue
        return first, last
    return 1, len(lines)


def _line_group(body: list[ast.stmt], stmt: ast.stmt) -> list[ast.stmt]:
    """`stmt` plus siblings that share a line with it (`a = 1; b = OpenAI()`)."""
    index = body.index(stmt)
    low, high = index, index
    while low > 0 and positions.end(body[low - 1])[0] >= _start(body[low])[0]:
        low -= 1
    while high < len(body) - 1 and _start(body[high + 1])[0] <= positions.end(body[high])[0]:
        high += 1
    return body[low : high + 1]


def _starts_with_keyword(lines: list[str], stmt: ast.stmt, keyword: str) -> bool:
    line = lines[stmt.lineno - 1]
    return line[_char_col(line, stmt.col_offset) :].startswith(keyword)


def _char_col(line: str, byte_col: int) -> int:
    """ast columns count UTF-8 bytes; libcst and str slicing count characters."""
    if line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


# -- rewriting one unit -------------------------------------------------------------------------


def _rewrite_unit(lines: list[str], unit: Unit) -> str:
    text = "".join(lines[unit.first - 1 : unit.last])
    wrapped = bool(text[:1].isspace())
    newline = "\r\n" if text.endswith("\r\n") or "\r\n" in text else "\n"
    module = cst.parse_module(f"{_WRAPPER}{newline}{text}" if wrapped else text)
    line_offset = unit.first - 1 - (1 if wrapped else 0)
    ranges = _positions(module)
    by_range: dict[tuple[int, int, int, int], list[Edit]] = defaultdict(list)
    for edit in unit.edits:
        by_range[_range_key(lines, edit.node, line_offset)].append(edit)
    transformer = _EditTransformer(ranges, by_range)
    new_module = module.visit(transformer)
    missing = [e for key, edits in by_range.items() if key not in transformer.matched for e in edits]
    if missing:
        raise RuntimeError(f"edit target not found at line {positions.line(missing[0].node)}")
    if not _statements(new_module, wrapped):
        return ""  # every statement of the unit was removed (an import nothing uses any more)
    code = new_module.code
    _check_parses(code)
    if wrapped:
        code = code[len(_WRAPPER) + len(newline) :]
    return code


def _statements(module: cst.Module, wrapped: bool) -> Sequence[cst.BaseStatement]:
    """The unit's statements after the edits (inside the `if True:` wrapper when there is one)."""
    if not wrapped:
        return module.body
    wrapper = module.body[0]
    assert isinstance(wrapper, cst.If) and isinstance(wrapper.body, cst.IndentedBlock)
    return wrapper.body.body


def _positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """PositionProvider's ranges for every node of `module`.

    Going through MetadataWrapper.resolve() doubles the cost (it adds a visit of its own); running
    the provider's codegen directly gives the same ranges. That is libcst-internal API, so any
    change there falls back to the public path.
    """
    try:
        provider = PositionProvider()
        state = PositionProvidingCodegenState(
            default_indent=module.default_indent, default_newline=module.default_newline, provider=provider
        )
        module._codegen(state)
        return cast(Mapping[cst.CSTNode, CodeRange], provider._computed)  # the provider computes CodeRanges
    except Exception:
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _check_parses(code: str) -> None:
    """A bug in an edit must never reach the user's file: refuse code Python cannot parse."""
    try:
        parse_module(code)  # the statement may use syntax newer than this interpreter's `ast`
    except SyntaxError as exc:
        raise RuntimeError(f"rewrite produced code that does not parse ({exc.msg})") from None


def _range_key(lines: list[str], node: ast.AST, line_offset: int) -> tuple[int, int, int, int]:
    (start_line, start_col), (end_line, end_col) = positions.start(node), positions.end(node)
    start = _char_col(lines[start_line - 1], start_col)
    end = _char_col(lines[end_line - 1], end_col)
    return start_line - line_offset, start, end_line - line_offset, end


_STATEMENT_TYPES = (cst.BaseSmallStatement, cst.BaseCompoundStatement)
# Not compound statements: a decorated def's range starts at `def`, after its decorators.
_PRUNABLE = (cst.BaseExpression, cst.BaseSmallStatement, cst.SimpleStatementLine)


class _EditTransformer(cst.CSTTransformer):
    def __init__(self, positions, by_range) -> None:
        super().__init__()
        self.positions = positions
        self.by_range = by_range
        self.matched: set[tuple[int, int, int, int]] = set()
        self._after: list[cst.BaseStatement] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Only descend where an edit is: most of a unit (a function body, say) has nothing to do.
        # Only statements and expressions: the syntactic range of some other nodes (a Param is
        # just its name) does not cover all of their children.
        if not isinstance(node, _PRUNABLE):
            return True
        position = self.positions.get(node)
        if position is None:
            return True
        start, end = (position.start.line, position.start.column), (position.end.line, position.end.column)
        return any(start <= (k[0], k[1]) and (k[2], k[3]) <= end for k in self.by_range)

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        if isinstance(original, (cst.BaseExpression, cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            position = self.positions.get(original)
            if position is not None:
                key = (position.start.line, position.start.column, position.end.line, position.end.column)
                edits = self.by_range.get(key)
                if edits and key not in self.matched and self._accepts(original, edits[0]):
                    self.matched.add(key)
                    # Keywords are removed after the new ones are added: the new ones then take
                    # over the layout of the old last argument (its trailing comma, or the line
                    # break before ")"), which would be lost with the last argument removed first.
                    for edit in sorted(edits, key=lambda e: isinstance(e, RemoveKeyword)):
                        if isinstance(edit, InsertAfter):
                            self._after.append(statement_after(edit))
                        else:
                            result = apply_edit(updated, edit)
                            if isinstance(result, cst.RemovalSentinel):
                                return result  # RemoveImported took the import's last name
                            updated = result
        if isinstance(updated, cst.SimpleStatementLine) and not updated.body:
            # Its only statement was removed: the line goes too, comment and all (a rule asks for this
            # only where the statement has siblings, so no block is left empty).
            following, self._after = self._after, []
            return cst.FlattenSentinel(following) if following else cst.RemovalSentinel.REMOVE
        if isinstance(updated, cst.SimpleStatementLine) and self._after:
            following, self._after = self._after, []
            return cst.FlattenSentinel([updated, *following])
        return updated

    @staticmethod
    def _accepts(node: cst.CSTNode, edit: Edit) -> bool:
        if isinstance(edit.node, ast.stmt):
            return isinstance(node, _STATEMENT_TYPES)
        return isinstance(node, cst.BaseExpression)
