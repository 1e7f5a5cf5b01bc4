"""MC011 llamaindex: point LlamaIndex's OpenAI LLM, OpenAILike and OpenAIEmbedding at the target.

Rewrites `llama_index.llms.openai.OpenAI(...)`, `llama_index.llms.openai_like.OpenAILike(...)` and
`llama_index.embeddings.openai.OpenAIEmbedding(...)` (also through their `.base` modules, the 0.9
`llama_index.llms` / `llama_index.embeddings` exports and the 0.10 `llama_index.legacy` copies) by
the shared policy (policy.py): URL parameter `api_base`, key `api_key`. Without an explicit URL these
classes take env `OPENAI_API_BASE`, then `openai.base_url`, then OpenAI's URL
(`resolve_openai_credentials` in llama-index-llms-openai `utils.py`), so the URL is always written
out. A construction given `openai_client=` / `async_openai_client=` is left alone: that client is
rewritten where it is built (MC001).

Migrated, but listed for review, because the code would otherwise fail at run time:
- `OpenAI` checks the model id against OpenAI's model table whenever it needs the model's metadata
  (every chat/complete call): `openai_modelname_to_contextsize()` raises `ValueError("Unknown model
  ...")` for any other id. The target's models need `OpenAILike(model=..., is_chat_model=True,
  context_window=...)` (package llama-index-llms-openai-like).
- `OpenAIEmbedding` raises `ValueError` in its constructor for a model that is not one of OpenAI's
  embedding models (`get_engine()` in llama-index-embeddings-openai `base.py`); the target's models
  need `OpenAILikeEmbedding` (llama-index-embeddings-openai-like).
`OpenAIResponses` (Responses API, OpenAI-only on most providers) and the Azure classes are reviewed
and not rewritten. Source: https://github.com/run-llama/llama_index/tree/main/llama-index-integrations
"""

from __future__ import annotations

from collections.abc import Iterable

from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit
from migrate_cli.rewrite.framework import SpecConstruction, callee_within, lands_on_target, mentions, qualified_names
from migrate_cli.rewrite.names import short_name
from migrate_cli.rewrite.rules.base import Rule
from migrate_cli.rewrite.rules.construction import ConstructionSpec

# `llama_index` (0.10+ split packages and the 0.9 monolith) and the 0.10 `llama_index.legacy` copy.
_PACKAGES = ("llama_index", "llama_index.legacy")
LLM = qualified_names(_PACKAGES, {"OpenAI": ("llms", "llms.openai", "llms.openai.base")})
LIKE = qualified_names(_PACKAGES, {"OpenAILike": ("llms", "llms.openai_like", "llms.openai_like.base")})
EMBEDDING = qualified_names(
    _PACKAGES, {"OpenAIEmbedding": ("embeddings", "embeddings.openai", "embeddings.openai.base")}
)
RESPONSES = qualified_names(("llama_index",), {"OpenAIResponses": ("llms.openai", "llms.openai.responses")})
AZURE = qualified_names(
    _PACKAGES,
    {
        "AzureOpenAI": ("llms", "llms.azure_openai", "llms.azure_openai.base"),
        "AzureOpenAIEmbedding": ("embeddings", "embeddings.azure_openai", "embeddings.azure_openai.base"),
    },
)

_ALL = LLM | LIKE | EMBEDDING | RESPONSES | AZURE

_SKIP_IF = ("openai_client", "async_openai_client")
_LLM_SPEC = ConstructionSpec(callees=LLM | LIKE, url_params=("api_base",), skip_if=_SKIP_IF, positional_ok=True)
_EMBEDDING_SPEC = ConstructionSpec(callees=EMBEDDING, url_params=("api_base",), skip_if=_SKIP_IF, positional_ok=True)

# Positional parameters before `api_key` in the constructors' signatures (model, temperature,
# max_tokens, additional_kwargs, max_retries, timeout, reuse_client / mode, model, embed_batch_size,
# dimensions, additional_kwargs): more positionals than that may be the key or the URL.
_LLM_POSITIONALS = 7
_EMBEDDING_POSITIONALS = 5


class LlamaIndexRule(Rule):
    code = "MC011"
    name = "llamaindex"
    summary = "LlamaIndex OpenAI/OpenAILike/OpenAIEmbedding: api_base and api_key point at the target"
    # Classes named OpenAI..., and LlamaIndex code that names none: its default LLM and embedding
    # model are OpenAI's (https://developers.llamaindex.ai/python/framework/module_guides/models/llms/usage_custom).
    needles = (b"openai", b"llama_index")

    _constructions = (
        SpecConstruction(_LLM_SPEC, positional_limit=_LLM_POSITIONALS),
        SpecConstruction(_EMBEDDING_SPEC, positional_limit=_EMBEDDING_POSITIONALS),
    )

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "llama_index"):
            return []
        edits: list[Edit] = []
        for construction in self._constructions:
            edits.extend(construction.find(module, report))
        target = module.target.base_url
        for call in module.analysis.calls:
            name = callee_within(call, module, _ALL)
            if name is None:
                continue
            label = short_name(name)
            if name in LLM and len(call.args) <= _LLM_POSITIONALS and lands_on_target(call, _LLM_SPEC, module):
                report.review(
                    call,
                    f"{label}() checks the model id against OpenAI's model list at every call and raises ValueError('Unknown model ...') for {target}'s models: use OpenAILike(model=..., api_base=..., api_key=..., is_chat_model=True, context_window=...) from llama-index-llms-openai-like",
                )
            elif (
                name in EMBEDDING
                and len(call.args) <= _EMBEDDING_POSITIONALS
                and lands_on_target(call, _EMBEDDING_SPEC, module)
            ):
                report.review(
                    call,
                    f"{label}() only accepts OpenAI's embedding model names (its constructor raises ValueError for others): for {target}'s embedding models use OpenAILikeEmbedding from llama-index-embeddings-openai-like",
                )
            elif name in RESPONSES:
                report.review(
                    call,
                    f"{label}() calls the Responses API, which most OpenAI-compatible providers do not serve: left as is; use OpenAILike for {target}",
                )
            elif name in AZURE:
                report.review(
                    call,
                    f"{label}() is Azure OpenAI, which this rule does not move: migrate it by hand (its engine/deployment names are not model ids)",
                )
        return edits
