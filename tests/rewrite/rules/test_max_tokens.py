"""MC005 max-tokens: `max_completion_tokens=` renamed for targets not known to accept it; cases left alone."""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

from migrate_cli.config import load_presets, resolve_target
from migrate_cli.rewrite.model import RewriteSettings

HEADER = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")\n'

REWRITES = [
    pytest.param(
        HEADER + 'r = client.chat.completions.create(model="mira", messages=[], max_completion_tokens=256)\n',
        HEADER + 'r = client.chat.completions.create(model="mira", messages=[], max_tokens=256)\n',
        id="keyword-renamed",
    ),
    pytest.param(
        HEADER
        + "r = client.chat.completions.create(\n"
        + '    model="mira",\n'
        + "    max_completion_tokens=limit,  # keep answers short\n"
        + "    messages=messages,\n"
        + ")\n",
        HEADER
        + "r = client.chat.completions.create(\n"
        + '    model="mira",\n'
        + "    max_tokens=limit,  # keep answers short\n"
        + "    messages=messages,\n"
        + ")\n",
        id="multiline-comment-kept",
    ),
    pytest.param(
        """\
        from openai import AsyncOpenAI


        class Bot:
            def __init__(self):
                self.llm = AsyncOpenAI()

            async def answer(self, q):"""
        '\n                async with self.llm.beta.chat.completions.stream(model="mira", '
        "messages=[q], max_completion_tokens=64) as s:\n"
        """\
                    return await s.get_final_completion()
        """,
        """\
        import os
        from openai import AsyncOpenAI


        class Bot:
            def __init__(self):
                self.llm = AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")

            async def answer(self, q):
                async with self.llm.beta.chat.completions.stream(model="mira", messages=[q], max_tokens=64) as s:
                    return await s.get_final_completion()
        """,
        id="async-self-attribute-beta-stream",
    ),
    pytest.param(
        'import os\nimport openai\nopenai.api_key = os.environ["MIRA_API_KEY"]\nopenai.base_url = "https://api.vmira.ai/v1"\n'
        'r = openai.chat.completions.parse(model="mira", messages=[], response_format=A, max_completion_tokens=9)\n',
        'import os\nimport openai\nopenai.api_key = os.environ["MIRA_API_KEY"]\nopenai.base_url = "https://api.vmira.ai/v1"\n'
        'r = openai.chat.completions.parse(model="mira", messages=[], response_format=A, max_tokens=9)\n',
        id="module-client-parse",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        HEADER + 'r = client.chat.completions.create(model="mira", messages=[], max_tokens=256)\n',
        id="already-max-tokens",
    ),
    pytest.param(
        'from openai import OpenAI\nlocal = OpenAI(base_url="http://localhost:8000/v1", api_key="x")\n'
        'r = local.chat.completions.create(model="m", messages=[], max_completion_tokens=5)\n',
        id="client-that-does-not-move",
    ),
    pytest.param(
        HEADER + "\n"
        "\n"
        "def ask(llm, q):\n"
        "    return llm.chat.completions.create(model='mira', messages=[q], "
        "max_completion_tokens=5)\n",
        id="receiver-not-provably-a-client",
    ),
    pytest.param(
        "import anthropic\n"
        "c = anthropic.Anthropic()\n"
        'r = c.chat.completions.create(model="m", max_completion_tokens=5)\n',
        id="other-sdk",
    ),
    pytest.param(
        HEADER + 'r = client.responses.create(model="mira", input="x", max_output_tokens=50)\n'
        'opts = {"max_completion_tokens": 5}\n',
        id="responses-api-and-a-dict",
    ),
    pytest.param(
        HEADER + 'r = client.chat.completions.create(model="mira", messages=[], **{"max_completion_tokens": 5})\n',
        id="splatted-dict",
    ),
    pytest.param(
        HEADER + "# client.chat.completions.create(max_completion_tokens=5)\ntext = 'max_completion_tokens=5'\n",
        id="comment-and-string",
    ),
    pytest.param(
        HEADER
        + 'r = client.chat.completions.create(model="mira", messages=[], max_completion_tokens=5, max_tokens=9)\n',
        id="both-names-reviewed",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str, request: pytest.FixtureRequest) -> None:
    result = check_noop(code)
    if request.node.callspec.id.endswith("-reviewed"):  # left alone, and said so
        assert result.review, "a case named '...-reviewed' must list a review item"


@pytest.mark.parametrize(
    "provider", sorted(name for name, preset in load_presets().items() if preset.max_completion_tokens)
)
def test_targets_that_accept_it_keep_it(provider: str) -> None:
    settings = RewriteSettings(resolve_target(provider=provider))
    result = rewrite(
        "from openai import OpenAI\n"
        "c = OpenAI()\n"
        'r = c.chat.completions.create(model="m", messages=[], max_completion_tokens=5)\n',
        settings,
    )
    assert "max_completion_tokens=5" in result.code
    assert not [c for c in result.changes if c.rule == "MC005"]


def test_both_names_are_reviewed() -> None:
    result = rewrite(
        HEADER
        + 'r = client.chat.completions.create(model="mira", max_completion_tokens=5, max_tokens=9, messages=[])\n'
    )
    (item,) = [r for r in result.review if r.rule == "MC005"]
    assert item.line == 5
    assert "passes both max_completion_tokens= and max_tokens=" in item.reason


def test_change_log() -> None:
    result = rewrite(
        HEADER + 'r = client.chat.completions.create(model="mira", messages=[], max_completion_tokens=5)\n'
    )
    assert [(c.rule, c.line) for c in result.changes] == [("MC005", 5)]
    assert "max_completion_tokens= -> max_tokens=" in result.changes[0].message


def test_an_unknown_url_target_is_not_known_to_accept_it() -> None:
    settings = RewriteSettings(resolve_target(base_url="http://127.0.0.1:9999/v1", api_key_env="LOCAL_KEY"))
    result = rewrite(
        "from openai import OpenAI\n"
        "c = OpenAI()\n"
        'r = c.chat.completions.create(model="m", messages=[], max_completion_tokens=5)\n',
        settings,
    )
    assert "max_tokens=5" in result.code
