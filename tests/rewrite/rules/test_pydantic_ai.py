"""MC013 pydantic-ai: golden before/after cases, cases that must be left alone, and review reasons."""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        from pydantic_ai import Agent
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        model = OpenAIChatModel("mira", provider=OpenAIProvider())
        agent = Agent(model)
        """,
        """\
        import os
        from pydantic_ai import Agent
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        model = OpenAIChatModel("mira", provider=OpenAIProvider(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))
        agent = Agent(model)
        """,
        id="provider-inside-chat-model",
    ),
    pytest.param(
        """\
        import os
        from pydantic_ai.models.openai import OpenAIModel
        from pydantic_ai.providers.openai import OpenAIProvider

        provider = OpenAIProvider(
            base_url=os.getenv("OPENAI_API_BASE"),
            api_key=os.getenv("OPENAI_API_KEY"),
        )
        model = OpenAIModel("mira", provider=provider)
        """,
        """\
        import os
        from pydantic_ai.models.openai import OpenAIModel
        from pydantic_ai.providers.openai import OpenAIProvider

        provider = OpenAIProvider(
            base_url="https://api.vmira.ai/v1",
            api_key=os.environ["MIRA_API_KEY"],
        )
        model = OpenAIModel("mira", provider=provider)
        """,
        id="provider-by-name-env-reads",
    ),
    pytest.param(
        """\
        from pydantic_ai.providers.openai import OpenAIProvider as Provider

        provider = Provider(api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0", base_url="https://api.openai.com/v1/")
        """,
        """\
        import os
        from pydantic_ai.providers.openai import OpenAIProvider as Provider

        provider = Provider(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="alias-hard-coded-key-openai-url",
    ),
    pytest.param(
        """\
        from pydantic_ai.models.openai import OpenAIModel

        model = OpenAIModel(model_name="mira", api_key="not-needed")
        """,
        """\
        import os
        from pydantic_ai.models.openai import OpenAIModel

        model = OpenAIModel(model_name="mira", api_key=os.environ.get("MIRA_API_KEY", "not-needed"), base_url="https://api.vmira.ai/v1")
        """,
        id="pre-provider-model-keywords",
    ),
    pytest.param(
        """\
        from openai import AsyncOpenAI
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        model = OpenAIChatModel("mira", provider=OpenAIProvider(openai_client=AsyncOpenAI()))
        """,
        """\
        import os
        from openai import AsyncOpenAI
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider"""
        '\n\n        model = OpenAIChatModel("mira", '
        'provider=OpenAIProvider(openai_client=AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1")))\n'
        """\
        """,
        id="provider-with-client-left-to-mc001",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        from pydantic_ai.providers.openai import OpenAIProvider

        provider = OpenAIProvider(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        model = OpenAIChatModel("qwen2.5:14b", provider=OpenAIProvider(base_url="http://localhost:11434/v1"))
        """,
        id="ollama-through-openai-provider",
    ),
    pytest.param(
        """\
        from pydantic_ai import Agent
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.deepseek import DeepSeekProvider
        from pydantic_ai.providers.ollama import OllamaProvider

        a = Agent("anthropic:claude-sonnet-4-5")
        b = OpenAIChatModel("deepseek-chat", provider=DeepSeekProvider(api_key="x"))
        c = OpenAIChatModel("llama3", provider=OllamaProvider(base_url="http://localhost:11434/v1"))
        """,
        id="other-providers",
    ),
    pytest.param(
        """\
        from agents import OpenAIProvider

        provider = OpenAIProvider(base_url="http://localhost:8000/v1")
        """,
        id="agents-provider-of-the-same-name",
    ),
    pytest.param(
        """\
        from pydantic_ai.models.openai import OpenAIModel

        model = OpenAIModel(model_name="llama3", base_url="http://localhost:11434/v1")
        """,
        id="pre-provider-model-at-a-local-server",
    ),
    pytest.param(
        """\
        from pydantic_ai.models.openai import OpenAIChatModel

        def build(provider):
            return OpenAIChatModel("mira", provider=provider)
        """,
        id="provider-of-unknown-origin",
    ),
    pytest.param(
        """\
        class OpenAIProvider:
            pass

        provider = OpenAIProvider()
        """,
        id="local-class",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def _mc013_reasons(code: str) -> list[str]:
    return [item.reason for item in rewrite(code).review if item.rule == "MC013"]


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        pytest.param(
            "from pydantic_ai import Agent\nagent = Agent('openai:gpt-4o')\n",
            'Agent("openai:gpt-4o") builds an OpenAI provider from OPENAI_API_KEY/OPENAI_BASE_URL',
            id="agent-model-string",
        ),
        pytest.param(
            "import pydantic_ai\nagent = pydantic_ai.Agent(model='openai-chat:gpt-4o', system_prompt='hi')\n",
            "openai-chat:gpt-4o",
            id="agent-model-keyword-chat-prefix",
        ),
        pytest.param(
            "from pydantic_ai.models import infer_model\nm = infer_model('openai:gpt-4o')\n",
            "infer_model(",
            id="infer-model",
        ),
        pytest.param(
            "from pydantic_ai.models.openai import OpenAIModel\nm = OpenAIModel('gpt-4o')\n",
            "OpenAIModel(...) with no provider builds an OpenAI provider from "
            "OPENAI_API_KEY/OPENAI_BASE_URL, so it still talks to OpenAI: pass "
            'provider=OpenAIProvider(base_url="https://api.vmira.ai/v1", '
            'api_key=os.environ["MIRA_API_KEY"])',
            id="legacy-capable-model-without-provider",
        ),
        pytest.param(
            "from pydantic_ai.models.openai import OpenAIResponsesModel\n"
            "m = OpenAIResponsesModel('gpt-4o', provider='openai')\n",
            "provider='openai' builds an OpenAI provider",
            id="responses-model-with-provider-name",
        ),
        pytest.param(
            "from pydantic_ai.models.openai import OpenAIChatModel\n"
            "OpenAIProvider = object\n"
            "m = OpenAIChatModel('gpt-4o')\n",
            "with no provider builds an OpenAI provider",
            id="chat-model-where-the-provider-name-is-taken",
        ),
        pytest.param(
            "from pydantic_ai.models.openai import OpenAIResponsesModel\n"
            "from pydantic_ai.providers.openai import OpenAIProvider\n"
            "p = OpenAIProvider(base_url='http://localhost:1/v1')\n"
            "m = OpenAIResponsesModel('x', provider=p)\n",
            "http://localhost:1/v1",
            id="responses-model-on-foreign-provider-only-the-url",
        ),
    ],
)
def test_review_reasons(code: str, reason_part: str) -> None:
    reasons = _mc013_reasons(code)
    assert len(reasons) == 1, reasons
    assert reason_part in reasons[0]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            """\
            from pydantic_ai import Agent
            from pydantic_ai.models.openai import OpenAIChatModel

            agent = Agent(OpenAIChatModel("gpt-4o"))
            """,
            """\
            import os
            from pydantic_ai import Agent
            from pydantic_ai.models.openai import OpenAIChatModel
            from pydantic_ai.providers.openai import OpenAIProvider"""
            '\n\n            agent = Agent(OpenAIChatModel("gpt-4o", '
            'provider=OpenAIProvider(base_url="https://api.vmira.ai/v1", '
            'api_key=os.environ["MIRA_API_KEY"])))\n'
            """\
            """,
            id="chat-model-without-provider",
        ),
        pytest.param(
            """\
            import os
            from pydantic_ai.models.openai import OpenAIChatModel, OpenAIModel
            from pydantic_ai.providers.openai import OpenAIProvider as Provider

            fast = OpenAIChatModel("gpt-4o-mini", provider="openai-chat")
            legacy = OpenAIModel(model_name="gpt-4o", provider="openai")
            """,
            """\
            import os
            from pydantic_ai.models.openai import OpenAIChatModel, OpenAIModel
            from pydantic_ai.providers.openai import OpenAIProvider as Provider"""
            '\n\n            fast = OpenAIChatModel("gpt-4o-mini", '
            'provider=Provider(base_url="https://api.vmira.ai/v1", '
            'api_key=os.environ["MIRA_API_KEY"]))\n'
            '            legacy = OpenAIModel(model_name="gpt-4o", '
            'provider=Provider(base_url="https://api.vmira.ai/v1", '
            'api_key=os.environ["MIRA_API_KEY"]))\n'
            """\
            """,
            id="provider-names-replaced-with-the-aliased-provider",
        ),
    ],
)
def test_models_that_build_their_provider_from_env_get_one_for_the_target(before: str, after: str) -> None:
    result = check_rewrite(before, after)
    reasons = [r.reason for r in result.review if r.rule == "MC013"]
    assert len(reasons) == 1 and "OpenAICompatibleProvider" in reasons[0]


@pytest.mark.parametrize(
    "code",
    [
        "from pydantic_ai.models.openai import OpenAIChatModel\nm = OpenAIChatModel('gpt-4o', provider='gateway')\n",
        "from pydantic_ai.models.openai import OpenAIChatModel\n"
        "m = OpenAIChatModel('deepseek-chat', provider='deepseek')\n",
        "from pydantic_ai.models.openai import OpenAIChatModel\n"
        "def f(**kw):\n"
        "    return OpenAIChatModel('gpt-4o', **kw)\n",
        "from my_models import OpenAIChatModel\nm = OpenAIChatModel('gpt-4o')\n",
    ],
)
def test_models_with_other_providers_are_left_alone(code: str) -> None:
    check_noop(code)


def test_migrated_provider_gets_one_profile_note_per_file() -> None:
    code = "from pydantic_ai.providers.openai import OpenAIProvider\na = OpenAIProvider()\nb = OpenAIProvider()\n"
    reasons = [(r.line, r.reason) for r in rewrite(code).review if r.rule == "MC013"]
    assert len(reasons) == 1 and reasons[0][0] == 2
    assert "OpenAICompatibleProvider" in reasons[0][1]


def test_responses_model_on_a_migrated_provider_is_reviewed() -> None:
    code = (
        "from pydantic_ai.models.openai import OpenAIResponsesModel\n"
        "from pydantic_ai.providers.openai import OpenAIProvider\n"
        "provider = OpenAIProvider()\n"
        "model = OpenAIResponsesModel('mira', provider=provider)\n"
    )
    reasons = {r.line: r.reason for r in rewrite(code).review if r.rule == "MC013"}
    assert "Responses API" in reasons[4] and "use OpenAIChatModel" in reasons[4]


def test_model_strings_of_other_providers_and_non_literals_are_not_reviewed() -> None:
    code = (
        "from pydantic_ai import Agent\n"
        "a = Agent('groq:llama-3.3-70b-versatile')\n"
        "def f(name):\n"
        "    return Agent(name)\n"
    )
    assert _mc013_reasons(code) == []


def test_readme_example_is_the_tools_output() -> None:
    from helpers.fake_target import readme_example

    before, after = readme_example("MC013")
    check_rewrite(before, after)


# -- the rewritten code, imported and run with the real pydantic-ai -----------------------------


def test_rewritten_pydantic_ai_model_talks_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("pydantic_ai.providers.openai")
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        import os
        from pydantic_ai import Agent
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        provider = OpenAIProvider(api_key=os.environ["OPENAI_API_KEY"])
        model = OpenAIChatModel("mira", provider=provider)
        agent = Agent(model, instructions="Be brief.")
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app

        result = app.agent.run_sync("Say hi")
        print(json.dumps({
            "provider_base": app.provider.base_url,
            "model_base": app.model.base_url,
            "key": app.provider.client.api_key,
            "answer": result.output,
        }))
        """,
    )
    assert facts["provider_base"] == facts["model_base"] == target.base_url + "/"
    assert facts["key"] == TARGET_KEY
    assert facts["answer"] == "hi from the target"
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")]


def test_model_whose_provider_was_built_from_env_now_talks_to_the_target(tmp_path, target) -> None:
    pytest.importorskip("pydantic_ai.providers.openai")
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        from pydantic_ai import Agent
        from pydantic_ai.models.openai import OpenAIChatModel

        default = OpenAIChatModel("mira")
        named = OpenAIChatModel("mira", provider="openai")
        agents = [Agent(default, instructions="Be brief."), Agent(named, instructions="Be brief.")]
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app

        answers = [agent.run_sync("Say hi").output for agent in app.agents]
        print(json.dumps({
            "bases": [app.default.base_url, app.named.base_url],
            "keys": [app.default.client.api_key, app.named.client.api_key],
            "answers": answers,
        }))
        """,
    )
    assert facts["bases"] == [target.base_url + "/"] * 2
    assert facts["keys"] == [TARGET_KEY] * 2
    assert facts["answers"] == ["hi from the target"] * 2
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")] * 2
