"""MC012 openai-agents: golden cases (with the inner clients MC001 rewrites), no-ops, review reasons."""

from __future__ import annotations

import pytest
from engine_helpers import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        from agents import OpenAIProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = OpenAIProvider()
        """,
        """\
        import os
        from agents import OpenAIProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = OpenAIProvider(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="provider-no-arguments",
    ),
    pytest.param(
        """\
        import os
        from agents.models.openai_provider import OpenAIProvider

        provider = OpenAIProvider(
            api_key=os.getenv("OPENAI_API_KEY"),
            base_url=os.getenv("OPENAI_BASE_URL"),
            use_responses=False,
        )
        """,
        """\
        import os
        from agents.models.openai_provider import OpenAIProvider

        provider = OpenAIProvider(
            api_key=os.environ["MIRA_API_KEY"],
            base_url="https://api.vmira.ai/v1",
            use_responses=False,
        )
        """,
        id="provider-env-reads-submodule-chat-completions",
    ),
    pytest.param(
        """\
        import os
        from agents import AsyncOpenAI, set_default_openai_api, set_default_openai_client

        client = AsyncOpenAI(api_key=os.environ["OPENAI_API_KEY"])
        set_default_openai_client(client)
        set_default_openai_api("chat_completions")
        """,
        """\
        import os
        from agents import AsyncOpenAI, set_default_openai_api, set_default_openai_client

        client = AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        set_default_openai_client(client, use_for_tracing=False)
        set_default_openai_api("chat_completions")
        """,
        id="default-client-by-name",
    ),
    pytest.param(
        """\
        from openai import AsyncOpenAI
        from agents import set_default_openai_api, set_default_openai_client

        set_default_openai_api(api="chat_completions")
        set_default_openai_client(AsyncOpenAI())
        """,
        """\
        import os
        from openai import AsyncOpenAI
        from agents import set_default_openai_api, set_default_openai_client

        set_default_openai_api(api="chat_completions")
        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"), use_for_tracing=False)
        """,
        id="default-client-inline-mc001-inner",
    ),
    pytest.param(
        """\
        from agents import Agent, AsyncOpenAI, OpenAIChatCompletionsModel

        model = OpenAIChatCompletionsModel(
            model="mira",
            openai_client=AsyncOpenAI(),
        )
        agent = Agent(name="Assistant", model=model)
        """,
        """\
        import os
        from agents import Agent, AsyncOpenAI, OpenAIChatCompletionsModel

        model = OpenAIChatCompletionsModel(
            model="mira",
            openai_client=AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"),
        )
        agent = Agent(name="Assistant", model=model)
        """,
        id="chat-completions-model-inner-client-is-mc001s",
    ),
    pytest.param(
        """\
        from agents import AsyncOpenAI, OpenAIProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = OpenAIProvider(openai_client=AsyncOpenAI(base_url="https://api.openai.com/v1"))
        """,
        """\
        import os
        from agents import AsyncOpenAI, OpenAIProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = OpenAIProvider(openai_client=AsyncOpenAI(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"]))
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
        from agents import OpenAIProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = OpenAIProvider(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        from agents import OpenAIProvider

        provider = OpenAIProvider(base_url="http://localhost:11434/v1", api_key="ollama")
        """,
        id="provider-at-a-local-server",
    ),
    pytest.param(
        """\
        from agents import AsyncOpenAI, set_default_openai_client

        set_default_openai_client(AsyncOpenAI(base_url="http://localhost:11434/v1", api_key="ollama"))
        """,
        id="default-client-at-a-local-server-keeps-tracing",
    ),
    pytest.param(
        """\
        import os
        from agents import AsyncOpenAI, set_default_openai_api, set_default_openai_client, set_tracing_disabled

        set_tracing_disabled(True)
        set_default_openai_api("chat_completions")
        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))
        """,
        id="tracing-disabled-no-key-exported",
    ),
    pytest.param(
        """\
        import os
        from agents import AsyncOpenAI, set_default_openai_api, set_default_openai_client

        set_default_openai_api("chat_completions")
        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"), False)
        """,
        id="tracing-off-positionally",
    ),
    pytest.param(
        """\
        from agents import set_default_openai_client


        def install(client):
            set_default_openai_client(client)
        """,
        id="client-of-unknown-origin",
    ),
    pytest.param(
        """\
        class OpenAIProvider:
            pass

        provider = OpenAIProvider()
        """,
        id="local-class",
    ),
    pytest.param(
        """\
        from pydantic_ai.providers.deepseek import DeepSeekProvider
        from crewai import Agent

        provider = DeepSeekProvider(api_key="x")
        agent = Agent(role="writer")
        """,
        id="other-packages",
    ),
    pytest.param(
        """\
        from agents import OpenAIProvider

        def build(**options):
            return OpenAIProvider(openai_client=options["client"], use_responses=False)
        """,
        id="provider-with-client-of-unknown-origin",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def _mc012_reasons(code: str) -> list[str]:
    return [item.reason for item in rewrite(code).review if item.rule == "MC012"]


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        pytest.param(
            "import os\nfrom agents import set_default_openai_key\nset_default_openai_key(os.environ['OPENAI_API_KEY'])\n",
            "set_default_openai_key() sets the key of the agents SDK's default OpenAI client",
            id="set-default-key",
        ),
        pytest.param(
            "from agents import AsyncOpenAI, set_default_openai_client, set_tracing_disabled\nset_tracing_disabled(True)\nset_default_openai_client(AsyncOpenAI())\n",
            'set_default_openai_api("chat_completions")',
            id="default-client-without-chat-completions",
        ),
        pytest.param(
            "from agents import OpenAIProvider\nprovider = OpenAIProvider()\n",
            'set_default_openai_api("chat_completions")',
            id="provider-without-chat-completions",
        ),
        pytest.param(
            "from agents import AsyncOpenAI, OpenAIProvider\nprovider = OpenAIProvider(openai_client=AsyncOpenAI())\n",
            'set_default_openai_api("chat_completions")',
            id="provider-wrapping-migrated-client",
        ),
        pytest.param(
            "from agents import OpenAIProvider\nprovider = OpenAIProvider(use_responses=True)\n",
            "OpenAIProvider(use_responses=True)",
            id="provider-forced-to-responses",
        ),
        pytest.param(
            "from agents import AsyncOpenAI, OpenAIResponsesModel\nm = OpenAIResponsesModel('mira', AsyncOpenAI())\n",
            "use OpenAIChatCompletionsModel",
            id="responses-model-on-migrated-client",
        ),
        pytest.param(
            "from agents import OpenAIProvider\nprovider = OpenAIProvider(base_url='http://localhost:8000/v1', use_responses=False)\n",
            "http://localhost:8000/v1",
            id="foreign-url",
        ),
    ],
)
def test_review_reasons(code: str, reason_part: str) -> None:
    reasons = _mc012_reasons(code)
    assert len(reasons) == 1, reasons
    assert reason_part in reasons[0]


def test_chat_completions_reminder_is_listed_once_per_file() -> None:
    code = (
        "from agents import AsyncOpenAI, OpenAIProvider, set_default_openai_client\n"
        "set_default_openai_client(AsyncOpenAI())\n"
        "a = OpenAIProvider()\n"
        "b = OpenAIProvider()\n"
    )
    result = rewrite(code)
    reminders = [r for r in result.review if "chat_completions" in r.reason]
    assert [(r.rule, r.line) for r in reminders] == [("MC012", 2)]


def test_chat_completions_models_need_no_reminder() -> None:
    code = (
        "from agents import Agent, AsyncOpenAI, OpenAIChatCompletionsModel\n"
        "model = OpenAIChatCompletionsModel(model='mira', openai_client=AsyncOpenAI())\n"
        "agent = Agent(name='a', model=model)\n"
    )
    assert _mc012_reasons(code) == []


def test_tracing_flag_the_rule_cannot_see_is_reviewed() -> None:
    code = (
        "from agents import AsyncOpenAI, set_default_openai_api, set_default_openai_client\n"
        "set_default_openai_api('chat_completions')\n"
        "def install(trace):\n"
        "    set_default_openai_client(AsyncOpenAI(), use_for_tracing=trace)\n"
    )
    result = rewrite(code)
    assert "use_for_tracing=trace)" in result.code
    assert [(r.rule, r.line) for r in result.review] == [("MC012", 4)]
    assert "pass use_for_tracing=False" in result.review[0].reason


def test_default_client_keeps_the_target_key_from_the_trace_exporter() -> None:
    result = rewrite(
        "from agents import AsyncOpenAI, set_default_openai_client\nset_default_openai_client(AsyncOpenAI())\n"
    )
    assert result.code.endswith(", use_for_tracing=False)\n")
    reasons = [r.reason for r in result.review if r.rule == "MC012"]
    assert len(reasons) == 1 and 'set_default_openai_api("chat_completions")' in reasons[0]
    assert sorted(c.rule for c in result.changes) == ["MC001", "MC012"]
    assert any("trace exporter" in c.message for c in result.changes)


def test_tracing_disabled_file_gets_no_flag() -> None:
    result = rewrite(
        "from agents import AsyncOpenAI, set_default_openai_client, set_tracing_disabled\n"
        "set_tracing_disabled(True)\nset_default_openai_client(AsyncOpenAI())\n"
    )
    assert "use_for_tracing" not in result.code


def test_readme_example_is_the_tools_output() -> None:
    from framework_helpers import readme_example

    before, after = readme_example("MC012")
    check_rewrite(before, after)


# -- the rewritten code, imported and run with the real openai-agents SDK -----------------------


def test_rewritten_agents_setup_talks_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("agents")
    from framework_helpers import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        from agents import AsyncOpenAI, OpenAIChatCompletionsModel, OpenAIProvider, set_default_openai_api, set_default_openai_client

        set_default_openai_api("chat_completions")
        set_default_openai_client(AsyncOpenAI())
        provider = OpenAIProvider()
        model = OpenAIChatCompletionsModel(model="mira", openai_client=AsyncOpenAI())
        """,
        target.base_url,
    )
    assert "use_for_tracing=False" in app
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app
        from agents import Agent, RunConfig, Runner
        from agents.models import _openai_shared
        from agents.tracing.processors import default_exporter

        default_client = _openai_shared.get_default_openai_client()
        provider_client = app.provider._get_client()
        by_model = Runner.run_sync(Agent(name="a", instructions="Be brief.", model=app.model), "Say hi")
        by_provider = Runner.run_sync(Agent(name="b", model="mira"), "Say hi", run_config=RunConfig(model_provider=app.provider))
        print(json.dumps({
            "default_base": str(default_client.base_url),
            "default_key": default_client.api_key,
            "provider_base": str(provider_client.base_url),
            "provider_key": provider_client.api_key,
            "model_base": str(app.model._client.base_url),
            "tracing_key_set": default_exporter()._api_key,
            "answers": [by_model.final_output, by_provider.final_output],
        }))
        """,
    )
    expected = target.base_url + "/"
    assert facts["default_base"] == facts["provider_base"] == facts["model_base"] == expected
    assert facts["default_key"] == facts["provider_key"] == TARGET_KEY
    # The migrated client's key never reaches the trace exporter (which sends to api.openai.com).
    assert facts["tracing_key_set"] != TARGET_KEY
    assert facts["answers"] == ["hi from the target", "hi from the target"]
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")] * 2
