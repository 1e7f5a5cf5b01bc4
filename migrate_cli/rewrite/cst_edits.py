"""How libcst carries out each edit of `edits.py` on the node the engine matched to it.

Only `splice.py` imports this module, and only when a file has something to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import libcst as cst

from migrate_cli.rewrite.edits import (
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
        return node.with_changes(args=_append(node.args, new_args, node.whitespace_before_args))
    if isinstance(edit, RemoveKeyword):
        assert isinstance(node, cst.Call)
        return _remove_keyword(node, edit.name)
    if isinstance(edit, AddDictItems):
        assert isinstance(node, cst.Dict)
        quote = next((e.key.quote for e in node.elements if isinstance(getattr(e, "key", None), cst.SimpleString)), '"')
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
        names = [a.with_changes(name=cst.Name(edit.new)) if _alias_name(a) == edit.old else a for a in node.names]
        return node.with_changes(names=names)
    if isinstance(edit, AddImported):
        return _add_imported(node, edit.after, edit.new)
    if isinstance(edit, RemoveImported):
        return _remove_imported(node, edit.name, edit.asname)
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


def _remove_keyword(call: cst.Call, name: str) -> cst.Call:
    """`call` without the keyword argument `name`; the comments that stood in or after it are kept.

    A removed argument takes its own comments with it unless they are moved: `azure_endpoint=...,
    # eastus`, a commented-out `# azure_ad_token_provider=...` line below it, a comment inside its
    value. They stay where the argument stood, each on its own line, so the diff shows only the
    argument going. Without comments the layout is exactly what it was around the argument.
    """
    args = list(call.args)
    index = next(i for i, a in enumerate(args) if a.keyword is not None and a.keyword.value == name)
    removed = args[index]
    kept = args[:index] + args[index + 1 :]
    own = _comments_in(removed.with_changes(comma=cst.MaybeSentinel.DEFAULT))
    after = removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else removed.whitespace_after_arg
    if index == 0:
        # What led to the removed argument now leads to the next one (or to ")").
        opening = _keep_comments(call.whitespace_before_args, own, after, last=not kept)
        return call.with_changes(args=kept, whitespace_before_args=opening)
    previous = kept[index - 1]
    assert isinstance(previous.comma, cst.Comma)  # an argument follows it
    joined = _keep_comments(previous.comma.whitespace_after, own, after, last=index == len(args) - 1)
    if index < len(args) - 1:
        kept[index - 1] = previous.with_changes(comma=previous.comma.with_changes(whitespace_after=joined))
    elif isinstance(removed.comma, cst.Comma):
        # The removed item was last: its predecessor now ends the list the way it did.
        kept[-1] = previous.with_changes(
            comma=removed.comma.with_changes(whitespace_after=joined), whitespace_after_arg=removed.whitespace_after_arg
        )
    else:
        kept[-1] = previous.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=joined)
    return call.with_changes(args=kept)


def _comments_in(node: cst.CSTNode) -> list[str]:
    """Every comment inside `node`, in source order."""
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment.value)

    node.visit(_Collect())
    return found


def _keep_comments(
    before: cst.BaseParenthesizableWhitespace,
    own: list[str],
    after: cst.BaseParenthesizableWhitespace,
    last: bool,
) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that replaces `before <removed argument> after`.

    `before` led to the removed argument, `after` followed it (its comma's whitespace, or what led to
    ")"). With no comment to keep this is the layout the edit always kept: `before` between two
    remaining items, `after` when the argument was last. Otherwise the comments of `before` stay as
    they are, and the argument's own and the one ending its line become comment lines at its indentation.
    """
    moved = [*own, *_line_comment(after)]
    if not moved and not _has_comment(after) and not (last and _has_comment(before)):
        return after if last else before
    where = before if isinstance(before, cst.ParenthesizedWhitespace) else after
    if isinstance(where, cst.ParenthesizedWhitespace):
        indent, column = where.indent, where.last_line
    else:  # a one-line call whose removed argument held a comment inside its value
        indent, column = True, cst.SimpleWhitespace("    ")
    if isinstance(before, cst.ParenthesizedWhitespace):
        first_line, leading = before.first_line, list(before.empty_lines)
    else:
        first_line, leading = cst.TrailingWhitespace(), []
    if isinstance(after, cst.ParenthesizedWhitespace):
        trailing, next_indent, next_column = list(after.empty_lines), after.indent, after.last_line
    elif last:  # ")" followed the argument on its line: it now goes on a line of its own
        trailing, next_indent, next_column = [], indent, cst.SimpleWhitespace("")
    else:
        trailing, next_indent, next_column = [], indent, column
    lines = [cst.EmptyLine(indent=indent, whitespace=column, comment=cst.Comment(text)) for text in moved]
    return cst.ParenthesizedWhitespace(
        first_line=first_line, empty_lines=[*leading, *lines, *trailing], indent=next_indent, last_line=next_column
    )


def _line_comment(whitespace: cst.BaseParenthesizableWhitespace) -> list[str]:
    """The comment that ends the line `whitespace` starts on, if any."""
    if isinstance(whitespace, cst.ParenthesizedWhitespace) and whitespace.first_line.comment is not None:
        return [whitespace.first_line.comment.value]
    return []


def _has_comment(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and (
        whitespace.first_line.comment is not None or any(line.comment is not None for line in whitespace.empty_lines)
    )


def _append_dict(node: cst.Dict, new: list[cst.DictElement]) -> cst.Dict:
    elements = list(node.elements)
    if not elements:
        return node.with_changes(elements=new)
    sep = _separator(elements, node.lbrace.whitespace_after)  # type: ignore[arg-type]
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
    if any(_alias_name(a) == new and a.asname is None for a in names):
        return node
    index = next(i for i, a in enumerate(names) if _alias_name(a) == after)
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


def _remove_imported(node: cst.CSTNode, name: str, asname: str | None) -> cst.ImportFrom | cst.RemovalSentinel:
    """The import without `name [as asname]` (comments before the next name stay), or REMOVE if it was alone."""
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    index = next(i for i, a in enumerate(names) if _alias_name(a) == name and _local_name(a) == (asname or name))
    removed = names.pop(index)
    if not names:
        return cst.RemovalSentinel.REMOVE
    after = removed.comma.whitespace_after if isinstance(removed.comma, cst.Comma) else cst.SimpleWhitespace("")
    last = index == len(names)
    if index == 0:
        if node.lpar is None:
            return node.with_changes(names=names)
        opening = _keep_comments(node.lpar.whitespace_after, [], after, last=False)
        return node.with_changes(names=names, lpar=node.lpar.with_changes(whitespace_after=opening))
    previous = names[index - 1]
    assert isinstance(previous.comma, cst.Comma)
    joined = _keep_comments(previous.comma.whitespace_after, [], after, last=last)
    if not last:
        names[index - 1] = previous.with_changes(comma=previous.comma.with_changes(whitespace_after=joined))
    elif isinstance(removed.comma, cst.Comma):  # a trailing comma: the new last name keeps it
        names[index - 1] = previous.with_changes(comma=removed.comma.with_changes(whitespace_after=joined))
    elif node.rpar is not None:
        rpar = node.rpar.with_changes(
            whitespace_before=_keep_comments(
                previous.comma.whitespace_after, [], node.rpar.whitespace_before, last=True
            )
        )
        return node.with_changes(names=[*names[:-1], previous.with_changes(comma=cst.MaybeSentinel.DEFAULT)], rpar=rpar)
    else:
        names[index - 1] = previous.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=names)


def _alias_name(alias: cst.ImportAlias) -> str:
    return alias.name.value if isinstance(alias.name, cst.Name) else ""


def _local_name(alias: cst.ImportAlias) -> str:
    """The name the import binds: `x` in `import a as x`, else the imported name."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return _alias_name(alias)


def _import_separator(node: cst.ImportFrom, names: list[cst.ImportAlias]) -> cst.BaseParenthesizableWhitespace:
    """The whitespace after a comma between two names, as this statement writes it."""
    for alias in names[:-1]:
        if isinstance(alias.comma, cst.Comma):
            return _without_comment(alias.comma.whitespace_after)
    if node.lpar is not None and isinstance(node.lpar.whitespace_after, cst.ParenthesizedWhitespace):
        return _without_comment(node.lpar.whitespace_after)
    return cst.SimpleWhitespace(" ")
