"""MC011 llamaindex: golden before/after cases, cases that must be left alone, and review reasons.

No test imports the rewritten code with LlamaIndex itself: llama-index-llms-openai pins `openai<3`
(the project runs on openai 3) and pulls llama-index-core with nltk, numpy and SQLAlchemy (~290 MB
in a fresh venv). What the review items claim about the classes was checked against
llama-index-llms-openai 0.8.3 / llama-index-llms-openai-like 0.8.1 (see the rule's docstring).
"""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        from llama_index.llms.openai_like import OpenAILike

        llm = OpenAILike(model="mira", is_chat_model=True)
        """,
        """\
        import os
        from llama_index.llms.openai_like import OpenAILike

        llm = OpenAILike(model="mira", is_chat_model=True, api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="openai-like-no-url-no-key",
    ),
    pytest.param(
        """\
        import os
        from llama_index.core import Settings
        from llama_index.llms.openai import OpenAI

        Settings.llm = OpenAI(
            "gpt-4o-mini",  # positional model id
            api_key=os.environ["OPENAI_API_KEY"],
            api_base=os.getenv("OPENAI_API_BASE", "https://api.openai.com/v1"),
        )
        """,
        """\
        import os
        from llama_index.core import Settings
        from llama_index.llms.openai import OpenAI

        Settings.llm = OpenAI(
            "gpt-4o-mini",  # positional model id
            api_key=os.environ["MIRA_API_KEY"],
            api_base="https://api.vmira.ai/v1",
        )
        """,
        id="openai-llm-positional-model-env-reads",
    ),
    pytest.param(
        """\
        from llama_index.embeddings.openai import OpenAIEmbedding as Embedding

        embed_model = Embedding(model="text-embedding-3-small", api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0")
        """,
        """\
        import os
        from llama_index.embeddings.openai import OpenAIEmbedding as Embedding

        embed_model = Embedding(model="text-embedding-3-small", api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="embedding-alias-hard-coded-key",
    ),
    pytest.param(
        """\
        from llama_index.llms import OpenAI
        from llama_index.embeddings import OpenAIEmbedding

        llm = OpenAI(temperature=0)
        embed_model = OpenAIEmbedding()
        """,
        """\
        import os
        from llama_index.llms import OpenAI
        from llama_index.embeddings import OpenAIEmbedding

        llm = OpenAI(temperature=0, api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        embed_model = OpenAIEmbedding(api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="legacy-0.9-paths",
    ),
    pytest.param(
        """\
        import sys
        if sys.argv:
            from llama_index.llms.openai_like import OpenAILike
        else:
            from llama_index.legacy.llms.openai_like import OpenAILike

        llm = OpenAILike(model="mira")
        """,
        """\
        import os
        import sys
        if sys.argv:
            from llama_index.llms.openai_like import OpenAILike
        else:
            from llama_index.legacy.llms.openai_like import OpenAILike

        llm = OpenAILike(model="mira", api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="one-class-two-import-paths",
    ),
    pytest.param(
        """\
        import llama_index.llms.openai_like.base as like

        def make():
            return like.OpenAILike(model="mira", api_base=None)
        """,
        """\
        import llama_index.llms.openai_like.base as like
        import os

        def make():
            return like.OpenAILike(model="mira", api_base="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="base-module-attribute-form",
    ),
]


MULTI_MODAL = [
    pytest.param(
        """\
        import os
        from llama_index.multi_modal_llms.openai import OpenAIMultiModal

        mm = OpenAIMultiModal(model="gpt-4o", max_new_tokens=300, api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        from llama_index.multi_modal_llms.openai import OpenAIMultiModal

        mm = OpenAIMultiModal(model="gpt-4o", max_new_tokens=300, api_key=os.environ["MIRA_API_KEY"], api_base="https://api.vmira.ai/v1")
        """,
        id="multi-modal",
    ),
    pytest.param(
        """\
        from llama_index.multi_modal_llms import OpenAIMultiModal

        mm = OpenAIMultiModal(model="gpt-4-vision-preview", api_base="https://api.openai.com/v1")
        """,
        """\
        import os
        from llama_index.multi_modal_llms import OpenAIMultiModal"""
        '\n\n        mm = OpenAIMultiModal(model="gpt-4-vision-preview", '
        'api_base="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])\n'
        """\
        """,
        id="multi-modal-0.9-export-openai-url",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES + MULTI_MODAL)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        from llama_index.llms.openai_like import OpenAILike

        llm = OpenAILike(model="mira", api_base="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        from llama_index.llms.openai_like import OpenAILike

        llm = OpenAILike(model="llama3", api_base="http://localhost:11434/v1", api_key="ollama")
        """,
        id="local-server",
    ),
    pytest.param(
        """\
        from llama_index.llms.openai import OpenAI


        def make(client):
            return OpenAI(model="gpt-4o", openai_client=client)
        """,
        id="openai-client-given-is-mc001s",
    ),
    pytest.param(
        """\
        from llama_index.llms.openai import OpenAI

        llm = OpenAI("gpt-4o", 0.1, 256, {}, 3, 60.0, True, "sk-positional")
        """,
        id="key-may-be-positional",
    ),
    pytest.param(
        """\
        from llama_index.llms.openai import OpenAIResponses
        from llama_index.llms.azure_openai import AzureOpenAI

        responses = OpenAIResponses(model="gpt-4o")
        azure = AzureOpenAI(engine="my-deployment", model="gpt-4o")
        """,
        id="responses-and-azure-reviewed-only",
    ),
    pytest.param(
        """\
        from llama_index.llms.ollama import Ollama
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from phi.llm.openai.like import OpenAILike

        llm = Ollama(model="llama3")
        embed = HuggingFaceEmbedding(model_name="BAAI/bge-small-en")
        phi = OpenAILike(base_url="http://localhost:1234/v1")
        """,
        id="other-integrations-and-lookalikes",
    ),
    pytest.param(
        """\
        from llama_index.llms.openai import OpenAI

        def build(OpenAI):
            return OpenAI(model="gpt-4o")
        """,
        id="parameter-shadows-import",
    ),
    pytest.param(
        """\
        from llama_index.llms.openai import OpenAI

        def f(settings):
            return OpenAI(model="gpt-4o", api_base=settings.url)
        """,
        id="url-from-settings",
    ),
]


NO_URL_CLASSES = [
    pytest.param(
        """\
        from llama_index.agent.openai import OpenAIAgent, OpenAIAgentWorker
        from llama_index.program.openai import OpenAIPydanticProgram

        agent = OpenAIAgent.from_tools(tools, verbose=True)
        worker = OpenAIAgentWorker.from_tools(tools)
        program = OpenAIPydanticProgram.from_defaults(output_cls=Album, prompt_template_str="...")
        """,
        id="factories-on-settings-llm-reviewed-only",
    ),
    pytest.param(
        """\
        import os
        from llama_index.agent.openai import OpenAIAgent
        from llama_index.core import Settings
        from llama_index.llms.openai_like import OpenAILike

        Settings.llm = OpenAILike(model="mira", api_base="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        agent = OpenAIAgent.from_tools(tools)
        """,
        id="settings-llm-set-in-the-file",
    ),
    pytest.param(
        """\
        from llama_index.agent.openai import OpenAIAgent

        agent = OpenAIAgent.from_tools(tools, llm=llm)
        """,
        id="factory-given-an-llm",
    ),
    pytest.param(
        """\
        from llama_index.agent.openai import OpenAIAssistantAgent"""
        '\n\n        agent = OpenAIAssistantAgent.from_new(name="Math Tutor", instructions="...", '
        'openai_tools=[{"type": "code_interpreter"}])\n'
        """\
        """,
        id="assistant-agent-reviewed-only",
    ),
    pytest.param(
        """\
        from my_app.agents import OpenAIAgent

        agent = OpenAIAgent.from_tools(tools)
        """,
        id="agent-lookalike",
    ),
]


@pytest.mark.parametrize("code", NOOPS + NO_URL_CLASSES)
def test_noops(code: str) -> None:
    check_noop(code)


def _mc011_reasons(code: str) -> list[str]:
    return [item.reason for item in rewrite(code).review if item.rule == "MC011"]


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        pytest.param(
            "from llama_index.llms.openai import OpenAI\nllm = OpenAI(model='gpt-4o')\n",
            "use OpenAILike(model=..., api_base=..., api_key=..., is_chat_model=True",
            id="openai-llm-refuses-other-model-ids",
        ),
        pytest.param(
            "from llama_index.embeddings.openai import OpenAIEmbedding\ne = OpenAIEmbedding()\n",
            "OpenAILikeEmbedding",
            id="openai-embedding-refuses-other-model-ids",
        ),
        pytest.param(
            "from llama_index.llms.openai import OpenAIResponses\nllm = OpenAIResponses(model='gpt-4o')\n",
            "Responses API",
            id="responses",
        ),
        pytest.param(
            "from llama_index.llms.azure_openai import AzureOpenAI\nllm = AzureOpenAI(engine='x')\n",
            "Azure OpenAI",
            id="azure",
        ),
        pytest.param(
            "from llama_index.llms.openai import OpenAI\nllm = OpenAI('gpt-4o', 0.1, 256, {}, 3, 60.0, True, 'key')\n",
            "8 positional arguments",
            id="positional-key",
        ),
        pytest.param(
            "from llama_index.llms.openai_like import OpenAILike\nllm = OpenAILike(api_base='http://localhost:8080/v1')\n",
            "http://localhost:8080/v1",
            id="foreign-url",
        ),
        pytest.param(
            "from llama_index.multi_modal_llms.openai import OpenAIMultiModal\nmm = OpenAIMultiModal(model='gpt-4o')\n",
            "use OpenAILikeMultiModal",
            id="multi-modal-refuses-other-model-ids",
        ),
        pytest.param(
            "from llama_index.agent.openai import OpenAIAgent\nagent = OpenAIAgent.from_tools(tools)\n",
            "OpenAIAgent.from_tools(...) without llm= uses Settings.llm, which LlamaIndex builds "
            "as OpenAI() from OPENAI_API_KEY / OPENAI_API_BASE unless the app sets it, so it still "
            'talks to OpenAI: pass llm=OpenAILike(model=..., api_base="https://api.vmira.ai/v1", '
            'api_key=os.environ["MIRA_API_KEY"], is_chat_model=True, '
            "is_function_calling_model=True)",
            id="agent-on-settings-llm",
        ),
        pytest.param(
            "from llama_index.program.openai import OpenAIPydanticProgram as P\n"
            "p = P.from_defaults(output_cls=A, prompt_template_str='x')\n",
            "OpenAIPydanticProgram.from_defaults(...) without llm= uses Settings.llm",
            id="program-on-settings-llm",
        ),
        pytest.param(
            "from llama_index.agent.openai import OpenAIAssistantAgent\n"
            "a = OpenAIAssistantAgent.from_existing('asst_1')\n",
            "OpenAIAssistantAgent uses OpenAI's Assistants API",
            id="assistant-agent",
        ),
        pytest.param(
            "from llama_index.core.embeddings import resolve_embed_model\nembed = resolve_embed_model('default')\n",
            'resolve_embed_model("default") builds OpenAIEmbedding() from $OPENAI_API_KEY, which stays on OpenAI: pass'
            ' OpenAIEmbedding(model=..., api_base="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])',
            id="resolve-embed-model-default",
        ),
        pytest.param(
            "from llama_index.embeddings.utils import resolve_embed_model\n"
            "embed = resolve_embed_model(embed_model='default')\n",
            'resolve_embed_model("default") builds OpenAIEmbedding()',
            id="resolve-embed-model-legacy-keyword",
        ),
        pytest.param(
            "from llama_index.embeddings.utils import resolve_embed_model\n"
            "embed = resolve_embed_model(params.embed_model)\n",
            "resolve_embed_model(params.embed_model) builds OpenAIEmbedding() from $OPENAI_API_KEY "
            'when given "default"',
            id="resolve-embed-model-from-settings",
        ),
    ],
)
def test_review_reasons(code: str, reason_part: str) -> None:
    reasons = _mc011_reasons(code)
    assert len(reasons) == 1, reasons
    assert reason_part in reasons[0]


def test_model_advice_follows_a_class_imported_by_two_paths() -> None:
    code = (
        "import sys\n"
        "if sys.argv:\n"
        "    from llama_index.llms.openai import OpenAI\n"
        "else:\n"
        "    from llama_index.llms import OpenAI\n"
        "llm = OpenAI(model='gpt-4o')\n"
    )
    reasons = _mc011_reasons(code)
    assert len(reasons) == 1 and "use OpenAILike" in reasons[0]


def test_openai_like_that_moves_needs_no_model_advice() -> None:
    assert _mc011_reasons("from llama_index.llms.openai_like import OpenAILike\nllm = OpenAILike(model='mira')\n") == []


def test_model_advice_is_only_for_constructions_that_move() -> None:
    assert (
        _mc011_reasons("from llama_index.llms.openai import OpenAI\nllm = OpenAI(model='gpt-4o', openai_client=c)\n")
        == []
    )
    local = _mc011_reasons(
        "from llama_index.llms.openai import OpenAI\nllm = OpenAI(api_base='http://localhost:8000/v1')\n"
    )
    assert len(local) == 1 and "localhost" in local[0]


def test_readme_example_is_the_tools_output() -> None:
    from helpers.fake_target import readme_example

    before, after = readme_example("MC011")
    check_rewrite(before, after)


@pytest.mark.parametrize(
    "code",
    [
        "from llama_index.agent.openai import OpenAIAgent\nagent = OpenAIAgent.from_tools(tools, llm=llm)\n",
        "from llama_index.agent.openai import OpenAIAgent\nagent = OpenAIAgent.from_tools(tools, **options)\n",
        "from llama_index.core import Settings\nfrom llama_index.agent.openai import OpenAIAgent\n"
        "Settings.llm = llm\nagent = OpenAIAgent.from_tools(tools)\n",
        "import llama_index.core\nfrom llama_index.agent.openai import OpenAIAgent\n"
        "llama_index.core.Settings.llm = llm\nagent = OpenAIAgent.from_tools(tools)\n",
    ],
)
def test_agents_given_an_llm_here_are_not_reviewed(code: str) -> None:
    assert _mc011_reasons(code) == []


@pytest.mark.parametrize("argument", ["'local:BAAI/bge-small-en'", "None", "embed_model=None"])
def test_resolve_embed_model_of_a_local_model_or_none_is_not_reviewed(argument: str) -> None:
    code = f"from llama_index.core.embeddings import resolve_embed_model\nembed = resolve_embed_model({argument})\n"
    assert _mc011_reasons(code) == []
