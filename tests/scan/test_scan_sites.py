"""What `scan` finds in one module: every endpoint, every feature, through aliases, constants,
`**kwargs` dicts and framework wrappers, and what it must not count (look-alikes, other providers)."""

from __future__ import annotations

import textwrap

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.scan.records import ModuleScan
from migrate_cli.scan.source import scan_source

HEAD = "from openai import OpenAI, AsyncOpenAI\nclient = OpenAI()\n"
TOOLS = '[{"type": "function", "function": {"name": "f", "parameters": {}}}]'


def scan(code: str) -> ModuleScan:
    """Scan `code`, dedented; a line `#HEAD` stands for the import and construction of `client`."""
    return scan_source(textwrap.dedent(code).replace("#HEAD\n", HEAD), resolve_target())


def calls(code: str) -> list[tuple[int, str, list[str], list[str]]]:
    found = scan(code)
    return [(c.line, c.endpoint, list(c.features), list(c.models)) for c in found.calls]


def features_of(arguments: str, method: str = "chat.completions.create") -> list[str]:
    """The features of one call on a plain client, e.g. `features_of('stream=True')`."""
    found = calls(f'{HEAD}client.{method}(model="gpt-4o", messages=[], {arguments})\n')
    assert len(found) == 1, found
    return found[0][2]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("", ["chat"]),
        ("stream=True", ["chat", "stream"]),
        ("stream=False", ["chat"]),
        ('stream=True, stream_options={"include_usage": True}', ["chat", "stream", "stream_usage"]),
        ('stream=True, stream_options={"include_usage": False}', ["chat", "stream"]),
        (f"tools={TOOLS}", ["chat", "tools"]),
        ("tools=None", ["chat"]),
        (f'tools={TOOLS}, tool_choice="required"', ["chat", "tools", "tool_choice_required"]),
        (f'tools={TOOLS}, tool_choice="auto"', ["chat", "tools"]),
        (
            f'tools={TOOLS}, tool_choice={{"type": "function", "function": {{"name": "f"}}}}',
            ["chat", "tools", "tool_choice_named"],
        ),
        (f"tools={TOOLS}, parallel_tool_calls=False", ["chat", "tools", "parallel_tool_calls"]),
        ('response_format={"type": "json_object"}', ["chat", "json_object"]),
        ('response_format={"type": "json_schema", "json_schema": {"name": "x"}}', ["chat", "json_schema"]),
        ('response_format={"type": "text"}', ["chat"]),
        ("seed=0", ["chat", "seed"]),
        ("n=2", ["chat", "n"]),
        ("n=1", ["chat"]),
        ("logprobs=True, top_logprobs=2", ["chat", "logprobs"]),
        ("logprobs=False", ["chat"]),
        ('stop=["\\n"]', ["chat", "stop"]),
        ("max_tokens=5", ["chat", "max_tokens"]),
        ("max_completion_tokens=5", ["chat", "max_completion_tokens"]),
        ('extra_body={"seed": 1}', ["chat", "seed"]),
    ],
)
def test_each_chat_feature_from_its_keyword(arguments: str, expected: list[str]) -> None:
    assert features_of(arguments) == expected


def test_helpers_stream_and_parse_carry_their_feature() -> None:
    assert features_of("", method="chat.completions.stream") == ["chat", "stream"]
    assert features_of("response_format=Answer", method="beta.chat.completions.parse") == ["chat", "json_schema"]
    assert features_of("", method="chat.completions.with_raw_response.create") == ["chat"]


def test_a_value_scan_cannot_read_counts_as_used_or_unknown() -> None:
    code = """\
    #HEAD
    def ask(streaming, fmt, choice):
        client.chat.completions.create(model="m", messages=[], stream=streaming, seed=None)
        client.chat.completions.create(model="m", messages=[], response_format=fmt, tool_choice=choice)
    """
    found = scan(code).calls
    # `stream=streaming` may stream: counted. Which format or which choice: unknown.
    assert found[0].features == ("chat", "stream")
    assert found[1].features == ("chat", "unknown")
    assert found[1].unread == ("response_format", "tool_choice")


def test_every_endpoint_is_found_with_its_resource_path() -> None:
    code = """\
    import openai
    from openai import OpenAI, AsyncOpenAI, AzureOpenAI
    client = OpenAI()
    aclient = AsyncOpenAI()
    azure = AzureOpenAI(api_version="2024-10-21")

    async def main():
        client.embeddings.create(model="text-embedding-3-small", input="x")
        await aclient.responses.create(model="gpt-5", input="x")
        client.images.generate(model="dall-e-3", prompt="x")
        client.audio.transcriptions.create(model="whisper-1", file=b"")
        client.files.create(file=b"", purpose="batch")
        client.batches.create(input_file_id="f", endpoint="/v1/chat/completions", completion_window="24h")
        client.moderations.create(model="omni-moderation-latest", input="x")
        client.beta.assistants.create(model="gpt-4o")
        client.beta.threads.runs.create(thread_id="t", assistant_id="a")
        client.completions.create(model="gpt-3.5-turbo-instruct", prompt="x", max_tokens=5)
        azure.chat.completions.create(model="deployment", messages=[])
        openai.chat.completions.create(model="gpt-4o-mini", messages=[])
        openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[], n=2)
        openai.Embedding.create(model="text-embedding-ada-002", input="x")
    """
    assert calls(code) == [
        (8, "embeddings.create", ["embeddings"], ["text-embedding-3-small"]),
        (9, "responses.create", ["responses"], ["gpt-5"]),
        (10, "images.generate", [], ["dall-e-3"]),
        (11, "audio.transcriptions.create", [], ["whisper-1"]),
        (12, "files.create", [], []),
        (13, "batches.create", [], []),
        (14, "moderations.create", [], ["omni-moderation-latest"]),
        (15, "beta.assistants.create", [], ["gpt-4o"]),
        (16, "beta.threads.runs.create", [], []),
        (17, "completions.create", ["max_tokens"], ["gpt-3.5-turbo-instruct"]),
        (18, "chat.completions.create", ["chat"], ["deployment"]),
        (19, "chat.completions.create", ["chat"], ["gpt-4o-mini"]),
        (20, "ChatCompletion.create", ["chat", "n"], ["gpt-3.5-turbo"]),
        (21, "Embedding.create", ["embeddings"], ["text-embedding-ada-002"]),
    ]
    found = scan(code)
    assert [(c.line, c.client) for c in found.clients] == [(3, "OpenAI"), (4, "AsyncOpenAI"), (5, "AzureOpenAI")]


def test_clients_through_aliases_attributes_and_wrappers() -> None:
    code = """\
    import openai as oa
    from openai import AsyncOpenAI as Async
    import instructor

    Client = oa.OpenAI

    class Service:
        def __init__(self, client=None):
            self.client = client or Async()

        async def go(self):
            await self.client.chat.completions.create(model="a", messages=[], seed=1)

    patched = instructor.from_openai(Client())
    patched.chat.completions.create(model="b", messages=[], n=3)
    Client().with_options(timeout=5).chat.completions.create(model="c", messages=[], stop="x")
    """
    assert calls(code) == [
        (12, "chat.completions.create", ["chat", "seed"], ["a"]),
        (15, "chat.completions.create", ["chat", "n"], ["b"]),
        (16, "chat.completions.create", ["chat", "stop"], ["c"]),
    ]


def test_look_alikes_are_not_openai_calls() -> None:
    code = """\
    from mylib import OpenAI

    class Repo:
        def __init__(self, chat):
            self.chat = chat

        def go(self, client):
            client.chat.completions.create(model="x", messages=[])  # a parameter: not proven
            self.chat.completions.create(model="y", messages=[])

    OpenAI().chat.completions.create(model="z", messages=[])
    """
    assert calls(code) == []


def test_model_ids_from_constants_defaults_and_env_reads() -> None:
    code = """\
    import os
    #HEAD
    MODEL = "gpt-4o"
    def a(model="gpt-4o-mini", other=None):
        client.chat.completions.create(model=MODEL, messages=[])
        client.chat.completions.create(model=model, messages=[])
        client.chat.completions.create(model=os.getenv("CHAT_MODEL", "o3-mini"), messages=[])
        client.chat.completions.create(model=other, messages=[])
        client.chat.completions.create(model="a" if other else "b", messages=[])
    """
    assert [c[3] for c in calls(code)] == [["gpt-4o"], ["gpt-4o-mini"], ["o3-mini"], ["unknown"], ["a", "b"]]


def test_kwargs_dicts_are_followed_where_the_rewrite_follows_them() -> None:
    code = """\
    #HEAD
    OPTIONS = {"model": "gpt-4o", "stream": True}
    client.chat.completions.create(messages=[], **OPTIONS)

    def build(limit):
        params = {"model": "gpt-4.1", "seed": 3}
        if limit:
            params["max_completion_tokens"] = limit
        return client.chat.completions.create(messages=[], **params)

    def opaque(params):
        return client.chat.completions.create(messages=[], **params)

    def changed():
        params = {"model": "x"}
        params.update(stream=True)
        return client.chat.completions.create(messages=[], **params)
    """
    found = scan(code).calls
    assert [(c.features, c.models, c.unread) for c in found] == [
        (("chat", "stream"), ("gpt-4o",), ()),
        (("chat", "seed", "max_completion_tokens"), ("gpt-4.1",), ()),
        (("chat", "unknown"), ("unknown",), ("**params",)),
        (("chat", "unknown"), ("unknown",), ("**params",)),
    ]


def test_framework_wrappers_where_the_parameter_is_visible() -> None:
    code = """\
    import litellm
    from langchain_openai import ChatOpenAI, OpenAIEmbeddings
    from langchain.chat_models import init_chat_model
    from llama_index.llms.openai import OpenAI as LlamaOpenAI

    llm = ChatOpenAI(
        model="gpt-4o",
        streaming=True,
        stream_usage=True,
        model_kwargs={"response_format": {"type": "json_object"}, "seed": 1},
    )
    emb = OpenAIEmbeddings(model="text-embedding-3-large")
    resp = ChatOpenAI(model="gpt-5", use_responses_api=True)
    chat = init_chat_model("openai:gpt-4o-mini", max_tokens=10)
    other = init_chat_model("claude-sonnet-4", model_provider="anthropic")
    litellm.completion(model="openai/gpt-4o", messages=[], tools=[], tool_choice="required", n=2)
    litellm.completion(model="anthropic/claude-3", messages=[], tools=[])
    litellm.embedding(model="text-embedding-3-small", input=["x"])
    LlamaOpenAI(model="gpt-4o", additional_kwargs={"stop": ["x"]})
    """
    assert calls(code) == [
        (6, "LangChain ChatOpenAI", ["chat", "stream", "stream_usage", "json_object", "seed"], ["gpt-4o"]),
        (12, "LangChain OpenAIEmbeddings", ["embeddings"], ["text-embedding-3-large"]),
        (13, "LangChain ChatOpenAI", ["chat", "responses"], ["gpt-5"]),
        (14, "LangChain init_chat_model", ["chat", "max_tokens"], ["openai:gpt-4o-mini"]),
        (16, "litellm completion", ["chat", "tools", "tool_choice_required", "n"], ["openai/gpt-4o"]),
        (18, "litellm embedding", ["embeddings"], ["text-embedding-3-small"]),
        (19, "LlamaIndex OpenAI", ["chat", "stop"], ["gpt-4o"]),
    ]


def test_openai_sdk_sentinels_are_not_a_use() -> None:
    code = """\
    from openai import NOT_GIVEN
    #HEAD
    client.chat.completions.create(model="m", messages=[], seed=NOT_GIVEN, n=NOT_GIVEN, tools=NOT_GIVEN)
    """
    assert calls(code)[0][2] == ["chat"]
