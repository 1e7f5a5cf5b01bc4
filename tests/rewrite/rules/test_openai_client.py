"""MC001 openai-client: golden before/after cases, and more cases that must be left alone."""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        from openai import OpenAI

        client = OpenAI()
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="no-arguments",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), base_url=os.getenv("OPENAI_BASE_URL"))
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="getenv-reads",
    ),
    pytest.param(
        """\
        import os
        import openai

        client = openai.OpenAI(
            api_key=os.environ["OPENAI_API_KEY"],  # from the vault
            base_url=os.environ.get('OPENAI_API_BASE', "https://api.openai.com/v1"),
        )
        """,
        """\
        import os
        import openai

        client = openai.OpenAI(
            api_key=os.environ["MIRA_API_KEY"],  # from the vault
            base_url="https://api.vmira.ai/v1",
        )
        """,
        id="attribute-form-multiline-comment-kept",
    ),
    pytest.param(
        """\
        import os
        from openai import AsyncOpenAI

        client = AsyncOpenAI(api_key=os.environ.get('OPENAI_API_KEY'), timeout=20)
        """,
        """\
        import os
        from openai import AsyncOpenAI

        client = AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], timeout=20, base_url="https://api.vmira.ai/v1")
        """,
        id="async-single-quotes-kept",
    ),
    pytest.param(
        """\
        from openai import OpenAI as LLMClient

        client = LLMClient(
            timeout=30,
            max_retries=2,
        )
        """,
        """\
        import os
        from openai import OpenAI as LLMClient

        client = LLMClient(
            timeout=30,
            max_retries=2,
            api_key=os.environ["MIRA_API_KEY"],
            base_url="https://api.vmira.ai/v1",
        )
        """,
        id="alias-multiline-trailing-comma",
    ),
    pytest.param(
        """\
        import openai as oa

        client = oa.AsyncClient(timeout=5,
                                max_retries=1)
        """,
        """\
        import openai as oa
        import os

        client = oa.AsyncClient(timeout=5,
                                max_retries=1,
                                api_key=os.environ["MIRA_API_KEY"],
                                base_url="https://api.vmira.ai/v1")
        """,
        id="module-alias-hanging-indent",
    ),
    pytest.param(
        """\
        import openai as OpenAI

        client = OpenAI.OpenAI()
        """,
        """\
        import openai as OpenAI
        import os

        client = OpenAI.OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="module-aliased-to-class-name",
    ),
    pytest.param(
        """\
        from openai import *

        client = Client()
        """,
        """\
        import os
        from openai import *

        client = Client(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="star-import",
    ),
    pytest.param(
        """\
        import os


        def make_client():
            from openai import OpenAI as _OAI  # lazy: openai is optional

            return _OAI(base_url="https://api.openai.com/v1/")
        """,
        """\
        import os


        def make_client():
            from openai import OpenAI as _OAI  # lazy: openai is optional

            return _OAI(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="function-local-import-openai-url-literal",
    ),
    pytest.param(
        """\
        try:
            from openai import OpenAI
        except ImportError:  # optional dependency
            OpenAI = None

        client = OpenAI() if OpenAI is not None else None
        """,
        """\
        import os
        try:
            from openai import OpenAI
        except ImportError:  # optional dependency
            OpenAI = None"""
        '\n\n        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1") if OpenAI is not None else None\n'
        """\
        """,
        id="try-except-import-conditional-expression",
    ),
    pytest.param(
        """\
        import os
        import openai


        class Service:
            client = openai.AsyncOpenAI()

            def __init__(self, client=openai.OpenAI(max_retries=0)):
                self.factory = lambda: openai.OpenAI()

                def nested():
                    return wrap(openai.OpenAI(timeout=1))

                self.nested = nested
        """,
        """\
        import os
        import openai


        class Service:
            client = openai.AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")

            def __init__(self, client=openai.OpenAI(max_retries=0, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")):
                self.factory = lambda: openai.OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")

                def nested():
                    return wrap(openai.OpenAI(timeout=1, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))

                self.nested = nested
        """,
        id="class-body-default-argument-lambda-nested-call-argument",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        client = OpenAI(api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0", base_url="https://api.openai.com/v1")
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="hard-coded-key",
    ),
    pytest.param(
        """\
        import os as _os
        from openai import OpenAI

        client = OpenAI(data_residency="eu", max_retries=3)
        """,
        """\
        import os as _os
        from openai import OpenAI

        client = OpenAI(max_retries=3, api_key=_os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="data-residency-removed-os-alias-used",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        config = {
            "api_key": os.environ["OPENAI_API_KEY"],
            "timeout": 10,
        }
        client = OpenAI(**config)
        """,
        """\
        import os
        from openai import OpenAI

        config = {
            "api_key": os.environ["MIRA_API_KEY"],
            "timeout": 10,
            "base_url": "https://api.vmira.ai/v1",
        }
        client = OpenAI(**config)
        """,
        id="kwargs-dict-literal",
    ),
    pytest.param(
        """\
        from agents import AsyncOpenAI, set_default_openai_client

        set_default_openai_client(AsyncOpenAI())
        """,
        """\
        import os
        from agents import AsyncOpenAI, set_default_openai_client"""
        '\n\n        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1"), use_for_tracing=False)\n'
        """\
        """,
        id="agents-reexport",
    ),
    pytest.param(
        """\
        from langfuse.openai import openai

        client = openai.Client()
        """,
        """\
        import os
        from langfuse.openai import openai

        client = openai.Client(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="langfuse-drop-in",
    ),
    pytest.param(
        """\
        from openai import OpenAI
        import os

        if os.environ.get("DEBUG"): client = OpenAI(base_url=None)
        """,
        """\
        from openai import OpenAI
        import os"""
        '\n\n        if os.environ.get("DEBUG"): client = '
        'OpenAI(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])\n'
        """\
        """,
        id="one-line-if-body-base-url-none",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.vmira.ai/v1/", api_key=os.getenv("MIRA_API_KEY", "no-key"))
        """,
        id="already-migrated-trailing-slash-getenv-with-default",
    ),
    pytest.param(
        """\
        class OpenAI:
            def __init__(self, **kwargs):
                self.kwargs = kwargs

        client = OpenAI()
        """,
        id="local-class",
    ),
    pytest.param(
        """\
        from pandasai.llm import OpenAI

        llm = OpenAI(api_token="...")
        """,
        id="pandasai-lookalike",
    ),
    pytest.param(
        """\
        from guidance.models import OpenAI
        from phi.llm.openai.like import OpenAILike

        model = OpenAI("gpt-4o")
        like = OpenAILike(base_url="http://localhost:1234/v1")
        """,
        id="other-packages-lookalikes",
    ),
    pytest.param(
        """\
        from . import openai
        from app.routers import openai as openai_router

        client = openai.OpenAI()
        router = openai_router.Client()
        """,
        id="local-modules-named-openai",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def build(OpenAI):
            return OpenAI()
        """,
        id="parameter-shadows-import",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def OpenAI(*args, **kwargs):  # noqa: F811 - a local wrapper shadows the import
            return make(*args, **kwargs)

        client = OpenAI()
        """,
        id="local-function-shadows-import",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        def describe(client: OpenAI) -> "OpenAI":
            text = "OpenAI() is built in main.py"  # OpenAI() in a comment
            return client

        CLIENT_TYPE = OpenAI
        """,
        id="annotations-strings-comments-references",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
        """,
        id="local-server-left-for-review",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        client = OpenAI(base_url="https://llm-proxy.internal.example.com/v1")
        """,
        id="proxy-left-for-review",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make(settings):
            return OpenAI(base_url=settings.llm_url)
        """,
        id="base-url-from-settings-left-for-review",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make(**kwargs):
            return OpenAI(**kwargs)
        """,
        id="opaque-kwargs",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        kwargs = {"api_key": os.environ["OPENAI_API_KEY"]}
        if os.environ.get("BASE"):
            kwargs["base_url"] = os.environ["BASE"]
        client = OpenAI(**kwargs)
        """,
        id="kwargs-dict-mutated",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        client = OpenAI("sk-positional")
        """,
        id="positional-argument",
    ),
    pytest.param(
        """\
        import openai
        from openai import OpenAI

        openai = OpenAI  # rebinding: `openai.OpenAI` below is an attribute of the class
        x = openai.OpenAI
        """,
        id="no-call",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def test_hard_coded_key_is_a_security_finding_and_a_secret_but_never_in_a_message() -> None:
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    result = rewrite(f'from openai import OpenAI\nclient = OpenAI(api_key="{key}")\n')
    assert key not in result.code
    assert [f.line for f in result.security] == [2]
    assert key in result.secrets
    messages = [f.message for f in result.security] + [c.message for c in result.changes]
    assert all(key not in m for m in messages)


def test_placeholder_key_is_replaced_without_a_security_finding() -> None:
    result = rewrite('from openai import OpenAI\ndef make():\n    return OpenAI(api_key="not-needed")\n')
    assert 'api_key=os.environ["MIRA_API_KEY"]' in result.code
    assert result.security == () and result.secrets == ()


def test_placeholder_key_at_import_time_stays_the_default_of_the_target_read() -> None:
    # A module constant is built when the module is imported: a strict read would make the import
    # fail where MIRA_API_KEY is unset; the placeholder default never falls back to OPENAI_API_KEY.
    check_rewrite(
        """\
        from openai import OpenAI
        client = OpenAI(api_key="your-api-key")

        class Bot:
            llm = OpenAI(api_key="not-needed")
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ.get("MIRA_API_KEY", "your-api-key"), base_url="https://api.vmira.ai/v1")

        class Bot:
            llm = OpenAI(api_key=os.environ.get("MIRA_API_KEY", "not-needed"), base_url="https://api.vmira.ai/v1")
        """,
    )


def test_getenv_of_the_target_variable_without_a_default_becomes_strict() -> None:
    # getenv gives None when MIRA_API_KEY is unset, and the SDK then sends $OPENAI_API_KEY to the target.
    check_rewrite(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.vmira.ai/v1/", api_key=os.getenv("MIRA_API_KEY"))
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.vmira.ai/v1/", api_key=os.environ["MIRA_API_KEY"])
        """,
    )


@pytest.mark.parametrize(
    ("argument", "reason_part"),
    [
        ("provider=bedrock(region='us-east-1')", "provider="),
        ('provider="openai"', "provider="),
        ("workload_identity=identity", "workload_identity="),
    ],
)
def test_arguments_that_cannot_combine_with_the_target_leave_the_client_alone(argument: str, reason_part: str) -> None:
    result = check_noop(
        f"""\
        from openai import OpenAI
        from openai.providers import bedrock

        client = OpenAI({argument})
        """
    )
    (item,) = result.review
    assert item.rule == "MC001" and item.line == 4 and reason_part in item.reason and "left as is" in item.reason


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        ('from openai import OpenAI\nc = OpenAI(base_url="http://localhost:8000/v1")\n', "http://localhost:8000/v1"),
        ("from openai import OpenAI\ndef f(**kw):\n    return OpenAI(**kw)\n", "OpenAI(**kw)"),
        ("from openai import OpenAI\nclass OpenAI: ...\nc = OpenAI()\n", "local definition of OpenAI"),
        ('import os\nfrom openai import OpenAI\nc = OpenAI(base_url=os.environ["LLM_URL"])\n', "$LLM_URL"),
    ],
)
def test_sites_not_rewritten_are_listed_for_review(code: str, reason_part: str) -> None:
    result = rewrite(code)
    assert not result.changed
    assert len(result.review) == 1
    assert reason_part in result.review[0].reason
    assert result.review[0].rule == "MC001"


def test_api_key_from_settings_leaves_the_client_alone_and_is_reviewed() -> None:
    # settings.openai_key most likely reads $OPENAI_API_KEY: moving the URL alone would send it to the target.
    result = check_noop(
        """\
        from openai import OpenAI
        client = OpenAI(api_key=settings.openai_key)
        """
    )
    assert [r.line for r in result.review] == [2]
    assert "settings.openai_key" in result.review[0].reason and "URL included" in result.review[0].reason


def test_change_log_names_what_moved() -> None:
    result = rewrite("from openai import OpenAI\nclient = OpenAI(data_residency='us')\n")
    assert [(c.rule, c.line) for c in result.changes] == [("MC001", 2)]
    message = result.changes[0].message
    assert "base_url -> https://api.vmira.ai/v1" in message
    assert "api_key -> $MIRA_API_KEY" in message
    assert "removed data_residency=" in message
