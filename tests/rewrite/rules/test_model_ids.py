"""MC004 model-ids: golden before/after cases with a model map, cases that must be left alone, review reasons."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from helpers.recording_server import recording_server
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite
from typer.testing import Result

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.analysis.model_ids import is_openai_model_id, map_model_id, split_model_id
from migrate_cli.rewrite.model import RewriteSettings
from migrate_cli.rewrite.registry import RULES_BY_CODE

MAP = {"gpt-4o": "mira", "gpt-4o-mini": "mira-mini", "text-embedding-3-small": "mira-embed"}
MAPPED = RewriteSettings(resolve_target(model_map=MAP))
HEADER = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")\n'

REWRITES = [
    pytest.param(
        HEADER + 'reply = client.chat.completions.create(model="gpt-4o", messages=[])\n',
        HEADER + 'reply = client.chat.completions.create(model="mira", messages=[])\n',
        id="client-call-literal",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        MODEL = 'gpt-4o-mini'  # cheap and fast
        client = OpenAI()
        a = client.chat.completions.create(model=MODEL, messages=[])
        b = client.chat.completions.create(model=MODEL, messages=[])
        """,
        """\
        import os
        from openai import OpenAI

        MODEL = 'mira-mini'  # cheap and fast
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        a = client.chat.completions.create(model=MODEL, messages=[])
        b = client.chat.completions.create(model=MODEL, messages=[])
        """,
        id="module-constant-single-quotes-comment",
    ),
    pytest.param(
        HEADER + 'reply = client.responses.create(model=os.getenv("CHAT_MODEL", "gpt-4o"), input="hi")\n',
        HEADER + 'reply = client.responses.create(model=os.getenv("CHAT_MODEL", "mira"), input="hi")\n',
        id="env-read-default",
    ),
    pytest.param(
        HEADER
        + "\n\nasync def embed(texts, model='text-embedding-3-small', *, dims=256):\n"
        + "    return await client.embeddings.create(model=model, input=texts, dimensions=dims)\n",
        HEADER
        + "\n\nasync def embed(texts, model='mira-embed', *, dims=256):\n"
        + "    return await client.embeddings.create(model=model, input=texts, dimensions=dims)\n",
        id="parameter-default",
    ),
    pytest.param(
        """\
        import openai as oa


        class Summarizer:
            def __init__(self, client=None):
                self.client = client or oa.AsyncOpenAI()

            async def run(self, text):
                return await self.client.chat.completions.create(
                    model="gpt-4o-mini",  # the default tier
                    messages=[{"role": "user", "content": text}],
                )
        """,
        """\
        import openai as oa
        import os


        class Summarizer:
            def __init__(self, client=None):
                self.client = client or oa.AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")

            async def run(self, text):
                return await self.client.chat.completions.create(
                    model="mira-mini",  # the default tier
                    messages=[{"role": "user", "content": text}],
                )
        """,
        id="self-attribute-injected-or-default",
    ),
    pytest.param(
        "from openai import OpenAI\n"
        'reply = OpenAI().beta.chat.completions.parse(model="gpt-4o", messages=[], '
        "response_format=Answer)\n",
        "import os\n"
        "from openai import OpenAI\n"
        'reply = OpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1").beta.chat.completions.parse(model="mira", '
        "messages=[], response_format=Answer)\n",
        id="chained-construction-beta-parse",
    ),
    pytest.param(
        "import os\n"
        "import openai\n"
        'openai.base_url = "https://api.vmira.ai/v1"\n'
        'openai.api_key = os.environ["MIRA_API_KEY"]\n'
        'r = openai.chat.completions.with_raw_response.create(model="gpt-4o", messages=[])\n',
        "import os\n"
        "import openai\n"
        'openai.base_url = "https://api.vmira.ai/v1"\n'
        'openai.api_key = os.environ["MIRA_API_KEY"]\n'
        'r = openai.chat.completions.with_raw_response.create(model="mira", messages=[])\n',
        id="module-client-raw-response",
    ),
    pytest.param(
        HEADER + 'fast = client.with_options(timeout=5)\nr = fast.completions.create(model="gpt-4o", prompt="x")\n',
        HEADER + 'fast = client.with_options(timeout=5)\nr = fast.completions.create(model="mira", prompt="x")\n',
        id="with-options-copy",
    ),
    pytest.param(
        HEADER + "import instructor\n"
        "patched = instructor.from_openai(client)\n"
        'r = patched.chat.completions.create(model="gpt-4o", response_model=User, '
        "messages=[])\n",
        HEADER + "import instructor\n"
        "patched = instructor.from_openai(client)\n"
        'r = patched.chat.completions.create(model="mira", response_model=User, messages=[])\n',
        id="instructor-wrapper",
    ),
    pytest.param(
        "from langchain_openai import ChatOpenAI, OpenAIEmbeddings\n"
        'llm = ChatOpenAI(model_name="gpt-4o", base_url="https://api.vmira.ai/v1", api_key=key)\n'
        'emb = OpenAIEmbeddings(model="text-embedding-3-small", '
        'base_url="https://api.vmira.ai/v1", api_key=key, check_embedding_ctx_length=False)\n',
        "from langchain_openai import ChatOpenAI, OpenAIEmbeddings\n"
        'llm = ChatOpenAI(model_name="mira", base_url="https://api.vmira.ai/v1", api_key=key)\n'
        'emb = OpenAIEmbeddings(model="mira-embed", base_url="https://api.vmira.ai/v1", '
        "api_key=key, check_embedding_ctx_length=False)\n",
        id="langchain-model-name-and-model",
    ),
    pytest.param(
        "import litellm\n"
        'r = litellm.completion(model="openai/gpt-4o", api_base="https://api.vmira.ai/v1", '
        "api_key=key, messages=[])\n",
        "import litellm\n"
        'r = litellm.completion(model="openai/mira", api_base="https://api.vmira.ai/v1", '
        "api_key=key, messages=[])\n",
        id="litellm-prefix-kept",
    ),
    pytest.param(
        'from pydantic_ai import Agent\nagent = Agent("openai:gpt-4o", system_prompt="Be brief.")\n',
        'from pydantic_ai import Agent\nagent = Agent("openai:mira", system_prompt="Be brief.")\n',
        id="pydantic-ai-colon-prefix",
    ),
    pytest.param(
        'import os\nconfig_list = [\n    {"model": "gpt-4o", "api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"},\n]\n',
        'import os\nconfig_list = [\n    {"model": "mira", "api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"},\n]\n',
        id="autogen-config-list",
    ),
    pytest.param(
        """\
        from agents import Agent, set_default_openai_client
        from openai import AsyncOpenAI

        set_default_openai_client(AsyncOpenAI(), use_for_tracing=False)
        agent = Agent(name="a", instructions="Be brief.", model="gpt-4o")
        """,
        """\
        import os
        from agents import Agent, set_default_openai_client
        from openai import AsyncOpenAI"""
        '\n\n        set_default_openai_client(AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1"), use_for_tracing=False)\n'
        """\
        agent = Agent(name="a", instructions="Be brief.", model="mira")
        """,
        id="agents-default-client-handed-the-target",
    ),
    pytest.param(
        """\
        from openai import AsyncOpenAI
        from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

        chat = OpenAIChatCompletion(ai_model_id="gpt-4o", async_client=AsyncOpenAI())
        """,
        """\
        import os
        from openai import AsyncOpenAI
        from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

        chat = OpenAIChatCompletion(ai_model_id="mira", async_client=AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))
        """,
        id="semantic-kernel-on-a-moved-client",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after, MAPPED)


NOOPS = [
    pytest.param(HEADER + 'r = client.chat.completions.create(model="mira", messages=[])\n', id="already-mapped"),
    pytest.param(
        HEADER + "\n\ndef ask(client, q):\n    return client.chat.completions.create(model='gpt-4o', messages=[q])\n",
        id="parameter-receiver-not-provably-a-client",
    ),
    pytest.param(
        'from openai import OpenAI\nlocal = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")\n'
        'r = local.chat.completions.create(model="gpt-4o", messages=[])\n',
        id="client-on-a-local-server",
    ),
    pytest.param(
        'import anthropic\nc = anthropic.Anthropic()\nr = c.messages.create(model="gpt-4o", messages=[])\n',
        id="other-sdk-lookalike-call",
    ),
    pytest.param(
        'import requests\nr = requests.post(URL, json={"model": "gpt-4o", "messages": []})\n',
        id="http-payload-dict",
    ),
    pytest.param(
        'class OpenAI:\n    pass\nc = OpenAI()\nr = c.chat.completions.create(model="gpt-4o")\n',
        id="local-class-named-openai",
    ),
    pytest.param(
        HEADER
        + 'r = client.chat.completions.create(model=f"gpt-{size}", messages=[])\n# model="gpt-4o"\ns = "gpt-4o"\n',
        id="f-string-comment-plain-string",
    ),
    pytest.param(
        HEADER + 'MODEL = "gpt-4o"\n'
        "if fast:\n"
        '    MODEL = "gpt-4o-mini"\n'
        "r = client.chat.completions.create(model=MODEL, messages=[])\n",
        id="constant-bound-twice",
    ),
    pytest.param(
        'import litellm\nr = litellm.completion(model="anthropic/claude-3-5-sonnet", messages=[])\n',
        id="other-provider-prefix",
    ),
    pytest.param(
        'from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", base_url="http://localhost:8000/v1")\n',
        id="framework-on-a-local-server",
    ),
    pytest.param(
        'config_list = [{"model": "gpt-4o", "api_type": "azure", "api_key": KEY, "base_url": AZURE}]\n',
        id="autogen-azure-entry",
    ),
    pytest.param(
        'from openai import OpenAI\nfrom guidance.models import OpenAI as G\nm = G("gpt-4o")\n',
        id="guidance-lookalike",
    ),
    pytest.param(
        HEADER + "r = client.chat.completions.create(model=MODELS[tier], messages=[])\n",
        id="model-from-a-lookup",
    ),
    pytest.param(
        HEADER + 'r = client.chat.completions.create(**{"model": "gpt-4o"}, messages=[])\n',
        id="model-in-a-splat",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code, MAPPED)


def test_identity_and_chained_maps_are_idempotent() -> None:
    settings = RewriteSettings(
        resolve_target(model_map={"gpt-4o": "gpt-4o", "a-model": "b-model", "b-model": "c-model"})
    )
    check_noop(HEADER + 'r = client.chat.completions.create(model="gpt-4o", messages=[])\n', settings)
    result = check_rewrite(
        HEADER + 'x = client.chat.completions.create(model="a-model", messages=[])\n'
        'y = client.chat.completions.create(model="b-model", messages=[])\n',
        HEADER + 'x = client.chat.completions.create(model="b-model", messages=[])\n'
        'y = client.chat.completions.create(model="b-model", messages=[])\n',
        settings,
    )
    assert result.review == ()


def test_unmapped_openai_ids_are_reviewed_with_one_reason_per_id() -> None:
    result = rewrite(
        HEADER
        + 'a = client.chat.completions.create(model="gpt-4.1", messages=[])\n'
        + 'b = client.responses.create(model="gpt-4.1", input="x")\n'
        + 'c = client.embeddings.create(model="custom-embedder", input="x")\n'
        + 'd = client.chat.completions.create(model="o3-mini", messages=[])\n'
    )
    assert not result.changed
    assert [(r.rule, r.line, r.reason) for r in result.review] == [
        ("MC004", 5, "gpt-4.1 is an OpenAI model id: map it with --model-map gpt-4.1=<model>"),
        ("MC004", 6, "gpt-4.1 is an OpenAI model id: map it with --model-map gpt-4.1=<model>"),
        ("MC004", 8, "o3-mini is an OpenAI model id: map it with --model-map o3-mini=<model>"),
    ]


def test_no_review_when_the_target_is_openai_itself() -> None:
    result = rewrite(
        HEADER + 'r = client.chat.completions.create(model="gpt-4o", messages=[])\n',
        RewriteSettings(resolve_target(provider="openai")),
    )
    assert [r for r in result.review if r.rule == "MC004"] == []


def test_bare_id_where_the_library_routes_by_prefix_is_reviewed_not_rewritten() -> None:
    result = rewrite('import dspy\nlm = dspy.LM("gpt-4o")\n', MAPPED)
    assert 'dspy.LM("gpt-4o"' in result.code
    assert not [c for c in result.changes if c.rule == "MC004"]
    (item,) = [r for r in result.review if r.rule == "MC004"]
    assert "write 'openai/mira' to reach the target" in item.reason


def test_bare_litellm_id_is_mapped_bare_because_mc014_pins_the_provider() -> None:
    result = rewrite('import litellm\nr = litellm.completion("gpt-4o", messages=[])\n', MAPPED)
    assert 'litellm.completion("mira", ' in result.code
    assert [c.message for c in result.changes if c.rule == "MC004"] == ["litellm completion: model gpt-4o -> mira"]


def test_framework_note_when_a_mapped_id_needs_more() -> None:
    result = rewrite(
        "from autogen_ext.models.openai import OpenAIChatCompletionClient\n"
        'c = OpenAIChatCompletionClient(model="gpt-4o", base_url="https://api.vmira.ai/v1", api_key=key)\n',
        MAPPED,
    )
    assert 'model="mira"' in result.code
    assert any("model_info" in r.reason for r in result.review if r.rule == "MC004")


def test_string_written_in_pieces_is_reviewed() -> None:
    result = check_noop(HEADER + 'r = client.chat.completions.create(model="gpt-" "4o", messages=[])\n', MAPPED)
    assert any("written in pieces" in r.reason for r in result.review)


def test_change_log_says_old_and_new() -> None:
    result = rewrite(HEADER + 'r = client.chat.completions.create(model="gpt-4o", messages=[])\n', MAPPED)
    assert [(c.rule, c.line, c.message) for c in result.changes] == [
        ("MC004", 5, "chat.completions.create(): model gpt-4o -> mira")
    ]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", True),
        ("gpt-4.1-mini", True),
        ("gpt-5", True),
        ("o1", True),
        ("o3-mini", True),
        ("o4-mini-2025-04-16", True),
        ("chatgpt-4o-latest", True),
        ("text-embedding-3-large", True),
        ("text-embedding-ada-002", True),
        ("dall-e-3", True),
        ("whisper-1", True),
        ("tts-1-hd", True),
        ("ft:gpt-4o-mini:acme::abc123", True),
        ("gpt-oss-120b", False),
        ("mira", False),
        ("llama3", False),
        ("o", False),
        ("omni", False),
        ("claude-3-5-sonnet", False),
    ],
)
def test_openai_model_id_recognition(model: str, expected: bool) -> None:
    assert is_openai_model_id(model) is expected


@pytest.mark.parametrize(
    ("value", "prefix", "outcome", "text"),
    [
        ("openai/gpt-4o", "openai/", "mapped", "openai/mira"),
        ("openai:gpt-4o", "openai:", "mapped", "openai:mira"),
        ("gpt-4o", "", "mapped", "mira"),
        ("mira", "", "target", ""),
        ("gpt-4.1", "", "unmapped", ""),
        ("llama3", "", "other", ""),
    ],
)
def test_map_model_id(value: str, prefix: str, outcome: str, text: str) -> None:
    split = split_model_id(value, prefix)
    assert split is not None
    result = map_model_id(split, MAP)
    assert (result.outcome, result.text) == (outcome, text)


def test_other_provider_prefix_is_not_ours() -> None:
    assert split_model_id("anthropic/claude-3", "openai/") is None


# -- README examples are the tool's exact output ------------------------------------------------

README = Path(__file__).resolve().parents[3] / "README.md"


def _readme_example(code: str) -> tuple[str, str, list[str]]:
    """(before, after, flags) of the first ```python block of a rule's README section."""
    text = README.read_text(encoding="utf-8")
    section = re.search(rf"^### {code} .*?(?=^### |^<!-- rules:end)", text, re.MULTILINE | re.DOTALL)
    assert section, f"README.md has no {code} section"
    block = re.search(r"```python\n(.*?)```", section.group(0), re.DOTALL)
    assert block
    before, after = re.split(r"^# after.*\n", block.group(1), maxsplit=1, flags=re.MULTILINE)
    first, before = before.split("\n", 1)
    flags = re.findall(r"--model-map (\S+?)\)?$", first)
    return before.strip() + "\n", after.strip() + "\n", flags


@pytest.mark.parametrize("code", ["MC003", "MC004", "MC005"])
def test_readme_example_is_the_tools_output(code: str) -> None:
    before, after, flags = _readme_example(code)
    model_map = dict(flag.split("=", 1) for flag in flags)
    assert rewrite(before, RewriteSettings(resolve_target(model_map=model_map))).code == after
    assert dedent(after) == after


# -- rewritten code, running ----------------------------------------------------------------------


def _run(code: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app_module.py").write_text(code, encoding="utf-8")
    full_env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", "import app_module; print(app_module.main())"],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_mapped_models_reach_the_target_from_the_sdk_and_langchain(tmp_path: Path) -> None:
    """The rewritten module sends the mapped ids: SDK client, module constant, LangChain ChatOpenAI."""
    pytest.importorskip("langchain_openai")
    if "MC010" not in RULES_BY_CODE:
        pytest.skip("needs MC010 (langchain) to point ChatOpenAI at the target")
    with recording_server() as (url, requests):
        target = resolve_target(
            base_url=url, api_key_env="LOCAL_LLM_KEY", model_map={"gpt-4o": "local-big", "gpt-4o-mini": "local-small"}
        )
        before = dedent(
            """\
            import os
            from openai import OpenAI
            from langchain_openai import ChatOpenAI

            CHEAP = "gpt-4o-mini"


            def main():
                client = OpenAI()
                first = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "a"}])
                second = client.chat.completions.create(model=CHEAP, messages=[{"role": "user", "content": "b"}])
                llm = ChatOpenAI(model_name="gpt-4o")
                third = llm.invoke("c")
                return first.choices[0].message.content + second.choices[0].message.content + third.content
            """
        )
        result = rewrite(before, RewriteSettings(target))
        # Anything the rewrite missed would fall back to these: a closed local port, never the network.
        fallback = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "unused", "OPENAI_MAX_RETRIES": "0"}
        done = _run(result.code, tmp_path, {"LOCAL_LLM_KEY": "local-test-key", **fallback})
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "pongpongpong"
    assert [r["path"] for r in requests] == ["/v1/chat/completions"] * 3
    assert [r["body"]["model"] for r in requests] == ["local-big", "local-small", "local-big"]
    assert {r["auth"] for r in requests} == {"Bearer local-test-key"}


# -- the --model-map option and [tool.migrate.model_map] --------------------------------------------


def _cli(*args: str) -> Result:
    from typer.testing import CliRunner

    from migrate_cli.cli import app

    return CliRunner().invoke(app, ["rewrite", *args])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the config search stops here
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nclient = OpenAI()\n"
        'a = client.chat.completions.create(model="gpt-4o", messages=[])\n'
        'b = client.chat.completions.create(model="gpt-4o-mini", messages=[])\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_model_map_flags_rewrite_and_config_table_merges_under_them(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.migrate.model_map]\n"gpt-4o" = "from-config"\n"gpt-4o-mini" = "mira-mini"\n', encoding="utf-8"
    )
    result = _cli("app.py", "--model-map", "gpt-4o=mira", "--model-map", " o1 = mira-think ")
    assert result.exit_code == 0, result.output
    code = (project / "app.py").read_text(encoding="utf-8")
    assert 'model="mira", messages' in code  # the flag wins over the table
    assert 'model="mira-mini", messages' in code  # the table fills in the rest
    assert "(3 changes: MC001, MC004 x2)" in result.stderr
    assert "OpenAI model id" not in result.stderr  # nothing left unmapped


def test_unmapped_ids_are_listed_in_the_summary(project: Path) -> None:
    result = _cli("app.py", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "gpt-4o is an OpenAI model id: map it with --model-map gpt-4o=<model>" in result.stderr
    assert "gpt-4o-mini is an OpenAI model id: map it with --model-map gpt-4o-mini=<model>" in result.stderr


@pytest.mark.parametrize("pair", ["gpt-4o", "=mira", "gpt-4o="])
def test_malformed_model_map_is_a_one_line_usage_error(project: Path, pair: str) -> None:
    before = (project / "app.py").read_bytes()
    result = _cli("app.py", "--model-map", pair)
    assert result.exit_code == 2
    assert (
        result.stderr.strip().splitlines()[0] == f"error: --model-map expects OLD=NEW (like gpt-4o=mira), got '{pair}'"
    )
    assert "Traceback" not in result.output
    assert (project / "app.py").read_bytes() == before


STAYING_ON_OPENAI = [
    pytest.param(
        'from agents import Agent, Runner\nagent = Agent(name="a", model="gpt-4o")\nRunner.run_sync(agent, "hi")\n',
        "openai-agents Agent: model 'gpt-4o' left as is: this agent runs on the agents SDK's default OpenAI client"
        " (see MC012): once that client points at the target, map the id with --model-map gpt-4o=<model>",
        id="agents-default-client",
    ),
    pytest.param(
        'from agents import Agent, set_default_openai_key\nset_default_openai_key("sk-placeholder")\n'
        'agent = Agent(name="a", model="gpt-4o")\n',
        "openai-agents Agent: model 'gpt-4o' left as is: this agent runs on the agents SDK's default OpenAI client"
        " (see MC012): once that client points at the target, map the id with --model-map gpt-4o=<model>",
        id="agents-default-key-only",
    ),
    pytest.param(
        "from agents import Agent, set_default_openai_client\nfrom openai import AsyncOpenAI\n"
        'set_default_openai_client(AsyncOpenAI(base_url="http://localhost:8000/v1"))\n'
        'agent = Agent(name="a", model="gpt-4o")\n',
        "openai-agents Agent: model 'gpt-4o' left as is: this agent runs on the agents SDK's default OpenAI client"
        " (see MC012): once that client points at the target, map the id with --model-map gpt-4o=<model>",
        id="agents-default-client-on-a-local-server",
    ),
    pytest.param(
        'import instructor\nclient = instructor.from_provider("openai/gpt-4o", async_client=True)\n',
        "instructor from_provider: model 'openai/gpt-4o' left as is: from_provider builds its own OpenAI client from"
        " $OPENAI_API_KEY: to move it, build the client yourself with instructor.from_openai(OpenAI(base_url="
        '"https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])) and map the id',
        id="instructor-from-provider",
    ),
    pytest.param(
        "from semantic_kernel.connectors.ai.open_ai import OpenAITextEmbedding\n"
        'embed = OpenAITextEmbedding(service_id="e", ai_model_id="text-embedding-3-small")\n',
        "Semantic Kernel OpenAITextEmbedding: model 'text-embedding-3-small' left as is: without async_client= the"
        " connector builds its own OpenAI client from $OPENAI_API_KEY: to move it, pass async_client=AsyncOpenAI("
        'base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"]) and map the id',
        id="semantic-kernel-from-the-environment",
    ),
    pytest.param(
        "import os\nfrom semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion\n"
        'chat = OpenAIChatCompletion(service_id="c", ai_model_id=os.environ["CHAT_MODEL"])\n',
        "Semantic Kernel OpenAIChatCompletion: without async_client= the connector builds its own OpenAI client from"
        ' $OPENAI_API_KEY: to move it, pass async_client=AsyncOpenAI(base_url="https://api.vmira.ai/v1",'
        ' api_key=os.environ["MIRA_API_KEY"]) and map the id',
        id="semantic-kernel-model-from-the-environment",
    ),
]


@pytest.mark.parametrize(("code", "reason"), STAYING_ON_OPENAI)
def test_a_construction_that_stays_on_openai_keeps_its_ids_even_when_mapped_and_says_how_to_move_it(
    code: str, reason: str
) -> None:
    """Mapping these ids would send the target's model names to OpenAI: every call would fail."""
    result = check_noop(code, MAPPED)
    assert reason in [item.reason for item in result.review if item.rule == "MC004"]
