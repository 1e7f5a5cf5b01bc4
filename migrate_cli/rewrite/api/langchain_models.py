"""Which provider LangChain's model factories pick: `init_chat_model(...)` and `init_embeddings(...)`.

`init_chat_model(model, *, model_provider=None, configurable_fields=None, **kwargs)` parses the
provider from the model string (`"openai:gpt-4o"`), takes it from `model_provider=`, or infers it
from the id (`gpt-`, `o1`, `o3`, `chatgpt`, `text-davinci` -> openai); for "openai" it returns
`ChatOpenAI(model=model, **kwargs)`, so `base_url=` / `api_key=` passed to the factory reach
ChatOpenAI unchanged. With `configurable_fields` (or no model at all) it returns a model whose
model, provider and other fields may be chosen at run time from the `config` of each call.
`init_embeddings(model, *, provider=None, **kwargs)` takes `"openai:text-embedding-3-small"` or
`provider="openai"` (no inference from a bare id) and returns `OpenAIEmbeddings(model=..., **kwargs)`.
Sources: langchain `libs/langchain_v1/langchain/chat_models/base.py` (`_parse_model`,
`_attempt_infer_model_provider`, `_BUILTIN_PROVIDERS`), `libs/langchain_v1/langchain/embeddings/base.py`
(`_infer_model_and_provider`); the same functions in `langchain_classic` and langchain 0.3
(https://github.com/langchain-ai/langchain).

Pure: a route is a word, decided from the call's own arguments (and constants they name).
"""

from __future__ import annotations

import ast

from migrate_cli.rewrite.analysis.values import constant_string, is_none
from migrate_cli.rewrite.api.context import ModuleInfo

_PACKAGES = ("langchain", "langchain_classic")
CHAT_FACTORY = frozenset(
    f"{package}.chat_models{home}.init_chat_model" for package in _PACKAGES for home in ("", ".base")
)
EMBEDDINGS_FACTORY = frozenset(
    f"{package}.embeddings{home}.init_embeddings" for package in _PACKAGES for home in ("", ".base")
)

#: Model-id starts from which `init_chat_model` infers "openai" (`_attempt_infer_model_provider`).
OPENAI_ID_STARTS = ("gpt-", "o1", "o3", "chatgpt", "text-davinci")

# Routes: "openai" (builds ChatOpenAI / OpenAIEmbeddings), "azure" (AzureChatOpenAI /
# AzureOpenAIEmbeddings), "other" (another provider: not ours), "unknown" (the model or provider is
# only known at run time), "configurable" (chosen per call from `config`).
OPENAI, AZURE, OTHER, UNKNOWN, CONFIGURABLE = "openai", "azure", "other", "unknown", "configurable"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _model(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return _keyword(call, "model")


def _named_provider(name: str) -> str:
    # init_chat_model normalizes `model_provider` with .replace("-", "_").lower()
    normalized = name.replace("-", "_").lower()
    return OPENAI if normalized == OPENAI else AZURE if normalized == "azure_openai" else OTHER


def chat_route(call: ast.Call, module: ModuleInfo) -> str:
    """Where `init_chat_model(...)` sends its requests (see the module docstring for the words)."""
    fields = _keyword(call, "configurable_fields")
    model = _model(call)
    if (fields is not None and not is_none(fields)) or model is None or is_none(model):
        return CONFIGURABLE
    provider = _keyword(call, "model_provider")
    if provider is not None and not is_none(provider):
        named = constant_string(provider, module.analysis)
        return UNKNOWN if named is None else _named_provider(named)
    text = constant_string(model, module.analysis)
    if text is None:
        return UNKNOWN
    prefix, colon, _ = text.partition(":")
    if colon and prefix in (OPENAI, "azure_openai"):  # `_parse_model` compares the prefix as written
        return _named_provider(prefix)
    # Any other "provider:" prefix names that provider; without one LangChain infers from the id.
    return OPENAI if text.lower().startswith(OPENAI_ID_STARTS) else OTHER


def embeddings_route(call: ast.Call, module: ModuleInfo) -> str:
    """Where `init_embeddings(...)` sends its requests: the provider is named, never inferred."""
    provider = _keyword(call, "provider")
    if provider is not None and not is_none(provider):
        named = constant_string(provider, module.analysis)
        return UNKNOWN if named is None else _named_provider(named.strip())
    text = constant_string(_model(call), module.analysis)
    if text is None:
        return UNKNOWN
    prefix, colon, _ = text.partition(":")
    return _named_provider(prefix.strip()) if colon else OTHER  # LangChain raises without a provider


def factory_route(call: ast.Call, name: str | None, module: ModuleInfo) -> str | None:
    """The route of a call to one of the factories (`name` is its qualified callee); None for other calls."""
    if name in CHAT_FACTORY:
        return chat_route(call, module)
    if name in EMBEDDINGS_FACTORY:
        return embeddings_route(call, module)
    return None
