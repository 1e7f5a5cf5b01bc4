"""MC017 dspy: golden before/after cases, cases that must be left alone, review reasons.

DSPy is not in the test extra: it installs litellm with it (~390 MB, over a minute), so no test here
imports the rewritten code. DSPy hands these keyword arguments to litellm unchanged; MC014's tests
check what litellm does with them where litellm is installed.
"""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        import dspy

        lm = dspy.LM("openai/gpt-4o-mini")
        dspy.configure(lm=lm)
        """,
        """\
        import dspy
        import os

        lm = dspy.LM("openai/gpt-4o-mini", api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        dspy.configure(lm=lm)
        """,
        id="positional-model-nothing-given",
    ),
    pytest.param(
        """\
        import os
        import dspy

        dspy.configure(
            lm=dspy.LM(
                model="openai/gpt-4o",
                base_url=os.getenv("OPENAI_BASE_URL"),  # the gateway
                api_key=os.getenv("OPENAI_API_KEY"),
            )
        )
        """,
        """\
        import os
        import dspy

        dspy.configure(
            lm=dspy.LM(
                model="openai/gpt-4o",
                base_url="https://api.vmira.ai/v1",  # the gateway
                api_key=os.environ["MIRA_API_KEY"],
            )
        )
        """,
        id="base-url-spelling-kept-comment-kept",
    ),
    pytest.param(
        """\
        from dspy import LM

        lm = LM("gpt-4o", api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0", temperature=0)
        """,
        """\
        import os
        from dspy import LM

        lm = LM("gpt-4o", api_key=os.environ["MIRA_API_KEY"], temperature=0, api_base="https://api.vmira.ai/v1")
        """,
        id="bare-id-hard-coded-key",
    ),
    pytest.param(
        """\
        import dspy

        turbo = dspy.OpenAI(model="gpt-3.5-turbo", max_tokens=250)
        """,
        """\
        import dspy
        import os

        turbo = dspy.OpenAI(model="gpt-3.5-turbo", max_tokens=250, api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="legacy-dspy-openai",
    ),
]


EMBEDDERS = [
    pytest.param(
        """\
        import dspy

        embedder = dspy.Embedder("openai/text-embedding-3-small", batch_size=100)
        """,
        """\
        import dspy
        import os

        embedder = dspy.Embedder("openai/text-embedding-3-small", batch_size=100, api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="embedder-prefixed-model",
    ),
    pytest.param(
        """\
        import os
        from dspy.clients import Embedder

        embedder = Embedder(model="text-embedding-3-large", api_key=os.getenv("OPENAI_API_KEY"))
        """,
        """\
        import os
        from dspy.clients import Embedder

        embedder = Embedder(model="text-embedding-3-large", api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="embedder-bare-openai-id",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES + EMBEDDERS)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        import dspy

        lm = dspy.LM("openai/gpt-4o-mini", api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        import dspy

        claude = dspy.LM("anthropic/claude-3-opus-20240229")
        local = dspy.LM("ollama_chat/llama3.2", api_base="http://localhost:11434", api_key="")
        """,
        id="other-providers",
    ),
    pytest.param(
        """\
        import dspy

        lm = dspy.LM("openai/Qwen2.5-7B", api_base="http://localhost:7501/v1", api_key="local")
        """,
        id="openai-compatible-local-server-left-for-review",
    ),
    pytest.param(
        """\
        import dspy

        azure = dspy.OpenAI(model="gpt-4", api_provider="azure", api_base=AZURE_URL)
        """,
        id="legacy-azure",
    ),
    pytest.param(
        """\
        class LM:
            def __init__(self, model):
                self.model = model

        lm = LM("openai/gpt-4o")
        """,
        id="local-lookalike",
    ),
    pytest.param(
        """\
        import dspy


        def build(model_name):
            return dspy.LM(model_name)
        """,
        id="model-only-known-at-run-time",
    ),
]


EMBEDDER_NOOPS = [
    pytest.param(
        """\
        import dspy
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer("all-MiniLM-L6-v2")
        local = dspy.Embedder(model.encode)
        cohere = dspy.Embedder("cohere/embed-english-v3.0")
        """,
        id="embedder-local-function-and-other-provider",
    ),
]


@pytest.mark.parametrize("code", NOOPS + EMBEDDER_NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        ('import dspy\nlm = dspy.LM("openai/x", api_base="http://localhost:7501/v1")\n', "http://localhost:7501/v1"),
        ("import dspy\ndef f(m):\n    return dspy.LM(m)\n", "dspy.LM(m)"),
        ('import dspy\nlm = dspy.OpenAI("gpt-4", "sk-positional")\n', "positional"),
        ('import os\nimport dspy\ne = dspy.Embedder(os.environ["EMBED_MODEL"])\n', "dspy.Embedder(os.environ"),
    ],
)
def test_sites_not_rewritten_are_listed_for_review(code: str, reason_part: str) -> None:
    result = rewrite(code)
    assert not result.changed
    reviews = [r for r in result.review if r.rule == "MC017"]
    assert len(reviews) == 1 and reason_part in reviews[0].reason
