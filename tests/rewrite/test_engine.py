"""The engine around the rules: pre-filter, parse errors, newlines, import placement, rule selection."""

from __future__ import annotations

import ast
from dataclasses import replace

import pytest
from helpers.rewrite_cases import VMIRA, check_noop, check_rewrite, rewrite

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import might_contain_client
from migrate_cli.rewrite.model import RewriteSettings, SourceError

OPENAI_CALL = 'client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"from openai import OpenAI\n", True),
        (b"import OpenAI_wrapper\n", True),  # case-insensitive: cheap, may over-match, never under-match
        (b"from agents import AsyncOpenAI\n", True),
        (b"import json\nprint('hello')\n", False),
        (b"", False),
    ],
)
def test_pre_filter(data: bytes, expected: bool) -> None:
    assert might_contain_client(data) is expected


def test_unparsable_source_raises_with_line() -> None:
    with pytest.raises(SourceError) as info:
        rewrite("from openai import OpenAI\nclient = OpenAI(\n")
    assert info.value.line is not None
    assert "cannot parse" in info.value.message


def test_python2_source_raises() -> None:
    with pytest.raises(SourceError):
        rewrite('import openai\nprint "hello"\n')


def test_crlf_is_kept_including_added_lines() -> None:
    before = "from openai import OpenAI\r\n\r\nclient = OpenAI(\r\n    timeout=1,\r\n)\r\n"
    result = rewrite(before)
    assert result.code == (
        "import os\r\nfrom openai import OpenAI\r\n\r\nclient = OpenAI(\r\n    timeout=1,\r\n"
        '    api_key=os.environ["MIRA_API_KEY"],\r\n    base_url="https://api.vmira.ai/v1",\r\n)\r\n'
    )
    assert "\n" not in result.code.replace("\r\n", "")


def test_non_ascii_columns() -> None:
    check_rewrite(
        """\
        import os
        from openai import OpenAI
        greeting = "héllo wörld"; client = OpenAI()  # ünïcode
        """,
        """\
        import os
        from openai import OpenAI"""
        '\n        greeting = "héllo wörld"; client = OpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1")  # ünïcode\n'
        """\
        """,
    )


def test_no_trailing_newline() -> None:
    result = rewrite("import os\nfrom openai import OpenAI\nclient = OpenAI()")
    assert result.code == f"import os\nfrom openai import OpenAI\n{OPENAI_CALL}"


def test_nested_clients_in_one_statement() -> None:
    check_rewrite(
        """\
        import os
        from openai import AsyncOpenAI, OpenAI
        pair = (OpenAI(), [AsyncOpenAI(timeout=2)])
        """,
        """\
        import os
        from openai import AsyncOpenAI, OpenAI"""
        '\n        pair = (OpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1"), [AsyncOpenAI(timeout=2, '
        'api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")])\n'
        """\
        """,
    )


def test_decorated_function_default_argument() -> None:
    check_rewrite(
        """\
        import functools
        import os
        from openai import OpenAI

        @functools.lru_cache
        def get(client=OpenAI()):
            return client
        """,
        """\
        import functools
        import os
        from openai import OpenAI

        @functools.lru_cache
        def get(client=OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")):
            return client
        """,
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "#!/usr/bin/env python\n"
            '"""Docs."""\n'
            "from __future__ import annotations\n"
            "from openai import OpenAI\n"
            "client = OpenAI()\n",
            '#!/usr/bin/env python\n"""Docs."""\nfrom __future__ import annotations\nimport os\n'
            f"from openai import OpenAI\n{OPENAI_CALL}\n",
            id="after-docstring-and-future",
        ),
        pytest.param(
            "import json\nimport sys\nfrom openai import OpenAI\nclient = OpenAI()\n",
            f"import json\nimport os\nimport sys\nfrom openai import OpenAI\n{OPENAI_CALL}\n",
            id="sorted-among-plain-imports",
        ),
        pytest.param(
            "# -*- coding: utf-8 -*-\n# Copyright\nfrom openai import OpenAI\nclient = OpenAI()\n",
            f"# -*- coding: utf-8 -*-\n# Copyright\nimport os\nfrom openai import OpenAI\n{OPENAI_CALL}\n",
            id="after-header-comments",
        ),
        pytest.param(
            "def make():\n    from openai import OpenAI\n    client = OpenAI()\n",
            "import os\n"
            "def make():\n"
            "    from openai import OpenAI\n"
            '    client = OpenAI(api_key=os.environ["MIRA_API_KEY"], '
            'base_url="https://api.vmira.ai/v1")\n',
            id="no-module-level-imports",
        ),
    ],
)
def test_import_os_placement(before: str, after: str) -> None:
    assert rewrite(before).code == after


def test_os_rebound_in_scope_is_reviewed_not_broken() -> None:
    code = "from openai import OpenAI\n\ndef make(os):\n    return OpenAI()\n"
    result = rewrite(code)
    assert "api_key=" not in result.code
    assert any("`os` is rebound" in r.reason for r in result.review)
    ast.parse(result.code)


def test_only_and_skip_select_rules() -> None:
    code = "import os\nimport openai\nopenai.api_key = os.environ['OPENAI_API_KEY']\nclient = openai.OpenAI()\n"
    only_client = rewrite(code, replace(VMIRA, only=frozenset({"MC001"})))
    assert "openai.api_key = os.environ['OPENAI_API_KEY']" in only_client.code
    assert {c.rule for c in only_client.changes} == {"MC001"}
    skip_client = rewrite(code, replace(VMIRA, skip=frozenset({"MC001"})))
    assert "client = openai.OpenAI()\n" in skip_client.code
    assert {c.rule for c in skip_client.changes} == {"MC002"}


def test_other_target() -> None:
    together = RewriteSettings(resolve_target(provider="together"))
    check_rewrite(
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["TOGETHER_API_KEY"], base_url="https://api.together.xyz/v1")
        """,
        together,
    )


def test_migrating_twice_to_different_targets_does_not_touch_the_first_target() -> None:
    # Code already on vMira is "not OpenAI": moving it again is a person's decision.
    code = f"import os\nfrom openai import OpenAI\n{OPENAI_CALL}\n"
    result = check_noop(code, RewriteSettings(resolve_target(provider="groq")))
    assert len(result.review) == 1


def test_untouched_lines_are_byte_identical() -> None:
    before = (
        "import os\nfrom openai import OpenAI\nx   =   [1,2 ,3]   # odd   spacing\nclient = OpenAI()\ny = {'a':1}\n"
    )
    after = rewrite(before).code.splitlines(keepends=True)
    assert after[2] == "x   =   [1,2 ,3]   # odd   spacing\n"
    assert after[4] == "y = {'a':1}\n"


def test_form_feed_and_unicode_line_separators_do_not_shift_lines() -> None:
    # str.splitlines() splits on these; Python's line numbers do not.
    before = "import os\nfrom openai import OpenAI\nx = 1  # page\x0cbreak \u2028 here\nclient = OpenAI()\n"
    result = rewrite(before)
    assert result.code == f"import os\nfrom openai import OpenAI\nx = 1  # page\x0cbreak \u2028 here\n{OPENAI_CALL}\n"


def test_key_read_that_may_give_none_becomes_strict() -> None:
    # With os.getenv("MIRA_API_KEY") an unset variable gives None, and the SDK then falls back to
    # $OPENAI_API_KEY: the OpenAI key would go to the new provider.
    check_rewrite(
        """\
        import os
        from openai import OpenAI
        a = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
        b = OpenAI(api_key=os.getenv("OPENAI_API_KEY", ""))
        c = OpenAI(api_key=os.environ.get("OPENAI_API_KEY", None))
        """,
        """\
        import os
        from openai import OpenAI
        a = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        b = OpenAI(api_key=os.getenv("MIRA_API_KEY", ""), base_url="https://api.vmira.ai/v1")
        c = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
    )


def test_client_in_a_decorator_argument() -> None:
    check_rewrite(
        """\
        import os
        from openai import OpenAI

        @register(client=OpenAI())
        def handler():
            return 1
        """,
        """\
        import os
        from openai import OpenAI

        @register(client=OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))
        def handler():
            return 1
        """,
    )
