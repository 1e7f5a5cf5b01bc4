"""MC010 langchain: golden before/after cases, cases that must be left alone, and review reasons."""

from __future__ import annotations

from textwrap import dedent

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import might_contain_client
from migrate_cli.rewrite.model import RewriteSettings

REWRITES = [
    pytest.param(
        """\
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(temperature=0)
        """,
        """\
        import os
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(temperature=0, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="chat-no-url-no-key",
    ),
    pytest.param(
        """\
        import os
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(
            openai_api_key=os.getenv("OPENAI_API_KEY"),  # injected by the deploy
            openai_api_base=os.environ["OPENAI_API_BASE"],
            max_retries=2,
        )
        """,
        """\
        import os
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(
            openai_api_key=os.environ["MIRA_API_KEY"],  # injected by the deploy
            openai_api_base="https://api.vmira.ai/v1",
            max_retries=2,
        )
        """,
        id="field-names-env-reads-comment-kept",
    ),
    pytest.param(
        """\
        import os
        import langchain_openai as lco

        llm = lco.OpenAI(base_url="https://api.openai.com/v1", api_key=os.environ.get("OPENAI_API_KEY"))
        """,
        """\
        import os
        import langchain_openai as lco

        llm = lco.OpenAI(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="completion-llm-module-alias-openai-url",
    ),
    pytest.param(
        """\
        from langchain_openai.embeddings import OpenAIEmbeddings

        embeddings = OpenAIEmbeddings(check_embedding_ctx_length=False)
        """,
        """\
        import os
        from langchain_openai.embeddings import OpenAIEmbeddings

        embeddings = OpenAIEmbeddings(check_embedding_ctx_length=False, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="embeddings-submodule",
    ),
    pytest.param(
        """\
        from langchain_openai.chat_models.base import ChatOpenAI as Chat

        def build(temperature):
            return Chat(temperature=temperature, api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0")
        """,
        """\
        import os
        from langchain_openai.chat_models.base import ChatOpenAI as Chat

        def build(temperature):
            return Chat(temperature=temperature, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="deep-submodule-alias-hard-coded-key",
    ),
    pytest.param(
        """\
        from langchain.chat_models import ChatOpenAI
        from langchain.llms import OpenAI
        from langchain.embeddings.openai import OpenAIEmbeddings

        chat = ChatOpenAI(temperature=0)
        llm = OpenAI()
        embeddings = OpenAIEmbeddings(chunk_size=100)
        """,
        """\
        import os
        from langchain.chat_models import ChatOpenAI
        from langchain.llms import OpenAI
        from langchain.embeddings.openai import OpenAIEmbeddings

        chat = ChatOpenAI(temperature=0, openai_api_key=os.environ["MIRA_API_KEY"], openai_api_base="https://api.vmira.ai/v1")
        llm = OpenAI(openai_api_key=os.environ["MIRA_API_KEY"], openai_api_base="https://api.vmira.ai/v1")
        embeddings = OpenAIEmbeddings(chunk_size=100, openai_api_key=os.environ["MIRA_API_KEY"], openai_api_base="https://api.vmira.ai/v1")
        """,
        id="legacy-langchain-paths-get-field-names",
    ),
    pytest.param(
        """\
        import os
        from langchain_community.chat_models import ChatOpenAI

        chat = ChatOpenAI(base_url=None, api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        from langchain_community.chat_models import ChatOpenAI

        chat = ChatOpenAI(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="community-path-aliases-kept-as-written",
    ),
    pytest.param(
        """\
        import sys
        if sys.version_info >= (3, 9):
            from langchain_openai import ChatOpenAI
        else:
            from langchain.chat_models import ChatOpenAI

        llm = ChatOpenAI(temperature=0)
        """,
        """\
        import os
        import sys
        if sys.version_info >= (3, 9):
            from langchain_openai import ChatOpenAI
        else:
            from langchain.chat_models import ChatOpenAI

        llm = ChatOpenAI(temperature=0, openai_api_key=os.environ["MIRA_API_KEY"], openai_api_base="https://api.vmira.ai/v1")
        """,
        id="new-or-legacy-import-gets-the-names-both-know",
    ),
    pytest.param(
        """\
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:  # older installs
            from langchain.chat_models import ChatOpenAI

        llm = ChatOpenAI()
        """,
        """\
        import os
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:  # older installs
            from langchain.chat_models import ChatOpenAI

        llm = ChatOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="try-except-fallback-import",
    ),
    pytest.param(
        """\
        import os
        from langchain_openai import ChatOpenAI

        settings = {"model": "mira", "openai_api_key": os.environ["OPENAI_API_KEY"]}
        llm = ChatOpenAI(**settings)
        """,
        """\
        import os
        from langchain_openai import ChatOpenAI

        settings = {"model": "mira", "openai_api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}
        llm = ChatOpenAI(**settings)
        """,
        id="kwargs-dict-literal",
    ),
]


# The model factories build ChatOpenAI / OpenAIEmbeddings and forward base_url/api_key to them;
# the other OpenAI-backed classes of langchain_community take the same two arguments.
FACTORIES_AND_OTHER_CLASSES = [
    pytest.param(
        """\
        from langchain.chat_models import init_chat_model

        llm = init_chat_model("openai:gpt-4o", temperature=0)
        """,
        """\
        import os
        from langchain.chat_models import init_chat_model

        llm = init_chat_model("openai:gpt-4o", temperature=0, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="init-chat-model-provider-prefix",
    ),
    pytest.param(
        """\
        import os
        from langchain.chat_models import init_chat_model

        llm = init_chat_model(
            model="gpt-4o-mini",
            model_provider="openai",
            api_key=os.getenv("OPENAI_API_KEY"),
        )
        """,
        """\
        import os
        from langchain.chat_models import init_chat_model

        llm = init_chat_model(
            model="gpt-4o-mini",
            model_provider="openai",
            api_key=os.environ["MIRA_API_KEY"],
            base_url="https://api.vmira.ai/v1",
        )
        """,
        id="init-chat-model-model-provider-keyword",
    ),
    pytest.param(
        """\
        from langchain.chat_models.base import init_chat_model as make

        MODEL = "o3-mini"
        llm = make(MODEL)
        """,
        """\
        import os
        from langchain.chat_models.base import init_chat_model as make

        MODEL = "o3-mini"
        llm = make(MODEL, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        # No provider: LangChain infers openai from "o3" (chat_models/base.py `_attempt_infer_model_provider`).
        id="init-chat-model-provider-inferred-from-the-id",
    ),
    pytest.param(
        """\
        from langchain_classic.chat_models import init_chat_model

        llm = init_chat_model("gpt-4.1", configurable_fields=None, openai_api_base="https://api.openai.com/v1")
        """,
        """\
        import os
        from langchain_classic.chat_models import init_chat_model"""
        '\n\n        llm = init_chat_model("gpt-4.1", configurable_fields=None, '
        'openai_api_base="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])\n'
        """\
        """,
        id="init-chat-model-classic-field-name-url",
    ),
    pytest.param(
        """\
        from langchain.embeddings import init_embeddings

        embeddings = init_embeddings("openai:text-embedding-3-small", check_embedding_ctx_length=False)
        other = init_embeddings(model="text-embedding-3-large", provider="openai", check_embedding_ctx_length=False)
        """,
        """\
        import os
        from langchain.embeddings import init_embeddings"""
        '\n\n        embeddings = init_embeddings("openai:text-embedding-3-small", '
        'check_embedding_ctx_length=False, api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1")\n'
        '        other = init_embeddings(model="text-embedding-3-large", provider="openai", '
        'check_embedding_ctx_length=False, api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1")\n'
        """\
        """,
        id="init-embeddings",
    ),
    pytest.param(
        """\
        from langchain_community.utilities.dalle_image_generator import DallEAPIWrapper

        images = DallEAPIWrapper(model="dall-e-3", openai_api_key="Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk")
        """,
        """\
        import os
        from langchain_community.utilities.dalle_image_generator import DallEAPIWrapper

        images = DallEAPIWrapper(model="dall-e-3", openai_api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="dalle-wrapper",
    ),
    pytest.param(
        """\
        from langchain_community.document_loaders.parsers import OpenAIWhisperParser

        parser = OpenAIWhisperParser(chunk_duration_threshold=0.5)
        """,
        """\
        import os
        from langchain_community.document_loaders.parsers import OpenAIWhisperParser

        parser = OpenAIWhisperParser(chunk_duration_threshold=0.5, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="whisper-parser",
    ),
    pytest.param(
        """\
        from langchain.llms import OpenAIChat

        llm = OpenAIChat(model_name="gpt-3.5-turbo")
        """,
        """\
        import os
        from langchain.llms import OpenAIChat

        llm = OpenAIChat(model_name="gpt-3.5-turbo", openai_api_key=os.environ["MIRA_API_KEY"], openai_api_base="https://api.vmira.ai/v1")
        """,
        id="legacy-openai-chat-llm",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES + FACTORIES_AND_OTHER_CLASSES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


def test_factory_model_ids_follow_the_model_map() -> None:
    """A prefixed or provider-pinned id is mapped in place; an inferred bare one needs the prefix: reviewed."""
    settings = RewriteSettings(resolve_target(model_map={"gpt-4o": "mira"}))
    result = rewrite(
        dedent(
            """\
            from langchain.chat_models import init_chat_model
            a = init_chat_model("openai:gpt-4o")
            b = init_chat_model("gpt-4o", model_provider="openai")
            c = init_chat_model("gpt-4o")
            d = init_chat_model("gpt-4o", model_provider="azure_openai")
            """
        ),
        settings,
    )
    assert 'a = init_chat_model("openai:mira", api_key=' in result.code
    assert 'b = init_chat_model("mira", model_provider="openai", api_key=' in result.code
    assert 'c = init_chat_model("gpt-4o", api_key=' in result.code
    assert 'd = init_chat_model("gpt-4o", model_provider="azure_openai")\n' in result.code
    assert [(r.rule, r.line) for r in result.review] == [("MC004", 4), ("MC010", 5)]
    assert "write 'openai:mira'" in result.review[0].reason


def test_a_file_naming_only_the_factory_is_not_skipped_by_the_pre_filter() -> None:
    code = b'from langchain.chat_models import init_chat_model\nllm = init_chat_model("gpt-4o")\n'
    assert b"openai" not in code.lower()
    assert might_contain_client(code)
    assert rewrite(code.decode()).changed


NOOPS = [
    pytest.param(
        """\
        import os
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        import os
        from langchain.chat_models import ChatOpenAI

        llm = ChatOpenAI(openai_api_key=os.environ["MIRA_API_KEY"], openai_api_base="https://api.vmira.ai/v1/")
        """,
        id="already-migrated-legacy-field-names",
    ),
    pytest.param(
        """\
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")
        """,
        id="local-server",
    ),
    pytest.param(
        """\
        from langchain_openai import ChatOpenAI

        def make(settings):
            return ChatOpenAI(openai_api_base=settings.llm_url, openai_api_key=settings.llm_key)
        """,
        id="url-from-settings",
    ),
    pytest.param(
        """\
        from langchain_openai import AzureChatOpenAI, AzureOpenAIEmbeddings

        llm = AzureChatOpenAI(azure_deployment="gpt-4o", api_version="2024-06-01")
        embeddings = AzureOpenAIEmbeddings(azure_deployment="embed")
        """,
        id="azure-classes",
    ),
    pytest.param(
        """\
        from langchain_anthropic import ChatAnthropic
        from langchain_community.chat_models import ChatOllama
        from pandasai.llm import OpenAI

        chat = ChatAnthropic(model="claude-sonnet-4-5")
        local = ChatOllama(model="llama3")
        pandas_llm = OpenAI(api_token="...")
        """,
        id="other-providers-and-lookalikes",
    ),
    pytest.param(
        """\
        class ChatOpenAI:
            def __init__(self, **kwargs):
                self.kwargs = kwargs

        llm = ChatOpenAI(temperature=0)
        """,
        id="local-class-with-the-same-name",
    ),
    pytest.param(
        """\
        from langchain_openai import ChatOpenAI

        def build(ChatOpenAI):
            return ChatOpenAI(temperature=0)
        """,
        id="parameter-shadows-import",
    ),
    pytest.param(
        """\
        from langchain_openai import ChatOpenAI

        def describe(llm: ChatOpenAI) -> str:
            return "ChatOpenAI(temperature=0) is built in app.py"  # ChatOpenAI() in a comment
        """,
        id="annotations-strings-comments",
    ),
    pytest.param(
        """\
        from langchain_openai import ChatOpenAI

        def build(**options):
            return ChatOpenAI(**options)
        """,
        id="opaque-kwargs",
    ),
]


FACTORY_NOOPS = [
    pytest.param(
        """\
        from langchain.chat_models import init_chat_model

        claude = init_chat_model("claude-sonnet-4-5")
        prefixed = init_chat_model("anthropic:claude-sonnet-4-5")
        groq = init_chat_model("gpt-oss-120b", model_provider="groq")
        gateway = init_chat_model("langsmith:gpt-4o")
        routed = init_chat_model("openrouter:gpt-4o")
        embeddings = init_embeddings("cohere:embed-english-v3.0")
        """.replace(
            "import init_chat_model", "import init_chat_model\n        from langchain.embeddings import init_embeddings"
        ),
        id="factories-for-other-providers",
    ),
    pytest.param(
        """\
        import os
        from langchain.chat_models import init_chat_model

        llm = init_chat_model("openai:mira", base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="factory-already-migrated",
    ),
    pytest.param(
        """\
        from langchain.chat_models import init_chat_model

        llm = init_chat_model("gpt-4o", base_url="http://localhost:8000/v1", api_key="EMPTY")
        """,
        id="factory-at-a-local-server",
    ),
    pytest.param(
        """\
        def init_chat_model(model, **kwargs):
            return (model, kwargs)

        llm = init_chat_model("gpt-4o")
        """,
        id="local-function-named-like-the-factory",
    ),
    pytest.param(
        """\
        from langchain_community.utilities import DallEAPIWrapper

        images = DallEAPIWrapper(client=images_client)
        """,
        id="dalle-wrapper-with-its-own-client",
    ),
    pytest.param(
        """\
        from my_app.audio import OpenAIWhisperParser

        parser = OpenAIWhisperParser()
        """,
        id="whisper-lookalike",
    ),
]


@pytest.mark.parametrize("code", NOOPS + FACTORY_NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def _mc010_reasons(code: str) -> list[str]:
    return [item.reason for item in rewrite(code).review if item.rule == "MC010"]


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        pytest.param(
            'from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(base_url="http://localhost:8000/v1")\n',
            "http://localhost:8000/v1",
            id="foreign-url",
        ),
        pytest.param(
            "from langchain_openai import AzureChatOpenAI\nllm = AzureChatOpenAI(azure_deployment='gpt-4o')\n",
            "AzureChatOpenAI is Azure OpenAI",
            id="azure",
        ),
        pytest.param(
            "from langchain_community.embeddings import AzureOpenAIEmbeddings\ne = AzureOpenAIEmbeddings()\n",
            "AzureOpenAIEmbeddings is Azure OpenAI",
            id="azure-legacy-path",
        ),
        pytest.param(
            "import sys\n"
            "if sys.argv:\n"
            "    from langchain.chat_models import ChatOpenAI\n"
            "else:\n"
            "    class ChatOpenAI: ...\n"
            "llm = ChatOpenAI()\n",
            "ChatOpenAI is langchain.chat_models.ChatOpenAI here, but also a local definition of "
            "ChatOpenAI in this scope",
            id="legacy-or-local-class",
        ),
        pytest.param(
            "import sys\n"
            "if sys.argv:\n"
            "    from langchain_openai import ChatOpenAI\n"
            "else:\n"
            "    from langchain.chat_models import ChatOpenAI\n"
            "llm = ChatOpenAI(openai_proxy='http://proxy:3128')\n",
            "HTTP proxy",
            id="new-or-legacy-advice-once",
        ),
        pytest.param(
            "from langchain_openai import ChatOpenAI\ndef f(**kw):\n    return ChatOpenAI(**kw)\n",
            "ChatOpenAI(**kw) takes its arguments from a container",
            id="opaque-kwargs",
        ),
        pytest.param(
            "from langchain_openai import OpenAIEmbeddings\ne = OpenAIEmbeddings(model='text-embedding-3-small')\n",
            "add check_embedding_ctx_length=False",
            id="embeddings-send-token-ids",
        ),
        pytest.param(
            "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(use_responses_api=True)\n",
            "Responses API",
            id="responses-api",
        ),
        pytest.param(
            "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(openai_proxy='http://proxy.corp:3128')\n",
            "HTTP proxy for the connection, not the API URL",
            id="openai-proxy-kept",
        ),
        pytest.param(
            "import os\nfrom langchain.chat_models import init_chat_model\nllm = init_chat_model(os.environ['LLM'])\n",
            "which provider serves this model is only known at run time; if it is OpenAI, this "
            'builds ChatOpenAI on OpenAI: pass base_url="https://api.vmira.ai/v1" and '
            'api_key=os.environ["MIRA_API_KEY"]',
            id="factory-model-only-known-at-run-time",
        ),
        pytest.param(
            "from langchain.chat_models import init_chat_model\n"
            "llm = init_chat_model('gpt-4o', model_provider=PROVIDER)\n",
            "only known at run time",
            id="factory-provider-only-known-at-run-time",
        ),
        pytest.param(
            "from langchain.chat_models import init_chat_model\n"
            "llm = init_chat_model(configurable_fields=('model', 'model_provider'))\n",
            "chooses its model and provider per call from config (configurable_fields)",
            id="factory-configurable",
        ),
        pytest.param(
            "from langchain.chat_models import init_chat_model\nllm = init_chat_model()\n",
            "chooses its model and provider per call from config",
            id="factory-without-a-model-is-configurable",
        ),
        pytest.param(
            "from langchain.chat_models import init_chat_model\nllm = init_chat_model('azure_openai:gpt-4o')\n",
            "builds Azure OpenAI's AzureChatOpenAI",
            id="factory-azure",
        ),
        pytest.param(
            "from langchain.embeddings import init_embeddings\n"
            "e = init_embeddings('text-embedding-3-small', provider='azure_openai')\n",
            "builds Azure OpenAI's AzureOpenAIEmbeddings",
            id="embeddings-factory-azure",
        ),
        pytest.param(
            "from langchain.chat_models import init_chat_model\n"
            "llm = init_chat_model('openai:gpt-4o', use_responses_api=True)\n",
            "ChatOpenAI(use_responses_api=True) calls the Responses API",
            id="factory-responses-api",
        ),
        pytest.param(
            "from langchain_community.utilities import DallEAPIWrapper\nimages = DallEAPIWrapper()\n",
            "DallEAPIWrapper calls the Images API",
            id="dalle-images-api",
        ),
        pytest.param(
            "from langchain_community.document_loaders.parsers.audio import OpenAIWhisperParser\n"
            "p = OpenAIWhisperParser()\n",
            "serves /audio/transcriptions",
            id="whisper-transcription-api",
        ),
        pytest.param(
            "from langchain_community.document_loaders.parsers.audio import OpenAIWhisperParser\n"
            "p = OpenAIWhisperParser(key)\n",
            "may pass the URL or key by position",
            id="whisper-key-by-position",
        ),
        pytest.param(
            "from langchain.chains import OpenAIModerationChain\nmoderate = OpenAIModerationChain()\n",
            "OpenAIModerationChain has no base URL parameter",
            id="moderation-chain-stays-on-openai",
        ),
        pytest.param(
            "from langchain.agents.openai_assistant import OpenAIAssistantRunnable\n"
            "bot = OpenAIAssistantRunnable.create_assistant(name='x', instructions='y', tools=[], "
            "model='gpt-4o')\n",
            "OpenAIAssistantRunnable uses OpenAI's Assistants API",
            id="assistants-api",
        ),
    ],
)
def test_review_reasons(code: str, reason_part: str) -> None:
    reasons = _mc010_reasons(code)
    assert len(reasons) == 1, reasons
    assert reason_part in reasons[0]


def test_openai_proxy_is_kept_and_not_taken_for_the_url() -> None:
    check_rewrite(
        """\
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(openai_proxy="http://proxy.corp:3128")
        """,
        """\
        import os
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(openai_proxy="http://proxy.corp:3128", api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
    )


def test_embedding_advice_is_only_for_constructions_that_move() -> None:
    assert (
        _mc010_reasons(
            "from langchain_openai import OpenAIEmbeddings\ne = OpenAIEmbeddings(check_embedding_ctx_length=False)\n"
        )
        == []
    )
    local = _mc010_reasons(
        'from langchain_openai import OpenAIEmbeddings\ne = OpenAIEmbeddings(base_url="http://localhost:11434/v1")\n'
    )
    assert len(local) == 1 and "localhost" in local[0]


def test_hard_coded_key_is_a_security_finding_and_never_shown() -> None:
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    result = rewrite(f'from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(openai_api_key="{key}")\n')
    assert key not in result.code
    assert [(f.rule, f.line) for f in result.security] == [("MC010", 2)]
    shown = (
        [f.message for f in result.security] + [c.message for c in result.changes] + [r.reason for r in result.review]
    )
    assert all(key not in text for text in shown)


def test_change_log_names_the_parameters_as_written() -> None:
    result = rewrite("from langchain.llms import OpenAI\nllm = OpenAI()\n")
    assert [(c.rule, c.line) for c in result.changes] == [("MC010", 2)]
    assert "openai_api_base -> https://api.vmira.ai/v1" in result.changes[0].message
    assert "openai_api_key -> $MIRA_API_KEY" in result.changes[0].message


def test_readme_example_is_the_tools_output() -> None:
    from helpers.fake_target import readme_example

    before, after = readme_example("MC010")
    check_rewrite(before, after)


def test_readme_factory_example_is_the_tools_output() -> None:
    from helpers.fake_target import README

    section = README.read_text(encoding="utf-8").split("\n### MC010 ", 1)[1].split("\n### ", 1)[0]
    block = section.split("```python\n")[2].split("```", 1)[0]
    before, after = block.split("# after", 1)
    check_rewrite(before.removeprefix("# before\n").rstrip("\n") + "\n", after.split("\n", 1)[1])


# -- the rewritten code, imported and run with the real langchain-openai ------------------------


def test_rewritten_langchain_objects_talk_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("langchain_openai")
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        import os
        from langchain_openai import ChatOpenAI, OpenAIEmbeddings

        llm = ChatOpenAI(model="mira", temperature=0, api_key=os.getenv("OPENAI_API_KEY"))
        embeddings = OpenAIEmbeddings(model="mira-embed", check_embedding_ctx_length=False)
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app

        answer = app.llm.invoke("Say hi").content
        vector = app.embeddings.embed_query("hello")
        print(json.dumps({
            "chat_base": app.llm.openai_api_base,
            "chat_key": app.llm.openai_api_key.get_secret_value(),
            "client_base": str(app.llm.root_client.base_url),
            "embed_base": app.embeddings.openai_api_base,
            "embed_key": app.embeddings.openai_api_key.get_secret_value(),
            "answer": answer,
            "vector": vector,
        }))
        """,
    )
    assert facts["chat_base"] == facts["embed_base"] == target.base_url
    assert facts["client_base"] == target.base_url + "/"
    assert facts["chat_key"] == facts["embed_key"] == TARGET_KEY
    assert facts["answer"] == "hi from the target"
    assert facts["vector"] == [0.5, 0.25, 0.125]
    assert [(s.path, s.authorization) for s in target.seen] == [
        ("/v1/chat/completions", f"Bearer {TARGET_KEY}"),
        ("/v1/embeddings", f"Bearer {TARGET_KEY}"),
    ]
    assert target.seen[1].body["input"] == ["hello"], "check_embedding_ctx_length=False sends text, not token ids"


def test_rewritten_model_factories_talk_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("langchain.chat_models")
    pytest.importorskip("langchain_openai")
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        import os
        from langchain.chat_models import init_chat_model
        from langchain.embeddings import init_embeddings

        prefixed = init_chat_model("openai:mira", temperature=0)
        named = init_chat_model("mira", model_provider="openai", api_key=os.getenv("OPENAI_API_KEY"))
        inferred = init_chat_model("gpt-4o-mini")
        embeddings = init_embeddings("openai:mira-embed", check_embedding_ctx_length=False)
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app

        models = [app.prefixed, app.named, app.inferred]
        answers = [m.invoke("Say hi").content for m in models]
        vector = app.embeddings.embed_query("hello")
        print(json.dumps({
            "classes": [type(m).__name__ for m in [*models, app.embeddings]],
            "bases": [m.openai_api_base for m in [*models, app.embeddings]],
            "keys": [m.openai_api_key.get_secret_value() for m in [*models, app.embeddings]],
            "answers": answers,
            "vector": vector,
        }))
        """,
    )
    assert facts["classes"] == ["ChatOpenAI", "ChatOpenAI", "ChatOpenAI", "OpenAIEmbeddings"]
    assert facts["bases"] == [target.base_url] * 4
    assert facts["keys"] == [TARGET_KEY] * 4
    assert facts["answers"] == ["hi from the target"] * 3
    assert facts["vector"] == [0.5, 0.25, 0.125]
    assert [(s.path, s.authorization, s.body["model"]) for s in target.seen] == [
        ("/v1/chat/completions", f"Bearer {TARGET_KEY}", "mira"),
        ("/v1/chat/completions", f"Bearer {TARGET_KEY}", "mira"),
        ("/v1/chat/completions", f"Bearer {TARGET_KEY}", "gpt-4o-mini"),
        ("/v1/embeddings", f"Bearer {TARGET_KEY}", "mira-embed"),
    ]
