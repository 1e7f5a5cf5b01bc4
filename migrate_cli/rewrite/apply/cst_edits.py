"""How libcst carries out each edit of `edits.py` on the node the engine matched to it.

Only `splice.py` imports this module, and only when a file has something to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import libcst as cst

from migrate_cli.rewrite.api.edits import (
    AddDictItems,
    AddImported,
    AddKeywords,
    Custom,
    Edit,
    InsertAfter,
    RemoveImported,
    RemoveKeyword,
    RenameImported,
    RenameKeyword,
    ReplaceExpr,
    SetString,
)
from migrate_cli.rewrite.apply.cst_removals import alias_name, remove_imported, remove_keyword


def apply_edit(node: cst.CSTNode, edit: Edit) -> cst.CSTNode | cst.RemovalSentinel:
    if isinstance(edit, ReplaceExpr):
        assert isinstance(node, cst.BaseExpression)
        new = _expression(edit.code)
        return new.with_changes(lpar=node.lpar, rpar=node.rpar)
    if isinstance(edit, SetString):
        assert isinstance(node, cst.SimpleString)
        return node.with_changes(value=_requote(node, edit.value))
    if isinstance(edit, AddKeywords):
        assert isinstance(node, cst.Call)
        new_args = [
            cst.Arg(
                keyword=cst.Name(name),
                value=_expression(code),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            for name, code in edit.keywords
        ]
        if not node.args and _only_comment_lines(node.whitespace_before_args):
            return _below_the_comments(node, new_args)
        return node.with_changes(args=_append(node.args, new_args, node.whitespace_before_args))
    if isinstance(edit, RemoveKeyword):
        assert isinstance(node, cst.Call)
        return remove_keyword(node, edit.name)
    if isinstance(edit, AddDictItems):
        assert isinstance(node, cst.Dict)
        quote = next(
            (
                e.key.quote
                for e in node.elements
                if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
            ),
            '"',
        )
        items = [
            cst.DictElement(cst.SimpleString(f"{quote}{key}{quote}"), _expression(code)) for key, code in edit.items
        ]
        return _append_dict(node, items)
    if isinstance(edit, RenameKeyword):
        assert isinstance(node, cst.Call)
        args = [
            arg.with_changes(keyword=cst.Name(edit.new))
            if arg.keyword is not None and arg.keyword.value == edit.old
            else arg
            for arg in node.args
        ]
        return node.with_changes(args=args)
    if isinstance(edit, RenameImported):
        assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
        names = [a.with_changes(name=cst.Name(edit.new)) if alias_name(a) == edit.old else a for a in node.names]
        return node.with_changes(names=names)
    if isinstance(edit, AddImported):
        return _add_imported(node, edit.after, edit.new)
    if isinstance(edit, RemoveImported):
        return remove_imported(node, edit.name, edit.asname)
    if isinstance(edit, Custom):
        return edit.apply(node)
    raise TypeError(f"{type(edit).__name__} is applied at statement level")


@lru_cache(maxsize=256)
def _expression(code: str) -> cst.BaseExpression:
    # The same few snippets (the env lookup, the target URL) are inserted over and over; libcst
    # nodes are immutable, so one parse serves them all.
    return cst.parse_expression(code)


def statement_after(edit: InsertAfter) -> cst.BaseStatement:
    return cst.parse_statement(edit.code)


def _requote(node: cst.SimpleString, value: str) -> str:
    prefix, quote = node.prefix, node.quote
    if "\\" in value or quote in value or "\n" in value:
        return repr(value)  # an env var name or URL never needs this; stay correct if it does
    return f"{prefix}{quote}{value}{quote}"


# -- comma-separated layouts -------------------------------------------------------------------


def _without_comment(ws: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return ws


def _separator(
    items: Sequence[cst.Arg | cst.DictElement], opening: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that follows a comma between two items, as this call or dict writes it."""
    if len(items) >= 2 and isinstance(items[-2].comma, cst.Comma):
        return _without_comment(items[-2].comma.whitespace_after)
    if isinstance(opening, cst.ParenthesizedWhitespace):  # one item, on its own line
        return _without_comment(opening)
    return cst.SimpleWhitespace(" ")


def _merge(
    keep: cst.BaseParenthesizableWhitespace, layout: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    """`layout`'s line break and indentation, but keep a comment that stood in `keep`."""
    if isinstance(keep, cst.ParenthesizedWhitespace) and isinstance(layout, cst.ParenthesizedWhitespace):
        return layout.with_changes(first_line=keep.first_line, empty_lines=keep.empty_lines)
    return layout


def _only_comment_lines(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    """`Call(\n    # api_key="...",\n)`: a call whose parentheses hold only comment lines."""
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and bool(whitespace.empty_lines)


def _below_the_comments(node: cst.Call, new: list[cst.Arg]) -> cst.Call:
    """One argument per line at the comments' indentation, the closing parenthesis where it was:
    appended after the comments as they are, the arguments would start at the closing line's column."""
    opening = node.whitespace_before_args
    assert isinstance(opening, cst.ParenthesizedWhitespace)
    comment_line = opening.empty_lines[-1]

    def line_break(indent: bool, last_line: cst.SimpleWhitespace) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(indent=indent, last_line=last_line)

    inner = line_break(comment_line.indent, comment_line.whitespace)
    closing = line_break(opening.indent, opening.last_line)
    args = [arg.with_changes(comma=cst.Comma(whitespace_after=inner)) for arg in new[:-1]]
    args.append(new[-1].with_changes(comma=cst.Comma(whitespace_after=closing)))
    return node.with_changes(whitespace_before_args=opening.with_changes(last_line=comment_line.whitespace), args=args)


def _append(
    args: Sequence[cst.Arg],
    new: list[cst.Arg],
    opening: cst.BaseParenthesizableWhitespace,
) -> list[cst.Arg]:
    if not args:
        return new
    sep = _separator(args, opening)
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # trailing comma: the new last item takes it over
        closing_comma: cst.Comma | cst.MaybeSentinel = last.comma.with_changes(
            whitespace_after=_without_comment(last.comma.whitespace_after)
        )
        closing_ws = last.whitespace_after_arg
        last = last.with_changes(
            comma=last.comma.with_changes(whitespace_after=_merge(last.comma.whitespace_after, sep))
        )
    else:
        closing_comma = cst.MaybeSentinel.DEFAULT
        closing_ws = _without_comment(last.whitespace_after_arg)
        last = last.with_changes(
            comma=cst.Comma(whitespace_after=_merge(last.whitespace_after_arg, sep)),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
    middle = [arg.with_changes(comma=cst.Comma(whitespace_after=sep)) for arg in new[:-1]]
    final = new[-1].with_changes(comma=closing_comma, whitespace_after_arg=closing_ws)
    return [*args[:-1], last, *middle, final]


def _append_dict(node: cst.Dict, new: list[cst.DictElement]) -> cst.Dict:
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=new)
    sep = _separator(elements, node.lbrace.whitespace_after)  # type: ignore[arg-type]  # a ** entry has a comma too
    last = elements[-1]
    if isinstance(last.comma, cst.Comma):
        closing: cst.Comma | cst.MaybeSentinel = last.comma.with_changes(
            whitespace_after=_without_comment(last.comma.whitespace_after)
        )
        last = last.with_changes(
            comma=last.comma.with_changes(whitespace_after=_merge(last.comma.whitespace_after, sep))
        )
    else:
        closing = cst.MaybeSentinel.DEFAULT
        last = last.with_changes(comma=cst.Comma(whitespace_after=sep))
    middle = [e.with_changes(comma=cst.Comma(whitespace_after=sep)) for e in new[:-1]]
    return node.with_changes(elements=[*elements[:-1], last, *middle, new[-1].with_changes(comma=closing)])


def _add_imported(node: cst.CSTNode, after: str, new: str) -> cst.CSTNode:
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    if any(alias_name(a) == new and a.asname is None for a in names):
        return node
    index = next(i for i, a in enumerate(names) if alias_name(a) == after)
    current = names[index]
    separator = _import_separator(node, names)
    if isinstance(current.comma, cst.Comma):
        # A comment after `current,` stays with `current`; the new name takes over the line
        # break (and indentation) that led to what followed.
        trailing = current.comma.whitespace_after
        kept = _merge(trailing, separator)
        added = cst.ImportAlias(
            name=cst.Name(new), comma=current.comma.with_changes(whitespace_after=_without_comment(trailing))
        )
        names[index] = current.with_changes(comma=current.comma.with_changes(whitespace_after=kept))
    else:
        added = cst.ImportAlias(name=cst.Name(new))
        names[index] = current.with_changes(comma=cst.Comma(whitespace_after=separator))
    names.insert(index + 1, added)
    return node.with_changes(names=names)


def _import_separator(node: cst.ImportFrom, names: list[cst.ImportAlias]) -> cst.BaseParenthesizableWhitespace:
    """The whitespace after a comma between two names, as this statement writes it."""
    for alias in names[:-1]:
        if isinstance(alias.comma, cst.Comma):
            return _without_comment(alias.comma.whitespace_after)
    if node.lpar is not None and isinstance(node.lpar.whitespace_after, cst.ParenthesizedWhitespace):
        return _without_comment(node.lpar.whitespace_after)
    return cst.SimpleWhitespace(" ")
