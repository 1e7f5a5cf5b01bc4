"""MC007 client-options: with_options()/copy() of a migrated client, and http_client base URLs."""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI()
        slow = client.with_options(base_url="https://api.openai.com/v1", timeout=120)
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        slow = client.with_options(base_url="https://api.vmira.ai/v1", timeout=120)
        """,
        id="with-options-openai-url",
    ),
    pytest.param(
        """\
        import os
        import openai

        class Service:
            def __init__(self):
                self.client = openai.OpenAI()

            def tenant(self):
                return self.client.copy(api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        import openai

        class Service:
            def __init__(self):
                self.client = openai.OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")

            def tenant(self):
                return self.client.copy(api_key=os.environ["MIRA_API_KEY"])
        """,
        id="copy-key-read-on-self-attribute",
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
        fast = client.with_options(timeout=5, max_retries=0)
        """,
        id="options-without-url-or-key",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        local = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
        other = local.with_options(base_url="https://api.openai.com/v1")
        """,
        id="copy-of-a-client-that-does-not-move",
    ),
    pytest.param(
        """\
        import copy

        settings = {"base_url": "https://api.openai.com/v1"}
        clone = copy.copy(settings)
        other = settings.copy()
        """,
        id="other-copy-functions",
    ),
    pytest.param(
        """\
        def with_options(**kwargs):
            return kwargs

        options = with_options(base_url="https://api.openai.com/v1")
        """,
        id="local-with-options-function",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        proxy = client.with_options(base_url="https://llm-proxy.example.com/v1")
        """,
        id="copy-to-a-proxy-reviewed",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str, request: pytest.FixtureRequest) -> None:
    result = check_noop(code)
    if request.node.callspec.id.endswith("-reviewed"):  # left alone, and said so
        assert result.review, "a case named '...-reviewed' must list a review item"


def test_copy_to_a_proxy_is_reviewed() -> None:
    result = rewrite(
        "import os\nfrom openai import OpenAI\n"
        'client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")\n'
        'proxy = client.with_options(base_url="https://llm-proxy.example.com/v1")\n'
    )
    assert [(r.rule, r.line) for r in result.review] == [("MC007", 4)]
    assert "llm-proxy.example.com" in result.review[0].reason


def test_http_client_base_url_is_reviewed_and_the_client_still_moves() -> None:
    result = rewrite(
        "import httpx\nimport os\nfrom openai import OpenAI\n"
        'client = OpenAI(http_client=httpx.Client(base_url="https://api.openai.com/v1", timeout=5))\n'
    )
    assert 'base_url="https://api.vmira.ai/v1"' in result.code
    assert [(r.rule, r.line) for r in result.review] == [("MC007", 4)]
    assert "sends API calls to the client's own base_url" in result.review[0].reason


def test_http_client_without_base_url_is_not_reviewed() -> None:
    result = rewrite(
        "import httpx\nimport os\nfrom openai import OpenAI\nclient = OpenAI(http_client=httpx.Client(timeout=5))\n"
    )
    assert [r for r in result.review if r.rule == "MC007"] == []
