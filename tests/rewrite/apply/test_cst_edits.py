"""cst_edits: removing a keyword argument or an imported name keeps the comments around it, exactly;
arguments added to a call that holds only comments go below them."""

from __future__ import annotations

import ast
from textwrap import dedent

import libcst as cst
import pytest
from helpers.rewrite_cases import check_rewrite

from migrate_cli.rewrite.api.edits import RemoveImported, RemoveKeyword
from migrate_cli.rewrite.apply.cst_edits import apply_edit


def _remove_keyword(code: str, name: str) -> str:
    module = cst.parse_module(dedent(code))
    statement = module.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign) and isinstance(assign.value, cst.Call)
    call = apply_edit(assign.value, RemoveKeyword(ast.Call(ast.Name("f"), [], []), name))
    assert isinstance(call, cst.Call)
    new = module.with_changes(body=[statement.with_changes(body=[assign.with_changes(value=call)])]).code
    ast.parse(new)
    return new


@pytest.mark.parametrize(
    ("before", "name", "after"),
    [
        pytest.param("c = f(a=1, b=2, c=3)\n", "b", "c = f(a=1, c=3)\n", id="one-line-middle"),
        pytest.param("c = f(a=1, b=2)\n", "a", "c = f(b=2)\n", id="one-line-first"),
        pytest.param("c = f(a=1, b=2)\n", "b", "c = f(a=1)\n", id="one-line-last"),
        pytest.param("c = f(b=2)\n", "b", "c = f()\n", id="only-argument"),
        pytest.param(
            """\
            c = f(
                a=1,
                b=2,
            )
            """,
            "b",
            """\
            c = f(
                a=1,
            )
            """,
            id="multi-line-last-trailing-comma-no-comments",
        ),
        pytest.param(
            """\
            c = f(
                a=1,
                b=2,  # about b
                c=3,
            )
            """,
            "b",
            """\
            c = f(
                a=1,
                # about b
                c=3,
            )
            """,
            id="trailing-comment-of-the-removed-line",
        ),
        pytest.param(
            """\
            c = f(
                a=1,  # about a
                # about b, above it
                b=2,
                # about c, above it
                c=3,
            )
            """,
            "b",
            """\
            c = f(
                a=1,  # about a
                # about b, above it
                # about c, above it
                c=3,
            )
            """,
            id="comment-lines-before-and-after",
        ),
        pytest.param(
            """\
            c = f(
                a=1,
                # the last one
                b=2)
            """,
            "b",
            """\
            c = f(
                a=1
                # the last one
            )
            """,
            id="last-argument-closing-paren-on-its-line",
        ),
        pytest.param(
            """\
            c = f(  # why f
                a=1,  # about a
                b=2,
            )
            """,
            "a",
            """\
            c = f(  # why f
                # about a
                b=2,
            )
            """,
            id="first-argument",
        ),
        pytest.param(
            """\
            c = f(a=g(  # inner
                1), b=2)
            """,
            "a",
            """\
            c = f(
                # inner
                b=2)
            """,
            id="comment-inside-the-value",
        ),
    ],
)
def test_remove_keyword_keeps_comments(before: str, name: str, after: str) -> None:
    assert _remove_keyword(before, name) == dedent(after)


def _remove_imported(code: str, name: str, asname: str | None = None) -> str:
    module = cst.parse_module(dedent(code))
    statement = module.body[0]
    assert isinstance(statement, cst.SimpleStatementLine)
    result = apply_edit(statement.body[0], RemoveImported(ast.ImportFrom("m", [], 0), name, asname))
    if isinstance(result, cst.RemovalSentinel):
        return ""
    assert isinstance(result, cst.ImportFrom)
    new = module.with_changes(body=[statement.with_changes(body=[result])]).code
    ast.parse(new)
    return new


@pytest.mark.parametrize(
    ("before", "name", "asname", "after"),
    [
        pytest.param("from m import a, b\n", "a", None, "from m import b\n", id="first"),
        pytest.param("from m import a, b\n", "b", None, "from m import a\n", id="last"),
        pytest.param("from m import a as x, b\n", "a", "x", "from m import b\n", id="aliased"),
        pytest.param("from m import a as x, a\n", "a", None, "from m import a as x\n", id="plain-beside-alias"),
        pytest.param("from m import a\n", "a", None, "", id="only-name"),
        pytest.param(
            """\
            from m import (
                a,  # about a
                # about b
                b,
            )
            """,
            "a",
            None,
            """\
            from m import (
                # about a
                # about b
                b,
            )
            """,
            id="parenthesized-first",
        ),
        pytest.param(
            """\
            from m import (
                a,
                b
            )
            """,
            "b",
            None,
            """\
            from m import (
                a
            )
            """,
            id="parenthesized-last-no-trailing-comma",
        ),
    ],
)
def test_remove_imported(before: str, name: str, asname: str | None, after: str) -> None:
    assert _remove_imported(before, name, asname) == dedent(after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            """\
            import openai

            image_client = openai.AsyncClient(
                # api_key="YOUR_API_KEY",
            )
            """,
            """\
            import openai
            import os

            image_client = openai.AsyncClient(
                # api_key="YOUR_API_KEY",
                api_key=os.environ["MIRA_API_KEY"],
                base_url="https://api.vmira.ai/v1",
            )
            """,
            id="module-level",
        ),
        pytest.param(
            """\
            import os
            from openai import OpenAI


            def make():
                if True:
                    return OpenAI(
                        # api_key="YOUR_API_KEY",
                        # base_url=...
                    )
            """,
            """\
            import os
            from openai import OpenAI


            def make():
                if True:
                    return OpenAI(
                        # api_key="YOUR_API_KEY",
                        # base_url=...
                        api_key=os.environ["MIRA_API_KEY"],
                        base_url="https://api.vmira.ai/v1",
                    )
            """,
            id="nested-block",
        ),
    ],
)
def test_arguments_added_to_a_call_holding_only_comments_go_below_them_one_per_line(before: str, after: str) -> None:
    check_rewrite(before, after)
