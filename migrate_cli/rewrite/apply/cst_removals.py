"""Removing one item of a comma-separated list (a keyword argument, an imported name) with libcst.

The removed item's comments are kept where it stood (a trailing `# eastus`, a commented-out line below
it, a comment inside its value), each on its own line; with no comment around it, the layout is exactly
what it was. Only `cst_edits.py` imports this module.
"""

from __future__ import annotations

import libcst as cst


def remove_keyword(call: cst.Call, name: str) -> cst.Call:
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


def remove_imported(node: cst.CSTNode, name: str, asname: str | None) -> cst.ImportFrom | cst.RemovalSentinel:
    """The import without `name [as asname]` (comments before the next name stay), or REMOVE if it was alone."""
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    index = next(i for i, a in enumerate(names) if alias_name(a) == name and local_name(a) == (asname or name))
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


def alias_name(alias: cst.ImportAlias) -> str:
    return alias.name.value if isinstance(alias.name, cst.Name) else ""


def local_name(alias: cst.ImportAlias) -> str:
    """The name the import binds: `x` in `import a as x`, else the imported name."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return alias_name(alias)
