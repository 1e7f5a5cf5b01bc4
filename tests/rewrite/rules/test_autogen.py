"""MC016 autogen: golden before/after cases, cases that must be left alone, review reasons, real objects."""

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
        import os
        import autogen

        config_list = [
            {"model": "gpt-4", "api_key": os.environ["OPENAI_API_KEY"]},  # primary"""
        '\n            {"model": "gpt-35-turbo", "api_type": "azure", "base_url": '
        '"https://res.openai.azure.com", "api_key": os.environ["AZURE_KEY"]},\n'
        """\
        ]
        assistant = autogen.AssistantAgent("assistant", llm_config={"config_list": config_list, "temperature": 0})
        critic = autogen.AssistantAgent("critic", llm_config={"config_list": config_list})
        """,
        """\
        import os
        import autogen

        config_list = ["""
        '\n            {"model": "gpt-4", "api_key": os.environ["MIRA_API_KEY"], "base_url": '
        '"https://api.vmira.ai/v1"},  # primary\n'
        '            {"model": "gpt-35-turbo", "api_type": "azure", "base_url": '
        '"https://res.openai.azure.com", "api_key": os.environ["AZURE_KEY"]},\n'
        """\
        ]
        assistant = autogen.AssistantAgent("assistant", llm_config={"config_list": config_list, "temperature": 0})
        critic = autogen.AssistantAgent("critic", llm_config={"config_list": config_list})
        """,
        id="named-list-shared-by-agents-azure-entry-kept",
    ),
    pytest.param(
        f"""\
        from autogen import ConversableAgent

        agent = ConversableAgent(
            "helper",
            llm_config={{
                "config_list": [
                    {{
                        "model": "gpt-4o-mini",
                        "api_key": "{KEY}",
                        "api_base": "https://api.openai.com/v1",
                    }},
                ],
            }},
        )
        """,
        """\
        import os
        from autogen import ConversableAgent

        agent = ConversableAgent(
            "helper",
            llm_config={
                "config_list": [
                    {
                        "model": "gpt-4o-mini",
                        "api_key": os.environ["MIRA_API_KEY"],
                        "api_base": "https://api.vmira.ai/v1",
                    },
                ],
            },
        )
        """,
        id="inline-multiline-api-base-hard-coded-key",
    ),
    pytest.param(
        """\
        from autogen import AssistantAgent, LLMConfig

        flat = AssistantAgent("a", llm_config={"model": "gpt-4o", "api_type": "openai"})
        typed = LLMConfig(config_list=[{"model": "gpt-4o", "api_type": "openai"}])
        keywords = LLMConfig(api_type="openai", model="gpt-4o-mini")
        """,
        """\
        import os
        from autogen import AssistantAgent, LLMConfig"""
        '\n\n        flat = AssistantAgent("a", llm_config={"model": "gpt-4o", "api_type": '
        '"openai", "api_key": os.environ["MIRA_API_KEY"], "base_url": '
        '"https://api.vmira.ai/v1"})\n'
        '        typed = LLMConfig(config_list=[{"model": "gpt-4o", "api_type": "openai", '
        '"api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}])\n'
        """\
        keywords = LLMConfig(api_type="openai", model="gpt-4o-mini", api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="ag2-flat-llm-config-and-llmconfig-forms",
    ),
    pytest.param(
        """\
        import os

        # config.py: imported by the module that builds the agents
        CONFIG_LIST = [{"model": "gpt-4", "api_key": os.getenv("OPENAI_API_KEY")}]
        """,
        """\
        import os

        # config.py: imported by the module that builds the agents
        CONFIG_LIST = [{"model": "gpt-4", "api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}]
        """,
        id="config-module-without-autogen-import",
    ),
    pytest.param(
        """\
        from autogen_ext.models.openai import OpenAIChatCompletionClient

        model_client = OpenAIChatCompletionClient(model="gpt-4o", model_info=INFO)
        """,
        """\
        import os
        from autogen_ext.models.openai import OpenAIChatCompletionClient

        model_client = OpenAIChatCompletionClient(model="gpt-4o", model_info=INFO, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="autogen-0.4-client",
    ),
    pytest.param(
        """\
        import os
        from ag2.config import OpenAIConfig

        config = OpenAIConfig("gpt-4o-mini", api_key=os.environ["OPENAI_API_KEY"], streaming=True)
        """,
        """\
        import os
        from ag2.config import OpenAIConfig

        config = OpenAIConfig("gpt-4o-mini", api_key=os.environ["MIRA_API_KEY"], streaming=True, base_url="https://api.vmira.ai/v1")
        """,
        id="ag2-1.x-openai-config",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        import autogen

        config_list = [{"model": "gpt-4", "api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}]
        agent = autogen.AssistantAgent("a", llm_config={"config_list": config_list})
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        import autogen

        config_list = [
            {"model": "llama3", "base_url": "http://localhost:11434/v1", "api_key": "ollama"},
            {"model": "claude-3-5-sonnet", "api_type": "anthropic", "api_key": KEY},
            {"model": "gpt-4", "api_type": "azure", "api_version": "2024-02-01", "base_url": AZURE, "api_key": KEY},
        ]
        agent = autogen.AssistantAgent("a", llm_config={"config_list": config_list})
        """,
        id="local-anthropic-and-azure-entries",
    ),
    pytest.param(
        """\
        import autogen

        config_list = autogen.config_list_from_json("OAI_CONFIG_LIST", filter_dict={"model": ["gpt-4"]})
        agent = autogen.AssistantAgent("a", llm_config={"config_list": config_list})
        """,
        id="config-from-json-reviewed",
    ),
    pytest.param(
        """\
        payload = {"model": "gpt-4o", "messages": []}
        requests_list = [{"model": "gpt-4o", "prompt": "hi"}]
        config_list = [{"model": "gpt-4o"}]
        """,
        id="model-dicts-that-are-not-client-configs",
    ),
    pytest.param(
        """\
        from autogen_ext.models.openai import OpenAIChatCompletionClient, AzureOpenAIChatCompletionClient

        gemini = OpenAIChatCompletionClient(model="gemini-1.5-flash")"""
        '\n        local = OpenAIChatCompletionClient(model="llama3", '
        'base_url="http://localhost:11434/v1", api_key="x", model_info=INFO)\n'
        '        azure = AzureOpenAIChatCompletionClient(azure_deployment="d", model="gpt-4o", '
        'api_version="2024-06-01", azure_endpoint=URL)\n'
        """\
        """,
        id="autogen-0.4-other-vendors",
    ),
    pytest.param(
        """\
        from autogen import AssistantAgent
        from settings import config_list

        agent = AssistantAgent("a", llm_config={"config_list": config_list})
        """,
        id="list-imported-from-another-module",
    ),
    pytest.param(
        """\
        class OpenAIChatCompletionClient:
            def __init__(self, **kwargs):
                self.kwargs = kwargs

        client = OpenAIChatCompletionClient(model="gpt-4o")
        """,
        id="local-lookalike-class",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str, request: pytest.FixtureRequest) -> None:
    result = check_noop(code)
    if request.node.callspec.id.endswith("-reviewed"):  # left alone, and said so
        assert result.review, "a case named '...-reviewed' must list a review item"


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        ('import autogen\nc = autogen.config_list_from_json("OAI_CONFIG_LIST")\n', "OAI_CONFIG_LIST file or env var"),
        (
            "from autogen import AssistantAgent\n"
            'a = AssistantAgent("a", llm_config={"config_list": [{"model": "llama3", "base_url": '
            '"http://localhost:8000/v1"}]})\n',
            "http://localhost:8000/v1",
        ),
        (
            "from autogen import OpenAIWrapper\ndef f(entries):\n    return OpenAIWrapper(config_list=entries)\n",
            "config_list=entries cannot be followed",
        ),
        (
            "import autogen\n"
            'c = [{"model": "gpt-4", "api_type": kind, "api_key": k}]\n'
            'a = autogen.AssistantAgent("a", llm_config={"config_list": c})\n',
            "api_type=kind",
        ),
        (
            "from autogen_core.models import ChatCompletionClient\n"
            'config = {"provider": "openai_chat_completion_client", "config": {"model": "gpt-4o"}}\n'
            "client = ChatCompletionClient.load_component(config)\n",
            "ChatCompletionClient.load_component(...) builds a model client from a component config: where it names an"
            ' OpenAI client, set "base_url": "https://api.vmira.ai/v1" and the $MIRA_API_KEY key '
            'as "api_key" in its "config"',
        ),
        (
            "import yaml\nfrom autogen_core.models import ChatCompletionClient\n"
            "with open('model_config.yaml') as f:\n"
            "    client = ChatCompletionClient.load_component(yaml.safe_load(f))\n",
            "builds a model client from a component config",
        ),
    ],
)
def test_sites_not_rewritten_are_listed_for_review(code: str, reason_part: str) -> None:
    result = rewrite(code)
    assert not result.changed
    reviews = [r for r in result.review if r.rule == "MC016"]
    assert len(reviews) == 1 and reason_part in reviews[0].reason


def test_moved_0_4_client_without_model_info_is_reviewed() -> None:
    result = rewrite(
        "from autogen_ext.models.openai import OpenAIChatCompletionClient\n"
        'c = OpenAIChatCompletionClient(model="gpt-4o")\n'
    )
    assert result.changed
    assert any("model_info" in r.reason for r in result.review if r.rule == "MC016")


def test_hard_coded_key_in_an_entry_is_a_security_finding() -> None:
    result = rewrite(f'import autogen\nconfig_list = [{{"model": "gpt-4", "api_key": "{KEY}"}}]\n')
    assert [f.rule for f in result.security] == ["MC016"]
    assert KEY in result.secrets and KEY not in result.code


# -- the rewritten code, run for real against a local OpenAI-compatible server -------------------


@pytest.mark.skipif(importlib.util.find_spec("autogen_ext") is None, reason="autogen-ext[openai] is not installed")
def test_rewritten_0_4_client_talks_to_the_target(tmp_path: Path, target) -> None:
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        from autogen_ext.models.openai import OpenAIChatCompletionClient

        model_client = OpenAIChatCompletionClient(model="gpt-4o")
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import asyncio, json
        from autogen_core.models import UserMessage
        import app

        result = asyncio.run(app.model_client.create([UserMessage(content="hi", source="user")]))
        print(json.dumps([result.content, str(app.model_client._client.base_url)]))
        """,
    )
    assert facts == [target.reply, target.base_url + "/"]
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")]


@pytest.mark.skipif(importlib.util.find_spec("ag2") is None, reason="ag2 is not installed")
def test_rewritten_ag2_config_builds_a_client_for_the_target(tmp_path: Path, target) -> None:
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for('from ag2.config import OpenAIConfig\nconfig = OpenAIConfig("gpt-4o-mini")\n', target.base_url)
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app

        client = app.config.create()._client  # the AsyncOpenAI client AG2 sends requests with
        print(json.dumps([str(client.base_url), client.api_key]))
        """,
    )
    assert facts == [target.base_url + "/", TARGET_KEY]


def test_rewritten_config_entry_builds_a_client_for_the_target_the_way_autogen_does(tmp_path: Path, target) -> None:
    """autogen 0.2 / AG2 0.x pin openai<3, which this project cannot install next to openai 3; the
    entry is fed to the SDK exactly as autogen/oai/client.py does: `OpenAI(**{k: v for k in entry if k
    is an OpenAI.__init__ keyword})`, then a real request is made."""
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        import os
        import autogen

        config_list = [{"model": "gpt-4", "api_key": os.environ["OPENAI_API_KEY"]}]
        """,
        target.base_url,
    )
    app = app.replace("import autogen\n", "")  # the classic package is not installable here; the entry is plain data
    facts = run_probe(
        tmp_path,
        app,
        """\
        import inspect, json
        from openai import OpenAI
        import app

        entry = app.config_list[0]
        accepted = set(inspect.getfullargspec(OpenAI.__init__).kwonlyargs)
        client = OpenAI(**{k: v for k, v in entry.items() if k in accepted})
        answer = client.chat.completions.create(model=entry["model"], messages=[{"role": "user", "content": "hi"}])
        print(json.dumps([str(client.base_url), answer.choices[0].message.content]))
        """,
    )
    assert facts == [target.base_url + "/", target.reply]
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")]


def test_agents_on_openai_only_apis_are_reviewed() -> None:
    result = rewrite(
        dedent(
            """\
            from openai import AsyncOpenAI
            from autogen_ext.agents.openai import OpenAIAgent, OpenAIAssistantAgent
            from autogen.agentchat.contrib.gpt_assistant_agent import GPTAssistantAgent

            agent = OpenAIAgent(name="a", description="d", client=AsyncOpenAI(), model="gpt-4o", instructions="x")"""
            '\n            assistant = OpenAIAssistantAgent(name="b", description="d", '
            'client=AsyncOpenAI(), model="gpt-4o", instructions="y")\n'
            """\
            legacy = GPTAssistantAgent(name="c", llm_config={"config_list": config_list})
            """
        )
    )
    reviews = [(r.line, r.reason) for r in result.review if r.rule == "MC016" and " API, which " in r.reason]
    assert [line for line, _ in reviews] == [5, 6, 7]
    assert reviews[0][1].startswith("OpenAIAgent calls OpenAI's Responses API")
    assert reviews[1][1].startswith("OpenAIAssistantAgent uses OpenAI's Assistants API")
    assert reviews[2][1].startswith("GPTAssistantAgent uses OpenAI's Assistants API")


def test_responses_agent_on_a_client_that_does_not_move_is_not_reviewed() -> None:
    code = (
        "from openai import AsyncOpenAI\nfrom autogen_ext.agents.openai import OpenAIAgent\n"
        'agent = OpenAIAgent(name="a", description="d", client=AsyncOpenAI(base_url="http://localhost:8000/v1"),'
        ' model="m", instructions="x")\n'
        "def build(client):\n"
        "    return OpenAIAgent(name='b', description='d', client=client, model='m', "
        "instructions='y')\n"
    )
    assert not [r for r in rewrite(code).review if r.rule == "MC016"]


def test_a_component_config_naming_another_provider_is_not_reviewed() -> None:
    code = (
        "from autogen_core.models import ChatCompletionClient\n"
        'client = ChatCompletionClient.load_component({"provider": '
        '"autogen_ext.models.anthropic.AnthropicChatCompletionClient", "config": {}})\n'
    )
    assert check_noop(code).review == ()
