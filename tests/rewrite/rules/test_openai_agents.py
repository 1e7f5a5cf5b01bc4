"""MC012 openai-agents: golden cases (with the inner clients MC001 rewrites), no-ops, review reasons."""

from __future__ import annotations

from textwrap import dedent

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

from migrate_cli.rewrite.engine import might_contain_client

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

        set_default_openai_api(api="chat_completions")"""
        '\n        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1"), use_for_tracing=False)\n'
        """\
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

        set_default_openai_api("chat_completions")"""
        "\n        provider = "
        'OpenAIProvider(openai_client=AsyncOpenAI(base_url="https://api.vmira.ai/v1", '
        'api_key=os.environ["MIRA_API_KEY"]))\n'
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

        set_default_openai_api("chat_completions")"""
        '\n        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1"), False)\n'
        """\
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


def test_multi_provider_gets_the_target_url_and_key() -> None:
    check_rewrite(
        """\
        import os
        from agents import MultiProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = MultiProvider(openai_api_key=os.getenv("OPENAI_API_KEY"), openai_use_responses=False)
        """,
        """\
        import os
        from agents import MultiProvider, set_default_openai_api

        set_default_openai_api("chat_completions")
        provider = MultiProvider(openai_api_key=os.environ["MIRA_API_KEY"], openai_use_responses=False, openai_base_url="https://api.vmira.ai/v1")
        """,
    )


DEFAULT_CLIENT = "runs on the agents SDK's default OpenAI client"


@pytest.mark.parametrize(
    ("code", "line"),
    [
        pytest.param(
            """\
            from agents import Agent, Runner

            agent = Agent(name="Assistant", instructions="You are helpful")
            result = Runner.run_sync(agent, "Write a haiku")
            helper = Agent(name="Helper", model="gpt-4o-mini")
            """,
            3,
            id="agents-without-a-model-once-per-file",
        ),
        pytest.param(
            """\
            import agents
            from my_app.team import triage


            async def main():
                return await agents.Runner.run(triage, "hi")
            """,
            6,
            id="run-of-an-agent-built-elsewhere",
        ),
        pytest.param(
            """\
            from agents import Agent, RunConfig, Runner

            agent = Agent(name="a", model="openai/gpt-4.1")
            Runner.run_streamed(agent, "hi", run_config=RunConfig(tracing_disabled=True))
            """,
            3,
            id="openai-prefixed-model-and-a-run-config-without-provider",
        ),
        pytest.param(
            """\
            import os
            from agents import Agent

            MODEL = os.getenv("EXAMPLE_MODEL") or "gpt-4.1"


            def build(model: str = MODEL):
                return Agent(name="a", model=model)
            """,
            8,
            id="model-name-from-env-through-a-str-parameter",
        ),
        pytest.param(
            """\
            from agents import RunConfig, Runner
            from agents.sandbox import SandboxRunConfig
            from my_app.agents import build_agent

            config = RunConfig(sandbox=SandboxRunConfig(session=session))
            Runner.run_sync(build_agent(), "hi", run_config=config)
            """,
            6,
            id="run-config-bound-to-a-name-without-provider",
        ),
        pytest.param(
            """\
            from agents.sandbox import SandboxAgent

            agent = SandboxAgent(name="a", instructions="...", default_manifest=manifest)
            """,
            3,
            id="sandbox-agent",
        ),
        pytest.param(
            """\
            from agents.voice import SingleAgentVoiceWorkflow, VoicePipeline

            pipeline = VoicePipeline(workflow=SingleAgentVoiceWorkflow(agent))
            """,
            3,
            id="voice-pipeline-on-the-default-voice-provider",
        ),
    ],
)
def test_agents_on_the_default_client_are_reviewed_once_with_the_fix(code: str, line: int) -> None:
    result = rewrite(dedent(code))
    reviews = [r for r in result.review if r.rule == "MC012"]
    assert [r.line for r in reviews] == [line]
    assert DEFAULT_CLIENT in reviews[0].reason
    assert (
        'set_default_openai_client(AsyncOpenAI(base_url="https://api.vmira.ai/v1", '
        'api_key=os.environ["MIRA_API_KEY"]), use_for_tracing=False) and '
        'set_default_openai_api("chat_completions")'
    ) in reviews[0].reason


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            """\
            from agents import Agent, AsyncOpenAI, OpenAIChatCompletionsModel, Runner

            model = OpenAIChatCompletionsModel(model="mira", openai_client=AsyncOpenAI())
            agent = Agent(name="a", model=model)
            Runner.run_sync(agent, "hi")
            """,
            id="agent-with-a-model-object",
        ),
        pytest.param(
            """\
            from agents import Agent, AsyncOpenAI, Runner, set_default_openai_api, set_default_openai_client

            set_default_openai_client(AsyncOpenAI(), use_for_tracing=False)
            set_default_openai_api("chat_completions")
            Runner.run_sync(Agent(name="a"), "hi")
            """,
            id="default-client-set-in-the-file",
        ),
        pytest.param(
            """\
            from agents import Agent, OpenAIProvider, RunConfig, Runner

            config = RunConfig(model_provider=OpenAIProvider(use_responses=False))
            Runner.run_sync(Agent(name="a"), "hi", run_config=config)
            """,
            id="run-config-with-a-provider",
        ),
        pytest.param(
            """\
            from agents import Agent
            from agents.extensions.models.litellm_model import LitellmModel

            claude = Agent(name="a", model="litellm/anthropic/claude-sonnet-4-5")
            gemini = Agent(name="b", model=LitellmModel(model="gemini/gemini-2.5-flash"))
            """,
            id="other-providers-models",
        ),
        pytest.param(
            """\
            from agents import Agent, Runner

            def build(**options):
                return Agent(name="a", **options)

            async def go(agent, config):
                return await Runner.run(agent, "hi", run_config=config)
            """,
            id="options-and-run-config-the-rule-cannot-see",
        ),
        pytest.param(
            """\
            from agents import Agent, Model


            def build(model: Model, tuned):
                return [Agent(name="a", model=model), Agent(name="b", model=tuned.model)]
            """,
            id="model-objects-of-unknown-origin",
        ),
        pytest.param(
            """\
            from crewai import Agent
            from my_app.agents import Runner

            agent = Agent(role="writer", goal="write", backstory="...", llm=llm)
            Runner.run_sync(agent, "hi")
            """,
            id="lookalikes",
        ),
    ],
)
def test_agents_with_a_configured_model_are_not_reviewed(code: str) -> None:
    assert not [r for r in rewrite(dedent(code)).review if DEFAULT_CLIENT in r.reason]


def test_voice_provider_is_rewritten_and_its_audio_models_reviewed() -> None:
    result = check_rewrite(
        """\
        from agents.voice import OpenAIVoiceModelProvider, VoicePipeline, VoicePipelineConfig

        provider = OpenAIVoiceModelProvider()
        pipeline = VoicePipeline(workflow=workflow, config=VoicePipelineConfig(model_provider=provider))
        """,
        """\
        import os
        from agents.voice import OpenAIVoiceModelProvider, VoicePipeline, VoicePipelineConfig

        provider = OpenAIVoiceModelProvider(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        pipeline = VoicePipeline(workflow=workflow, config=VoicePipelineConfig(model_provider=provider))
        """,
    )
    reasons = [r.reason for r in result.review if r.rule == "MC012"]
    assert len(reasons) == 1 and "serves /audio/transcriptions and /audio/speech" in reasons[0]


def test_realtime_runner_is_reviewed_as_staying_on_openai() -> None:
    code = (
        "from agents.realtime import RealtimeAgent, RealtimeRunner\nrunner = RealtimeRunner(RealtimeAgent(name='a'))\n"
    )
    reasons = [r.reason for r in rewrite(code).review if r.rule == "MC012"]
    assert len(reasons) == 1 and reasons[0].startswith("RealtimeRunner talks to OpenAI's Realtime API")


def test_a_file_that_only_runs_agents_is_not_skipped_by_the_pre_filter() -> None:
    code = b'from agents import Agent, Runner\nRunner.run_sync(Agent(name="a"), "hi")\n'
    assert b"openai" not in code.lower()
    assert might_contain_client(code)
    assert [r.rule for r in rewrite(code.decode()).review] == ["MC012"]


def _mc012_reasons(code: str) -> list[str]:
    return [item.reason for item in rewrite(code).review if item.rule == "MC012"]


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        pytest.param(
            "import os\n"
            "from agents import set_default_openai_key\n"
            "set_default_openai_key(os.environ['OPENAI_API_KEY'])\n",
            "set_default_openai_key() sets the key of the agents SDK's default OpenAI client",
            id="set-default-key",
        ),
        pytest.param(
            "from agents import AsyncOpenAI, set_default_openai_client, set_tracing_disabled\n"
            "set_tracing_disabled(True)\n"
            "set_default_openai_client(AsyncOpenAI())\n",
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
            "from agents import OpenAIProvider\n"
            "provider = OpenAIProvider(base_url='http://localhost:8000/v1', use_responses=False)\n",
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
    from helpers.fake_target import readme_example

    before, after = readme_example("MC012")
    check_rewrite(before, after)


# -- the rewritten code, imported and run with the real openai-agents SDK -----------------------


def test_rewritten_agents_setup_talks_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("agents")
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        "        from agents import AsyncOpenAI, OpenAIChatCompletionsModel, OpenAIProvider, "
        "set_default_openai_api, set_default_openai_client\n"
        """\

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
        by_model = Runner.run_sync(Agent(name="a", instructions="Be brief.", model=app.model), "Say hi")"""
        '\n        by_provider = Runner.run_sync(Agent(name="b", model="mira"), "Say hi", '
        "run_config=RunConfig(model_provider=app.provider))\n"
        """\
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


def test_the_default_client_advice_points_the_agents_at_the_target(tmp_path, target) -> None:
    """Paste the review's two calls into the reviewed app: its agents now run on the target with its key."""
    pytest.importorskip("agents")
    from helpers.fake_target import TARGET_KEY, run_probe

    app = 'from agents import Agent\n\nagent = Agent(name="a", instructions="Be brief.", model="mira")\n'
    reasons = [r.reason for r in rewrite(app).review if DEFAULT_CLIENT in r.reason]
    advice = reasons[0].split("before any agent runs: ", 1)[1].split(" (unless", 1)[0]
    calls = advice.replace("https://api.vmira.ai/v1", target.base_url).split(" and ")
    fixed = "import os\nfrom agents import AsyncOpenAI, set_default_openai_api, set_default_openai_client\n"
    fixed += "".join(f"{call}\n" for call in calls) + app
    facts = run_probe(
        tmp_path,
        fixed,
        """\
        import json
        import app
        from agents import Runner

        print(json.dumps({"answer": Runner.run_sync(app.agent, "Say hi").final_output}))
        """,
    )
    assert facts["answer"] == "hi from the target"
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")]


def test_rewritten_multi_provider_talks_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("agents")
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        import os
        from agents import MultiProvider

        provider = MultiProvider(openai_api_key=os.getenv("OPENAI_API_KEY"), openai_use_responses=False)
        voice = OpenAIVoiceModelProvider()
        """.replace(
            "from agents import MultiProvider",
            "from agents import MultiProvider\n        from agents.voice import OpenAIVoiceModelProvider",
        ),
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app
        from agents import Agent, RunConfig, Runner"""
        '\n\n        run = Runner.run_sync(Agent(name="a", model="mira"), "Say hi", '
        "run_config=RunConfig(model_provider=app.provider))\n"
        """\
        voice_client = app.voice._get_client()
        print(json.dumps({"answer": run.final_output, "voice": [str(voice_client.base_url), voice_client.api_key]}))
        """,
    )
    assert facts["answer"] == "hi from the target"
    assert facts["voice"] == [target.base_url + "/", TARGET_KEY]
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")]
