"""MC002 module-client: `openai.api_key = ...` / `openai.base_url = ...` / legacy `openai.api_base`."""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        import os
        import openai

        openai.api_key = os.getenv("OPENAI_API_KEY")
        openai.base_url = "https://api.openai.com/v1/"

        reply = openai.chat.completions.create(model="gpt-4o-mini", messages=[])
        """,
        """\
        import os
        import openai

        openai.api_key = os.environ["MIRA_API_KEY"]
        openai.base_url = "https://api.vmira.ai/v1"

        reply = openai.chat.completions.create(model="gpt-4o-mini", messages=[])
        """,
        id="v1-key-and-url",
    ),
    pytest.param(
        """\
        import os
        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]  # set once at start-up
        """,
        """\
        import os
        import openai

        openai.api_key = os.environ["MIRA_API_KEY"]  # set once at start-up
        openai.base_url = "https://api.vmira.ai/v1"
        """,
        id="v1-key-only-adds-base-url",
    ),
    pytest.param(
        """\
        import openai

        openai.api_key = "sk-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk"
        response = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])
        """,
        """\
        import openai
        import os

        openai.api_key = os.environ["MIRA_API_KEY"]
        openai.api_base = "https://api.vmira.ai/v1"
        response = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])
        """,
        id="v0-hard-coded-key-adds-api-base",
    ),
    pytest.param(
        """\
        import os
        import openai as ai

        ai.api_base = os.getenv("OPENAI_API_BASE", "https://api.openai.com/v1")
        ai.api_key = os.getenv("OPENAI_API_KEY")
        """,
        """\
        import os
        import openai as ai

        ai.api_base = "https://api.vmira.ai/v1"
        ai.api_key = os.environ["MIRA_API_KEY"]
        """,
        id="v0-aliased-module",
    ),
    pytest.param(
        """\
        import openai


        def configure():
            openai.base_url = "https://api.openai.com/v1"
        """,
        """\
        import openai
        import os


        def configure():
            openai.base_url = "https://api.vmira.ai/v1"
            openai.api_key = os.environ["MIRA_API_KEY"]
        """,
        id="url-only-adds-key-inside-function",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        import openai

        openai.api_key = os.environ["MIRA_API_KEY"]
        openai.base_url = "https://api.vmira.ai/v1"
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        import openai
        from openai import OpenAI

        openai = OpenAI(base_url="http://localhost:9000/v1")
        openai.api_key = "instance attribute, not module config"
        """,
        id="name-shadowed-by-a-client-instance",
    ),
    pytest.param(
        """\
        from apigptcloud import openai

        openai.api_base = ""
        openai.api_key = "x"
        """,
        id="look-alike-module",
    ),
    pytest.param(
        """\
        import openai

        openai.base_url = "http://localhost:11434/v1"
        openai.api_key = "ollama"
        """,
        id="local-server-left-for-review",
    ),
    pytest.param(
        """\
        import openai

        openai.api_type = "azure"
        openai.api_base = "https://res.openai.azure.com"
        openai.api_key = "k"
        """,
        id="azure-0x-left-for-review",
    ),
    pytest.param(
        """\
        import openai

        client = openai.OpenAI  # just a reference
        openai.organization = "org-123"
        """,
        id="other-module-settings",
    ),
    pytest.param(
        """\
        import openai

        def ask(question):
            return openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}])
        """,
        id="module-client-from-env-only",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def test_module_client_used_without_config_is_listed_once() -> None:
    result = rewrite(
        "import openai\n"
        "a = openai.chat.completions.create(model='gpt-4o', messages=[])\n"
        "b = openai.embeddings.create(model='text-embedding-3-small', input='x')\n"
    )
    module_client_items = [r for r in result.review if r.rule == "MC002"]  # MC004 reviews the model ids
    assert [(r.rule, r.line) for r in module_client_items] == [("MC002", 2)]
    assert "OPENAI_BASE_URL=https://api.vmira.ai/v1" in module_client_items[0].reason


def test_foreign_url_is_reviewed_and_key_left_alone() -> None:
    result = rewrite('import openai\nopenai.base_url = "http://localhost:11434/v1"\nopenai.api_key = "ollama"\n')
    assert [(r.rule, r.line) for r in result.review] == [("MC002", 2)]
    assert "http://localhost:11434/v1" in result.review[0].reason


def test_hard_coded_module_key_is_a_security_finding() -> None:
    key = "sk-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk"
    result = rewrite(f'import openai\nopenai.api_key = "{key}"\n')
    assert [(f.rule, f.line) for f in result.security] == [("MC002", 2)]
    assert key not in result.code and key in result.secrets
