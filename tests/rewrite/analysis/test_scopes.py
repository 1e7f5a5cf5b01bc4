"""Qualified-name resolution: Python's scoping rules, imports in every form, aliases, shadowing."""

from __future__ import annotations

import ast
from textwrap import dedent

import pytest

from migrate_cli.rewrite.analysis.scopes import analyze


def names_of_calls(code: str) -> list[set[str]]:
    """The qualified names each call's callee may stand for, in source order."""
    tree = ast.parse(dedent(code))
    analysis = analyze(tree)
    return [set(analysis.qualify(call.func).names) for call in analysis.calls]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from openai import OpenAI\nOpenAI()", {"openai.OpenAI"}),
        ("from openai import OpenAI as C\nC()", {"openai.OpenAI"}),
        ("import openai\nopenai.OpenAI()", {"openai.OpenAI"}),
        ("import openai as oa\noa.AsyncOpenAI()", {"openai.AsyncOpenAI"}),
        ("import openai.types\nopenai.OpenAI()", {"openai.OpenAI"}),
        ("import openai.lib.azure as az\naz.AzureOpenAI()", {"openai.lib.azure.AzureOpenAI"}),
        ("from openai import *\nOpenAI()", {"openai.OpenAI"}),
        ("from . import openai\nopenai.OpenAI()", {".openai.OpenAI"}),
        ("from .. import x\nx.OpenAI()", {"..x.OpenAI"}),
        ("OpenAI()", set()),
        ("import openai\nClient = openai.OpenAI\nClient()", {"openai.OpenAI"}),
    ],
)
def test_import_forms(code: str, expected: set[str]) -> None:
    assert names_of_calls(code) == [expected]


def test_function_local_import_is_not_visible_outside() -> None:
    code = """
    def f():
        from openai import OpenAI
        return OpenAI()

    OpenAI()
    """
    assert names_of_calls(code) == [{"openai.OpenAI"}, set()]


def test_class_scope_is_invisible_to_methods() -> None:
    code = """
    from openai import OpenAI

    class Holder:
        OpenAI = object
        a = OpenAI()

        def method(self):
            return OpenAI()
    """
    assert names_of_calls(code) == [{"<local>.OpenAI"}, {"openai.OpenAI"}]


def test_function_local_binding_shadows_everywhere_in_the_function() -> None:
    code = """
    from openai import OpenAI

    def f():
        client = OpenAI()
        OpenAI = something_else
    """
    # The local assignment makes `OpenAI` local for the whole function body (flow-insensitive,
    # like Python: the call would raise UnboundLocalError, and is certainly not openai's).
    assert names_of_calls(code) == [{"<local>.OpenAI"}]


def test_global_and_nonlocal() -> None:
    code = """
    def outer():
        from openai import OpenAI

        def inner():
            nonlocal OpenAI
            return OpenAI()

        def rebinds():
            global OpenAI
            OpenAI = 1
        return inner
    """
    assert names_of_calls(code) == [{"openai.OpenAI"}]


def test_comprehension_and_lambda_parameters_shadow() -> None:
    code = """
    from openai import OpenAI
    a = [OpenAI() for OpenAI in factories]
    b = lambda OpenAI: OpenAI()
    c = [OpenAI() for _ in range(2)]
    """
    # range(2) is a builtin: no qualified name.
    assert names_of_calls(code) == [{"<local>.OpenAI"}, {"<local>.OpenAI"}, set(), {"openai.OpenAI"}]


def test_import_fallback_in_except_is_ignored_when_the_import_exists() -> None:
    code = """
    try:
        from openai import OpenAI
    except ImportError:
        OpenAI = None
    OpenAI()
    """
    assert names_of_calls(code) == [{"openai.OpenAI"}]


def test_two_imports_are_both_possible() -> None:
    code = """
    if USE_LANGFUSE:
        from langfuse.openai import OpenAI
    else:
        from openai import OpenAI
    OpenAI()
    """
    assert names_of_calls(code) == [{"openai.OpenAI", "langfuse.openai.OpenAI"}]


def test_walrus_in_comprehension_binds_in_the_enclosing_scope() -> None:
    code = """
    from openai import OpenAI
    values = [(OpenAI := y) for y in data]
    OpenAI()
    """
    # The assignment aliases a comprehension variable: the name may be either, so it is ambiguous.
    assert names_of_calls(code)[-1] == {"openai.OpenAI", "<local>.y"}
