"""MC010 langchain: point LangChain's OpenAI chat model, LLM and embeddings at the target.

Rewrites `ChatOpenAI(...)`, `OpenAI(...)` and `OpenAIEmbeddings(...)` from `langchain_openai` (and
its submodules, e.g. `langchain_openai.chat_models.ChatOpenAI`) and from the older
`langchain.chat_models|llms|embeddings` / `langchain_community.*` paths, by the shared policy
(policy.py). The URL parameter is `base_url` or its field name `openai_api_base`, the key `api_key` or
`openai_api_key`. A missing URL/key is added as `base_url`/`api_key` on `langchain_openai`, and as
`openai_api_base`/`openai_api_key` on the legacy classes: those field names work in every release of
them, while the `base_url`/`api_key` aliases only exist since the openai>=1 era (before, an unknown
keyword was moved into `model_kwargs` and sent with every request).

Why the URL is always written out: langchain-openai resolves the base URL as explicit argument >
env `OPENAI_API_BASE` (read by LangChain at init) > env `OPENAI_BASE_URL` (read by the openai SDK),
so a construction without one silently follows whichever env var the deployment sets
(langchain-openai `chat_models/base.py`, `openai_api_base` field; `validate_environment`).
`openai_proxy` (env `OPENAI_PROXY`) is an HTTP proxy for the connection, not the API URL: it is kept,
and listed for review so nobody mistakes it for the endpoint.

Reviewed, not rewritten: the Azure classes (`AzureChatOpenAI`, ...: deployments, not model ids), and
on a migrated construction: `OpenAIEmbeddings` without `check_embedding_ctx_length=False` (it then
sends token ids, which most OpenAI-compatible servers reject: see the class docstring's "OpenAI-
compatible APIs" note), and `use_responses_api=True` (the Responses API is OpenAI-only on most
providers). Source: https://github.com/langchain-ai/langchain/tree/master/libs/partners/openai
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.redact import redact
from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit
from migrate_cli.rewrite.framework import (
    SpecConstruction,
    is_constant,
    keyword,
    lands_on_target,
    mentions,
    qualified_names,
)
from migrate_cli.rewrite.names import short_name
from migrate_cli.rewrite.rules.base import Rule
from migrate_cli.rewrite.rules.construction import ConstructionSpec

_MODERN_HOMES = {
    "ChatOpenAI": ("chat_models", "chat_models.base"),
    "OpenAI": ("llms", "llms.base"),
    "OpenAIEmbeddings": ("embeddings", "embeddings.base"),
}
_LEGACY_HOMES = {
    "ChatOpenAI": ("chat_models", "chat_models.openai"),
    "OpenAI": ("llms", "llms.openai"),
    "OpenAIEmbeddings": ("embeddings", "embeddings.openai"),
}
_AZURE_HOMES = {
    "AzureChatOpenAI": ("chat_models", "chat_models.azure", "chat_models.azure_openai"),
    "AzureOpenAI": ("llms", "llms.azure", "llms.openai"),
    "AzureOpenAIEmbeddings": ("embeddings", "embeddings.azure", "embeddings.azure_openai"),
}
_LEGACY_PACKAGES = ("langchain", "langchain_community")

MODERN = qualified_names(("langchain_openai",), _MODERN_HOMES)
LEGACY = qualified_names(_LEGACY_PACKAGES, _LEGACY_HOMES)
AZURE = qualified_names(("langchain_openai", *_LEGACY_PACKAGES), _AZURE_HOMES)

_ALL = MODERN | LEGACY | AZURE

_MODERN_SPEC = ConstructionSpec(
    callees=MODERN, url_params=("base_url", "openai_api_base"), key_params=("api_key", "openai_api_key")
)
_LEGACY_SPEC = ConstructionSpec(
    callees=LEGACY, url_params=("openai_api_base", "base_url"), key_params=("openai_api_key", "api_key")
)


class _ModernConstruction(SpecConstruction):
    def match(self, call: ast.Call, module: ModuleInfo) -> tuple[str | None, str | None]:
        if module.qualify(call.func).names & LEGACY:
            return None, None  # also (or only) a legacy class: _LegacyConstruction's
        return super().match(call, module)


class _LegacyConstruction(SpecConstruction):
    def match(self, call: ast.Call, module: ModuleInfo) -> tuple[str | None, str | None]:
        names = module.qualify(call.func).names
        if len(names) > 1 and names & LEGACY and names <= MODERN | LEGACY:
            # `if ...: from langchain_openai import ChatOpenAI / else: from langchain.chat_models import
            # ChatOpenAI`: LangChain's class either way, and the field names fit both.
            return short_name(min(names)), None
        return super().match(call, module)


class LangChainRule(Rule):
    code = "MC010"
    name = "langchain"
    summary = "LangChain ChatOpenAI/OpenAI/OpenAIEmbeddings: base_url and api_key point at the target"
    # Classes named ...OpenAI..., and init_chat_model("gpt-4o"), whose provider LangChain infers
    # from the model name (https://python.langchain.com/api_reference/langchain/chat_models/
    # langchain.chat_models.base.init_chat_model.html).
    needles = (b"openai", b"init_chat_model")

    _constructions = (_ModernConstruction(_MODERN_SPEC), _LegacyConstruction(_LEGACY_SPEC))

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "langchain"):
            return []
        edits: list[Edit] = []
        for construction in self._constructions:
            edits.extend(construction.find(module, report))
        for call in module.analysis.calls:
            names = module.qualify(call.func).names
            if not names or not names <= _ALL:
                continue  # not LangChain's, or also something else (the constructions review that)
            label = short_name(min(names))
            if names <= AZURE:
                report.review(
                    call,
                    f"{label} is Azure OpenAI, which this rule does not move: migrate it by hand (its deployment names are not model ids)",
                )
            elif (names <= MODERN and lands_on_target(call, _MODERN_SPEC, module)) or (
                names <= MODERN | LEGACY and names & LEGACY and lands_on_target(call, _LEGACY_SPEC, module)
            ):
                _advise(call, label, module, report)
        return edits


def _advise(call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> None:
    """What still needs a person on a construction that now talks to the target."""
    target = module.target.base_url
    proxy = keyword(call, "openai_proxy")
    if proxy is not None:
        report.review(
            call,
            f"{label}(openai_proxy={redact(module.segment(proxy))}) is kept: it is an HTTP proxy for the connection, not the API URL, so requests to {target} go through it too",
        )
    if label == "OpenAIEmbeddings" and not is_constant(keyword(call, "check_embedding_ctx_length"), False):
        report.review(
            call,
            f"OpenAIEmbeddings sends token ids instead of text unless check_embedding_ctx_length=False; most OpenAI-compatible servers only take text: add check_embedding_ctx_length=False unless {target} documents token-id input",
        )
    if label == "ChatOpenAI" and is_constant(keyword(call, "use_responses_api"), True):
        report.review(
            call,
            f"ChatOpenAI(use_responses_api=True) calls the Responses API, which most OpenAI-compatible providers do not serve: check that {target} does, or drop it",
        )
