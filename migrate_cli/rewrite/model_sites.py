"""Where model ids live outside `client.<resource>.create(...)`: framework constructors and calls.

MC004 (rules/model_ids.py) maps the model ids it finds at these sites. One `ModelSite` per callee
family says which argument holds the id, whether ids there carry a provider prefix, and which
arguments say where the requests go (a proxy or local URL there means "not moving: leave the id").

Adding a framework: append a `ModelSite` to `MODEL_SITES` with every qualified name its class is
importable by (as the framework rules' `ConstructionSpec.callees` do), and a needle if the file
may not otherwise mention "openai". Keep the entry next to its family; keep the tuple a plain list
of facts (sources are cited per entry), so other rules can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrate_cli.rewrite.haystack_names import OPENAI_COMPONENTS as HAYSTACK_CALLEES


@dataclass(frozen=True)
class ModelSite:
    #: What the review and change messages call it ("LangChain ChatOpenAI").
    label: str
    #: Qualified names of the callee (every import path it is reachable by).
    callees: frozenset[str]
    #: Keyword arguments that hold a model id.
    keywords: tuple[str, ...] = ("model",)
    #: Index of a positional argument that holds the model id, if the signature has one.
    positional: int | None = None
    #: "openai/" or "openai:" when ids here name their provider; "" for bare ids.
    prefix: str = ""
    #: Arguments that set the endpoint; a URL that is not OpenAI's there means "not moving".
    url_params: tuple[str, ...] = ()
    #: Arguments that take a client or provider object (checked the same way).
    client_params: tuple[str, ...] = ()
    #: Said for review whenever an id here is mapped (what else the user must change).
    mapped_note: str = ""
    #: For a prefixed site: a bare id may be mapped to a bare id, because the site's own rule pins
    #: the provider (MC014 adds `custom_llm_provider="openai"` to litellm calls with a bare id).
    #: Otherwise a bare id is reviewed: the library routes by it, and the new id needs the prefix.
    bare_ids_pinned: bool = False
    #: A keyword that names the provider (`model_provider=` of LangChain's init_chat_model): a call
    #: passing it is only ours when it says "openai", and then bare ids are pinned to OpenAI.
    provider_param: str = ""
    #: Keywords whose presence (with a value other than None) means the construction does not move:
    #: its rule reviews it instead (`configurable_fields=`: the provider is chosen per call).
    skip_if: tuple[str, ...] = ()
    #: How to move a construction that, given none of `url_params` / `client_params`, builds its own
    #: OpenAI client from $OPENAI_API_KEY, which no rule moves ("" for sites a rule moves): its ids
    #: stay as they are (a mapped id would go to OpenAI), and this advice is reviewed instead.
    own_client: str = ""
    #: openai-agents: the id goes to the SDK's default client unless the file hands it one.
    agents_default_client: bool = False


def _paths(classes: tuple[str, ...], modules: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"{module}.{cls}" for module in modules for cls in classes)


_LANGCHAIN_MODULES = (
    "langchain_openai",
    "langchain_openai.chat_models",
    "langchain_openai.chat_models.base",
    "langchain_openai.llms",
    "langchain_openai.llms.base",
    "langchain_openai.embeddings",
    "langchain_openai.embeddings.base",
    "langchain.chat_models",
    "langchain.chat_models.openai",
    "langchain.llms",
    "langchain.llms.openai",
    "langchain.embeddings",
    "langchain.embeddings.openai",
    "langchain_community.chat_models",
    "langchain_community.chat_models.openai",
    "langchain_community.llms",
    "langchain_community.llms.openai",
    "langchain_community.embeddings",
    "langchain_community.embeddings.openai",
)

_FACTORY_MODULES = (
    "langchain.chat_models",
    "langchain.chat_models.base",
    "langchain_classic.chat_models",
    "langchain_classic.chat_models.base",
)
_FACTORY_MODULES_EMBEDDINGS = tuple(m.replace("chat_models", "embeddings") for m in _FACTORY_MODULES)

MODEL_SITES: tuple[ModelSite, ...] = (
    # langchain-openai: `model` is a pydantic field with the alias `model_name`.
    ModelSite(
        "LangChain",
        _paths(("ChatOpenAI", "OpenAI", "OpenAIEmbeddings"), _LANGCHAIN_MODULES),
        keywords=("model", "model_name"),
        url_params=("base_url", "openai_api_base"),
    ),
    # LangChain's factories: `init_chat_model("openai:gpt-4o")`, `init_chat_model("gpt-4o",
    # model_provider="openai")`, `init_embeddings("openai:text-embedding-3-small")` (langchain_models.py).
    ModelSite(
        "LangChain",
        _paths(("init_chat_model",), _FACTORY_MODULES),
        positional=0,
        prefix="openai:",
        url_params=("base_url", "openai_api_base"),
        provider_param="model_provider",
        skip_if=("configurable_fields",),
    ),
    ModelSite(
        "LangChain",
        _paths(("init_embeddings",), _FACTORY_MODULES_EMBEDDINGS),
        positional=0,
        prefix="openai:",
        url_params=("base_url", "openai_api_base"),
        provider_param="provider",
    ),
    # llama-index-llms-openai: `OpenAI(model="gpt-4o", ...)`, model is the first parameter.
    ModelSite(
        "LlamaIndex",
        _paths(
            ("OpenAI", "OpenAIResponses"),
            ("llama_index.llms.openai", "llama_index.llms.openai.base", "llama_index.llms"),
        ),
        positional=0,
        url_params=("api_base",),
    ),
    ModelSite(
        "LlamaIndex",
        _paths(("OpenAILike",), ("llama_index.llms.openai_like", "llama_index.llms.openai_like.base")),
        url_params=("api_base",),
    ),
    ModelSite(
        "LlamaIndex",
        _paths(
            ("OpenAIMultiModal",),
            (
                "llama_index.multi_modal_llms.openai",
                "llama_index.multi_modal_llms.openai.base",
                "llama_index.multi_modal_llms",
            ),
        ),
        positional=0,
        url_params=("api_base",),
    ),
    ModelSite(
        "LlamaIndex",
        _paths(("OpenAIEmbedding",), ("llama_index.embeddings.openai", "llama_index.embeddings.openai.base")),
        keywords=("model", "model_name"),
        url_params=("api_base",),
    ),
    # DSPy: `dspy.LM("openai/gpt-4o-mini", api_base=...)` goes through litellm (dspy/clients/lm.py).
    ModelSite(
        "DSPy",
        _paths(("LM",), ("dspy", "dspy.clients", "dspy.clients.lm")),
        positional=0,
        prefix="openai/",
        url_params=("api_base", "base_url"),
    ),
    # DSPy: `dspy.Embedder("openai/text-embedding-3-small")` goes through litellm.embedding (dspy/clients/embedding.py).
    ModelSite(
        "DSPy",
        _paths(("Embedder",), ("dspy", "dspy.clients", "dspy.clients.embedding")),
        positional=0,
        prefix="openai/",
        url_params=("api_base", "base_url"),
    ),
    # DSPy <= 2.5 legacy client `dspy.OpenAI(model="gpt-3.5-turbo", api_base=...)` (dsp.GPT3): bare ids.
    ModelSite(
        "DSPy",
        frozenset({"dspy.OpenAI", "dspy.GPT3", "dsp.GPT3", "dsp.modules.GPT3", "dsp.modules.gpt3.GPT3"}),
        positional=0,
        url_params=("api_base",),
    ),
    # litellm: `completion(model="openai/gpt-4o", api_base=...)` (docs.litellm.ai/docs/providers/openai_compatible).
    ModelSite(
        "litellm",
        _paths(
            (
                "completion",
                "acompletion",
                "text_completion",
                "atext_completion",
                "embedding",
                "aembedding",
                "responses",
                "aresponses",
            ),
            ("litellm",),
        ),
        positional=0,
        prefix="openai/",
        url_params=("api_base", "base_url"),
        bare_ids_pinned=True,
    ),
    # CrewAI: `LLM(model="openai/gpt-4o", base_url=...)` and `Agent(llm="gpt-4o")` (docs.crewai.com/concepts/llms).
    ModelSite(
        "CrewAI",
        _paths(("LLM",), ("crewai", "crewai.llm")),
        positional=0,
        prefix="openai/",
        url_params=("base_url", "api_base"),
    ),
    ModelSite("CrewAI", _paths(("Agent",), ("crewai", "crewai.agent")), keywords=("llm",), prefix="openai/"),
    # pydantic-ai: `Agent("openai:gpt-4o")`; `OpenAIChatModel("gpt-4o", provider=OpenAIProvider(...))`.
    ModelSite("pydantic-ai", _paths(("Agent",), ("pydantic_ai", "pydantic_ai.agent")), positional=0, prefix="openai:"),
    ModelSite(
        "pydantic-ai",
        _paths(("OpenAIModel", "OpenAIChatModel", "OpenAIResponsesModel"), ("pydantic_ai.models.openai",)),
        keywords=("model_name",),
        positional=0,
        client_params=("provider",),
    ),
    # instructor >= 1.8: `instructor.from_provider("openai/gpt-4o")`.
    # It builds `openai.OpenAI()` itself (instructor/auto_client.py), from $OPENAI_API_KEY.
    ModelSite(
        "instructor",
        _paths(("from_provider",), ("instructor",)),
        positional=0,
        prefix="openai/",
        url_params=("base_url",),
        own_client="from_provider builds its own OpenAI client from $OPENAI_API_KEY: to move it, build the client "
        'yourself with instructor.from_openai(OpenAI(base_url="{url}", api_key=os.environ["{env}"])) and map the id',
    ),
    # openai-agents: `Agent(model="gpt-4o")`, `OpenAIChatCompletionsModel(model=, openai_client=)`.
    ModelSite(
        "openai-agents",
        _paths(("Agent", "RunConfig"), ("agents", "agents.agent", "agents.run", "agents.run_config")),
        agents_default_client=True,
    ),
    ModelSite(
        "openai-agents",
        _paths(
            ("OpenAIChatCompletionsModel", "OpenAIResponsesModel"),
            ("agents", "agents.models.openai_chatcompletions", "agents.models.openai_responses"),
        ),
        client_params=("openai_client",),
    ),
    # autogen 0.4 (autogen-ext): non-OpenAI ids need `model_info=` or the client raises at construction.
    ModelSite(
        "autogen",
        _paths(("OpenAIChatCompletionClient",), ("autogen_ext.models.openai",)),
        url_params=("base_url",),
        mapped_note="OpenAIChatCompletionClient needs model_info={...} for a model id it does not know: add it",
    ),
    # Haystack 2.x OpenAI components (haystack/components/generators/chat/openai.py), every one MC019 moves.
    ModelSite("Haystack", HAYSTACK_CALLEES, url_params=("api_base_url",)),
    # Semantic Kernel: `OpenAIChatCompletion(ai_model_id="gpt-4o", async_client=AsyncOpenAI(...))`.
    ModelSite(
        "Semantic Kernel",
        _paths(
            ("OpenAIChatCompletion", "OpenAITextCompletion", "OpenAITextEmbedding"),
            ("semantic_kernel.connectors.ai.open_ai",),
        ),
        keywords=("ai_model_id",),
        client_params=("async_client",),
        # Without async_client= the connector reads OPENAI_API_KEY itself (semantic_kernel/connectors/ai/
        # open_ai/settings/open_ai_settings.py).
        own_client="without async_client= the connector builds its own OpenAI client from $OPENAI_API_KEY: to move it, "
        'pass async_client=AsyncOpenAI(base_url="{url}", api_key=os.environ["{env}"]) and map the id',
    ),
)

#: Lower-case bytes a file using one of these sites contains, when it need not mention "openai".
MODEL_SITE_NEEDLES: tuple[bytes, ...] = (
    b"init_chat_model",
    b"init_embeddings",
    b"litellm",
    b"dspy",
    b"crewai",
    b"pydantic_ai",
    b"instructor",
    b"from agents",
    b"import autogen",
    b"from autogen",
)

SITES_BY_CALLEE: dict[str, ModelSite] = {name: site for site in MODEL_SITES for name in site.callees}
#: The last part of every callee name (`ChatOpenAI`, `completion`, ...): a cheap first filter.
SITE_NAMES: frozenset[str] = frozenset(name.rsplit(".", 1)[-1] for name in SITES_BY_CALLEE)
