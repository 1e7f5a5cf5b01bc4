"""MC019 haystack: golden before/after cases, cases that must be left alone, review reasons, a real run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from textwrap import dedent

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

KEY = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"

REWRITES = [
    pytest.param(
        """\
        \"\"\"RAG pipeline.\"\"\"
        from haystack import Pipeline
        from haystack.components.generators.chat import OpenAIChatGenerator

        generator = OpenAIChatGenerator(model="gpt-4o-mini")
        """,
        """\
        \"\"\"RAG pipeline.\"\"\"
        from haystack import Pipeline
        from haystack.components.generators.chat import OpenAIChatGenerator
        from haystack.utils import Secret

        generator = OpenAIChatGenerator(model="gpt-4o-mini", api_key=Secret.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")
        """,
        id="no-key-imports-secret",
    ),
    pytest.param(
        """\
        from haystack.components.embedders import OpenAIDocumentEmbedder, OpenAITextEmbedder
        from haystack.utils import Secret

        docs = OpenAIDocumentEmbedder(
            api_key=Secret.from_env_var("OPENAI_API_KEY"),  # the default, spelled out
            api_base_url="https://api.openai.com/v1",
        )
        text = OpenAITextEmbedder(api_key=Secret.from_env_var("OPENAI_API_KEY", strict=False))
        """,
        """\
        from haystack.components.embedders import OpenAIDocumentEmbedder, OpenAITextEmbedder
        from haystack.utils import Secret

        docs = OpenAIDocumentEmbedder(
            api_key=Secret.from_env_var("MIRA_API_KEY"),  # the default, spelled out
            api_base_url="https://api.vmira.ai/v1",
        )
        text = OpenAITextEmbedder(api_key=Secret.from_env_var("MIRA_API_KEY", strict=False), api_base_url="https://api.vmira.ai/v1")
        """,
        id="embedders-env-secret-renamed",
    ),
    pytest.param(
        f"""\
        from haystack.components.generators import OpenAIGenerator
        from haystack.utils.auth import Secret as S

        llm = OpenAIGenerator(api_key=S.from_token("{KEY}"))
        """,
        """\
        from haystack.components.generators import OpenAIGenerator
        from haystack.utils.auth import Secret as S

        llm = OpenAIGenerator(api_key=S.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")
        """,
        id="hard-coded-token-secret-alias",
    ),
    pytest.param(
        """\
        import os

        from haystack.components.audio import RemoteWhisperTranscriber
        from haystack.components.generators.chat.openai import OpenAIChatGenerator


        def build():
            return OpenAIChatGenerator(), RemoteWhisperTranscriber(model="whisper-1")
        """,
        """\
        import os

        from haystack.components.audio import RemoteWhisperTranscriber
        from haystack.components.generators.chat.openai import OpenAIChatGenerator
        from haystack.utils import Secret


        def build():"""
        '\n            return OpenAIChatGenerator(api_key=Secret.from_env_var("MIRA_API_KEY"), '
        'api_base_url="https://api.vmira.ai/v1"), RemoteWhisperTranscriber(model="whisper-1", '
        'api_key=Secret.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")\n'
        """\
        """,
        id="module-path-and-whisper",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator
        from haystack.utils import Secret

        gen = OpenAIChatGenerator(api_key=Secret.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator
        from haystack.utils import Secret

        local = OpenAIChatGenerator(api_key=Secret.from_token("EMPTY"), api_base_url="http://localhost:8000/v1")
        """,
        id="local-server-left-for-review",
    ),
    pytest.param(
        """\
        from haystack.components.generators.chat import AzureOpenAIChatGenerator

        azure = AzureOpenAIChatGenerator(azure_endpoint="https://res.openai.azure.com", azure_deployment="gpt-4o")
        """,
        id="azure-not-ours",
    ),
    pytest.param(
        """\
        from haystack_integrations.components.generators.ollama import OllamaChatGenerator
        from myapp.components import OpenAIChatGenerator

        a = OllamaChatGenerator(model="llama3")
        b = OpenAIChatGenerator(model="gpt-4o")
        """,
        id="other-packages-lookalikes",
    ),
    pytest.param(
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator


        def build(config):
            return OpenAIChatGenerator(**config)
        """,
        id="opaque-kwargs",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def test_key_from_several_env_vars_leaves_the_component_alone_and_is_reviewed() -> None:
    # BACKUP_KEY may hold any key: moving the URL alone could send it to the target (issue 8, key invariant).
    result = check_noop(
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator
        from haystack.utils import Secret

        gen = OpenAIChatGenerator(api_key=Secret.from_env_var(["OPENAI_API_KEY", "BACKUP_KEY"]))
        """
    )
    (item,) = [r for r in result.review if r.rule == "MC019"]
    assert "BACKUP_KEY" in item.reason and "$MIRA_API_KEY" in item.reason and "URL included" in item.reason


def test_hard_coded_token_is_a_security_finding_never_shown() -> None:
    result = rewrite(
        "from haystack.components.generators.chat import OpenAIChatGenerator\n"
        "from haystack.utils import Secret\n"
        f'gen = OpenAIChatGenerator(api_key=Secret.from_token("{KEY}"))\n'
    )
    assert [(f.rule, f.line) for f in result.security] == [("MC019", 3)]
    assert KEY in result.secrets and KEY not in result.code
    assert all(KEY not in f.message for f in result.security)


def test_secret_bound_to_something_else_is_reviewed() -> None:
    result = check_noop(
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator
        from vault import Secret

        gen = OpenAIChatGenerator()
        """
    )
    (item,) = [r for r in result.review if r.rule == "MC019"]
    assert "`Secret` is bound to something other than haystack's" in item.reason


def _mc019_reasons(code: str) -> list[str]:
    return [r.reason for r in rewrite(dedent(code)).review if r.rule == "MC019"]


def test_responses_generator_moves_and_is_reviewed() -> None:
    result = check_rewrite(
        """\
        from haystack.components.generators.chat import OpenAIResponsesChatGenerator

        gen = OpenAIResponsesChatGenerator(model="gpt-5-mini")
        """,
        """\
        from haystack.components.generators.chat import OpenAIResponsesChatGenerator
        from haystack.utils import Secret

        gen = OpenAIResponsesChatGenerator(model="gpt-5-mini", api_key=Secret.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")
        """,
    )
    (reason,) = [r.reason for r in result.review if r.rule == "MC019"]
    assert "OpenAIResponsesChatGenerator calls the Responses API" in reason


@pytest.mark.parametrize(
    ("code", "label"),
    [
        pytest.param(
            """\
            from haystack.components.evaluators import FaithfulnessEvaluator

            evaluator = FaithfulnessEvaluator()
            """,
            "FaithfulnessEvaluator",
            id="faithfulness",
        ),
        pytest.param(
            """\
            from haystack.components.evaluators.context_relevance import ContextRelevanceEvaluator

            evaluator = ContextRelevanceEvaluator(raise_on_failure=False)
            """,
            "ContextRelevanceEvaluator",
            id="context-relevance-submodule",
        ),
        pytest.param(
            """\
            from haystack.components.evaluators import LLMEvaluator
            from haystack.utils import Secret"""
            '\n\n            evaluator = LLMEvaluator(instructions="...", inputs=[], outputs=[], '
            'examples=[], api="openai", api_key=Secret.from_env_var("OPENAI_API_KEY"))\n'
            """\
            """,
            "LLMEvaluator",
            id="llm-evaluator-2.x-api-form",
        ),
    ],
)
def test_evaluators_on_their_own_openai_generator_are_reviewed(code: str, label: str) -> None:
    result = check_noop(dedent(code))
    (reason,) = [r.reason for r in result.review if r.rule == "MC019"]
    assert reason.startswith(f"{label}(...) without chat_generator= builds OpenAIChatGenerator() from $OPENAI_API_KEY")
    assert 'api_base_url="https://api.vmira.ai/v1", api_key=Secret.from_env_var("MIRA_API_KEY")' in reason


@pytest.mark.parametrize(
    "code",
    [
        """\
        from haystack.components.evaluators import FaithfulnessEvaluator

        evaluator = FaithfulnessEvaluator(chat_generator=generator)
        """,
        """\
        from haystack.components.evaluators import FaithfulnessEvaluator

        def build(**options):
            return FaithfulnessEvaluator(**options)
        """,
        """\
        from haystack.components.evaluators import SASEvaluator
        from ragas.metrics import FaithfulnessEvaluator

        sas = SASEvaluator()
        other = FaithfulnessEvaluator()
        """,
    ],
)
def test_evaluators_with_a_generator_and_lookalikes_are_not_reviewed(code: str) -> None:
    assert _mc019_reasons(code) == []


@pytest.fixture
def target(target, monkeypatch: pytest.MonkeyPatch):  # the shared one (conftest.py), without telemetry
    monkeypatch.setenv("HAYSTACK_TELEMETRY_ENABLED", "False")  # the probe must not phone home
    return target


@pytest.mark.skipif(importlib.util.find_spec("haystack") is None, reason="haystack-ai is not installed")
def test_rewritten_components_talk_to_the_target_with_its_key(tmp_path: Path, target) -> None:
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        from haystack.components.embedders import OpenAITextEmbedder
        from haystack.components.generators.chat import OpenAIChatGenerator
        from haystack.utils import Secret

        generator = OpenAIChatGenerator(model="gpt-4o-mini", api_key=Secret.from_env_var("OPENAI_API_KEY"))
        embedder = OpenAITextEmbedder()
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        from haystack.dataclasses import ChatMessage
        import app

        reply = app.generator.run(messages=[ChatMessage.from_user("hi")])["replies"][0].text
        vector = app.embedder.run(text="hi")["embedding"]
        print(json.dumps([reply, vector]))
        """,
    )
    assert facts == [target.reply, [0.5, 0.25, 0.125]]
    assert [(s.path, s.authorization) for s in target.seen] == [
        ("/v1/chat/completions", f"Bearer {TARGET_KEY}"),
        ("/v1/embeddings", f"Bearer {TARGET_KEY}"),
    ]


def test_the_same_component_imported_from_the_package_and_its_submodule_is_migrated_in_both_places() -> None:
    """Two notebook cells import OpenAIChatGenerator by two paths: both names are the one class."""
    check_rewrite(
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator

        llm = OpenAIChatGenerator(model="gpt-4.1-mini")

        from haystack.components.generators.chat.openai import OpenAIChatGenerator

        chat_generator = OpenAIChatGenerator(model="gpt-4.1-mini")
        """,
        """\
        from haystack.components.generators.chat import OpenAIChatGenerator
        from haystack.utils import Secret

        llm = OpenAIChatGenerator(model="gpt-4.1-mini", api_key=Secret.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")

        from haystack.components.generators.chat.openai import OpenAIChatGenerator

        chat_generator = OpenAIChatGenerator(model="gpt-4.1-mini", api_key=Secret.from_env_var("MIRA_API_KEY"), api_base_url="https://api.vmira.ai/v1")
        """,
    )
