"""MC014 litellm: golden before/after cases, cases that must be left alone, review reasons, a real call."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        from litellm import completion

        response = completion(model="openai/gpt-4o", messages=[{"role": "user", "content": "hi"}])
        """,
        """\
        import os
        from litellm import completion"""
        '\n\n        response = completion(model="openai/gpt-4o", messages=[{"role": "user", '
        '"content": "hi"}], api_key=os.environ["MIRA_API_KEY"], '
        'api_base="https://api.vmira.ai/v1")\n'
        """\
        """,
        id="openai-prefix-nothing-given",
    ),
    pytest.param(
        """\
        import litellm

        MODEL = "gpt-4o-mini"


        async def ask(messages):
            return await litellm.acompletion(MODEL, messages)
        """,
        """\
        import litellm
        import os

        MODEL = "gpt-4o-mini"


        async def ask(messages):"""
        "\n            return await litellm.acompletion(MODEL, messages, "
        'api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1", '
        'custom_llm_provider="openai")\n'
        """\
        """,
        id="bare-id-constant-positional-pins-provider",
    ),
    pytest.param(
        """\
        import os
        import litellm as ll

        vectors = ll.embedding(
            model="text-embedding-3-small",
            input=["a", "b"],
            api_key=os.getenv("OPENAI_API_KEY"),  # set by the deploy
            api_base=os.environ["OPENAI_API_BASE"],
        )
        """,
        """\
        import os
        import litellm as ll

        vectors = ll.embedding(
            model="text-embedding-3-small",
            input=["a", "b"],
            api_key=os.environ["MIRA_API_KEY"],  # set by the deploy
            api_base="https://api.vmira.ai/v1",
            custom_llm_provider="openai",
        )
        """,
        id="embedding-env-reads-multiline-comment-kept",
    ),
    pytest.param(
        """\
        import os
        from litellm import completion

        reply = completion(model=os.environ["MODEL"], messages=[], base_url="https://api.openai.com/v1")
        """,
        """\
        import os
        from litellm import completion"""
        '\n\n        reply = completion(model=os.environ["MODEL"], messages=[], '
        'base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])\n'
        """\
        """,
        id="model-unknown-but-url-says-openai",
    ),
    pytest.param(
        """\
        from litellm import text_completion"""
        '\n\n        out = text_completion(model="gpt-3.5-turbo-instruct", prompt="hi", '
        'custom_llm_provider="openai", api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0")\n'
        """\
        """,
        """\
        import os
        from litellm import text_completion"""
        '\n\n        out = text_completion(model="gpt-3.5-turbo-instruct", prompt="hi", '
        'custom_llm_provider="openai", api_key=os.environ["MIRA_API_KEY"], '
        'api_base="https://api.vmira.ai/v1")\n'
        """\
        """,
        id="explicit-provider-hard-coded-key",
    ),
    pytest.param(
        """\
        import os
        import litellm

        litellm.api_base = "https://api.openai.com/v1"
        litellm.openai_key = os.environ["OPENAI_API_KEY"]
        litellm.api_key = os.getenv("OPENAI_API_KEY")
        """,
        """\
        import os
        import litellm

        litellm.api_base = "https://api.vmira.ai/v1"
        litellm.openai_key = os.environ["MIRA_API_KEY"]
        litellm.api_key = os.environ["MIRA_API_KEY"]
        """,
        id="module-settings",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        from litellm import completion

        r = completion(model="openai/gpt-4o", messages=[], api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        import os
        from litellm import completion"""
        '\n\n        r = completion("gpt-4o", [], api_base="https://api.vmira.ai/v1/", '
        'api_key=os.environ["MIRA_API_KEY"], custom_llm_provider="openai")\n'
        """\
        """,
        id="already-migrated-bare",
    ),
    pytest.param(
        """\
        from litellm import completion

        claude = completion(model="anthropic/claude-3-5-sonnet-20240620", messages=[])
        haiku = completion(model="claude-3-haiku-20240307", messages=[])
        local = completion(model="ollama/llama3", messages=[], api_base="http://localhost:11434")
        """,
        id="other-providers",
    ),
    pytest.param(
        """\
        from litellm import completion

        r = completion(model="gpt-4o", messages=[], custom_llm_provider="azure")
        """,
        id="explicit-other-provider",
    ),
    pytest.param(
        """\
        from litellm import completion

        r = completion(model="openai/my-model", messages=[], api_base="http://0.0.0.0:4000")
        """,
        id="litellm-proxy-left-for-review",
    ),
    pytest.param(
        """\
        from myllm import completion


        def embedding(model):
            return model

        r = completion(model="gpt-4o", messages=[])
        e = embedding(model="text-embedding-3-small")
        """,
        id="lookalike-functions",
    ),
    pytest.param(
        """\
        from litellm import completion


        def run(completion):
            return completion(model="gpt-4o", messages=[])
        """,
        id="parameter-shadows-import",
    ),
    pytest.param(
        """\
        import litellm

        litellm.set_verbose = True
        litellm.drop_params = True
        litellm.api_base = "http://localhost:4000"
        """,
        id="other-settings-and-proxy-api-base",
    ),
    pytest.param(
        """\
        from litellm import completion


        def ask(model_name, messages):
            return completion(model=model_name, messages=messages)
        """,
        id="model-only-known-at-run-time",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        (
            'from litellm import completion\nr = completion(model="openai/x", api_base="http://0.0.0.0:4000")\n',
            "http://0.0.0.0:4000",
        ),
        ("from litellm import completion\ndef f(m):\n    return completion(model=m)\n", "model=m"),
        ('import litellm\nlitellm.api_base = "http://localhost:4000"\n', "http://localhost:4000"),
        ("import litellm\nlitellm.api_key = settings.key\n", None),
    ],
)
def test_sites_not_rewritten_are_listed_for_review(code: str, reason_part: str | None) -> None:
    result = rewrite(code)
    assert not result.changed
    reviews = [r for r in result.review if r.rule == "MC014"]
    if reason_part is None:  # a generic litellm.api_key that is not an OpenAI env read: not ours to judge
        assert reviews == []
    else:
        assert len(reviews) == 1 and reason_part in reviews[0].reason


def test_hard_coded_generic_key_is_a_security_finding_but_not_moved() -> None:
    # litellm.api_key is sent to whichever provider a call goes to: moving it would be a guess.
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    result = rewrite(f'import litellm\nlitellm.api_key = "{key}"\n')
    assert not result.changed
    assert [f.rule for f in result.security] == ["MC014"]
    assert key in result.secrets
    assert all(key not in item.reason for item in result.review)


def test_change_log_says_why_the_provider_is_pinned() -> None:
    result = rewrite('from litellm import completion\nr = completion(model="gpt-4o", messages=[])\n')
    messages = [c.message for c in result.changes if c.rule == "MC014"]
    assert any("custom_llm_provider" in m for m in messages)
    assert any("api_base -> https://api.vmira.ai/v1" in m for m in messages)


# litellm is ~330 MB installed, too heavy for the test extra; this runs where it is installed.
needs_litellm = pytest.mark.skipif(
    importlib.util.find_spec("litellm") is None, reason="litellm is not installed (too heavy for the test extra)"
)


@needs_litellm
def test_rewritten_calls_reach_the_target_with_its_key(tmp_path: Path, target, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # else litellm fetches its price map at import
    app = rewrite_for(
        """\
        from litellm import completion

        def ask_prefixed():
            return completion(model="openai/gpt-4o", messages=[{"role": "user", "content": "hi"}])

        def ask_bare():
            return completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app
        print(json.dumps([app.ask_prefixed().choices[0].message.content, app.ask_bare().choices[0].message.content]))
        """,
    )
    assert facts == [target.reply, target.reply]
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")] * 2
    assert [s.body["model"] for s in target.seen] == ["gpt-4o", "gpt-4o-mini"]
