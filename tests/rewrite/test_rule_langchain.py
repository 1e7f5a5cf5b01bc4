"""MC010 langchain: golden before/after cases, cases that must be left alone, and review reasons."""

from __future__ import annotations

import pytest
from engine_helpers import check_noop, check_rewrite, rewrite

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


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


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


@pytest.mark.parametrize("code", NOOPS)
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
            "import sys\nif sys.argv:\n    from langchain.chat_models import ChatOpenAI\nelse:\n    class ChatOpenAI: ...\nllm = ChatOpenAI()\n",
            "also bound to a local definition of ChatOpenAI",
            id="legacy-or-local-class",
        ),
        pytest.param(
            "import sys\nif sys.argv:\n    from langchain_openai import ChatOpenAI\nelse:\n    from langchain.chat_models import ChatOpenAI\nllm = ChatOpenAI(openai_proxy='http://proxy:3128')\n",
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
    from framework_helpers import readme_example

    before, after = readme_example("MC010")
    check_rewrite(before, after)


# -- the rewritten code, imported and run with the real langchain-openai ------------------------


def test_rewritten_langchain_objects_talk_to_the_target_with_its_key(tmp_path, target) -> None:
    pytest.importorskip("langchain_openai")
    from framework_helpers import TARGET_KEY, rewrite_for, run_probe

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
