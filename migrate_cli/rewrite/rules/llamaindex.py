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
`OpenAIMultiModal` (llama-index-multi-modal-llms-openai: a subclass of `OpenAI` since 0.5, with the
same `api_base`/`api_key` before) is rewritten and reviewed like `OpenAI`.
`OpenAIResponses` (Responses API, OpenAI-only on most providers) and the Azure classes are reviewed
and not rewritten. So are the OpenAI classes that take no URL at all:
- `OpenAIAgent.from_tools(...)`, `OpenAIAgentWorker.from_tools(...)` and
  `OpenAIPydanticProgram.from_defaults(...)` without `llm=` use `Settings.llm`, which LlamaIndex builds
  as `OpenAI()` from the environment unless the app sets it (`llm = llm or Settings.llm` in
  llama-index-agent-openai `base.py` / llama-index-program-openai `base.py`): reviewed unless this
  file assigns `Settings.llm`;
- `OpenAIAssistantAgent` builds `openai.OpenAI(api_key=...)` for OpenAI's Assistants API
  (`openai_assistant_agent.py`): it stays on OpenAI.
Source: https://github.com/run-llama/llama_index/tree/main/llama-index-integrations
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.analysis.values import is_none, string_value
from migrate_cli.rewrite.api.construction import ConstructionSpec
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.framework import callee_within, keyword, lands_on_target, mentions, qualified_names
from migrate_cli.rewrite.api.rule import FixSafety, Rule
from migrate_cli.rewrite.api.spec_construction import SpecConstruction

# `llama_index` (0.10+ split packages and the 0.9 monolith) and the 0.10 `llama_index.legacy` copy.
_PACKAGES = ("llama_index", "llama_index.legacy")
LLM = qualified_names(_PACKAGES, {"OpenAI": ("llms", "llms.openai", "llms.openai.base")})
LIKE = qualified_names(_PACKAGES, {"OpenAILike": ("llms", "llms.openai_like", "llms.openai_like.base")})
EMBEDDING = qualified_names(
    _PACKAGES, {"OpenAIEmbedding": ("embeddings", "embeddings.openai", "embeddings.openai.base")}
)
RESPONSES = qualified_names(("llama_index",), {"OpenAIResponses": ("llms.openai", "llms.openai.responses")})
MULTI_MODAL = qualified_names(
    _PACKAGES, {"OpenAIMultiModal": ("multi_modal_llms", "multi_modal_llms.openai", "multi_modal_llms.openai.base")}
)
_AGENTS = qualified_names(
    ("llama_index",),
    {
        "OpenAIAgent": ("agent", "agent.openai", "agent.openai.base"),
        "OpenAIAgentWorker": ("agent.openai", "agent.openai.step"),
    },
)
_PROGRAMS = qualified_names(
    ("llama_index",), {"OpenAIPydanticProgram": ("program", "program.openai", "program.openai.base")}
)
#: Factories that fall back to `Settings.llm` (OpenAI from the environment) without `llm=`.
ON_SETTINGS_LLM = frozenset(f"{name}.from_tools" for name in _AGENTS) | frozenset(
    f"{name}.from_defaults" for name in _PROGRAMS
)
_ASSISTANTS = qualified_names(
    ("llama_index",), {"OpenAIAssistantAgent": ("agent", "agent.openai", "agent.openai.openai_assistant_agent")}
)
ASSISTANTS = _ASSISTANTS | frozenset(
    f"{name}.{method}" for name in _ASSISTANTS for method in ("from_new", "from_existing")
)
SETTINGS = frozenset({"llama_index.core.Settings", "llama_index.core.settings.Settings"})
AZURE = qualified_names(
    _PACKAGES,
    {
        "AzureOpenAI": ("llms", "llms.azure_openai", "llms.azure_openai.base"),
        "AzureOpenAIEmbedding": ("embeddings", "embeddings.azure_openai", "embeddings.azure_openai.base"),
    },
)

# `resolve_embed_model("default")` builds `OpenAIEmbedding()` from $OPENAI_API_KEY
# (llama-index-core `llama_index/core/embeddings/utils.py`); so does a Settings.embed_model left unset.
RESOLVE_EMBED_MODEL = qualified_names(
    _PACKAGES,
    {"resolve_embed_model": ("core.embeddings", "core.embeddings.utils", "embeddings", "embeddings.utils")},
)
_ALL = LLM | LIKE | EMBEDDING | RESPONSES | AZURE | MULTI_MODAL | ON_SETTINGS_LLM | ASSISTANTS | RESOLVE_EMBED_MODEL

_SKIP_IF = ("openai_client", "async_openai_client")
_LLM_SPEC = ConstructionSpec(
    callees=LLM | LIKE | MULTI_MODAL, url_params=("api_base",), skip_if=_SKIP_IF, positional_ok=True
)
_EMBEDDING_SPEC = ConstructionSpec(callees=EMBEDDING, url_params=("api_base",), skip_if=_SKIP_IF, positional_ok=True)

# Positional parameters before `api_key` in the constructors' signatures (model, temperature,
# max_tokens, additional_kwargs, max_retries, timeout, reuse_client / mode, model, embed_batch_size,
# dimensions, additional_kwargs): more positionals than that may be the key or the URL.
_LLM_POSITIONALS = 7
_EMBEDDING_POSITIONALS = 5


class LlamaIndexRule(Rule):
    code = "MC011"
    name = "llamaindex"
    fix_safety = FixSafety.SAFE
    summary = "LlamaIndex OpenAI/OpenAILike/OpenAIEmbedding: api_base and api_key point at the target"
    # Classes named OpenAI..., and LlamaIndex code that names none: its default LLM and embedding
    # model are OpenAI's (https://developers.llamaindex.ai/python/framework/module_guides/models/llms/usage_custom).
    needles = (b"openai", b"llama_index")

    _constructions = (
        SpecConstruction(_LLM_SPEC, positional_limit=_LLM_POSITIONALS),
        SpecConstruction(_EMBEDDING_SPEC, positional_limit=_EMBEDDING_POSITIONALS),
    )

    def constructions(self) -> tuple[Rule, ...]:
        return self._constructions

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "llama_index"):
            return []
        edits: list[Edit] = []
        for construction in self._constructions:
            edits.extend(construction.find(module, report))
        target = module.target.base_url
        settings_llm_set: bool | None = None  # looked up on the first factory without llm=
        for call in module.analysis.calls:
            name = callee_within(call, module, _ALL)
            if name is None:
                continue
            label = short_name(name)
            if name in RESOLVE_EMBED_MODEL:
                _review_resolve_embed_model(call, module, report)
            elif name in ON_SETTINGS_LLM or name in ASSISTANTS:
                if name in ON_SETTINGS_LLM and settings_llm_set is None and not _has_llm(call):
                    settings_llm_set = _assigns_settings_llm(module)
                _review_no_url_class(call, name, bool(settings_llm_set), module, report)
            elif (
                name in MULTI_MODAL and len(call.args) <= _LLM_POSITIONALS and lands_on_target(call, _LLM_SPEC, module)
            ):
                report.review(
                    call,
                    f"{label}() checks the model id against OpenAI's model list and raises ValueError('Unknown model "
                    f"...') for {target}'s models: use OpenAILikeMultiModal (llama-index-multi-modal-llms-openai-like) "
                    "or OpenAILike(..., is_chat_model=True) with image blocks",
                )
            elif name in LLM and len(call.args) <= _LLM_POSITIONALS and lands_on_target(call, _LLM_SPEC, module):
                report.review(
                    call,
                    f"{label}() checks the model id against OpenAI's model list at every call and raises "
                    f"ValueError('Unknown model ...') for {target}'s models: use OpenAILike(model=..., api_base=..., "
                    "api_key=..., is_chat_model=True, context_window=...) from llama-index-llms-openai-like",
                )
            elif (
                name in EMBEDDING
                and len(call.args) <= _EMBEDDING_POSITIONALS
                and lands_on_target(call, _EMBEDDING_SPEC, module)
            ):
                report.review(
                    call,
                    f"{label}() only accepts OpenAI's embedding model names (its constructor raises ValueError for "
                    f"others): for {target}'s embedding models use OpenAILikeEmbedding from "
                    "llama-index-embeddings-openai-like",
                )
            elif name in RESPONSES:
                report.review(
                    call,
                    f"{label}() calls the Responses API, which most OpenAI-compatible providers do not serve: left as "
                    f"is; use OpenAILike for {target}",
                )
            elif name in AZURE:
                report.review(
                    call,
                    f"{label}() is Azure OpenAI, which this rule does not move: migrate it by hand (its "
                    "engine/deployment names are not model ids)",
                )
        return edits


def _has_llm(call: ast.Call) -> bool:
    return any(k.arg in ("llm", None) for k in call.keywords)  # `**options` may carry it


def _assigns_settings_llm(module: ModuleInfo) -> bool:
    """The file sets `Settings.llm = ...` (the app's LLM for every component that gets none)."""
    return any(
        isinstance(target, ast.Attribute) and target.attr == "llm" and module.qualify(target.value).single in SETTINGS
        for node in ast.walk(module.tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
    )


def _review_resolve_embed_model(call: ast.Call, module: ModuleInfo, report: Recorder) -> None:
    """`resolve_embed_model("default")`, or a value that may be "default" (a settings field)."""
    value = call.args[0] if call.args else keyword(call, "embed_model")
    literal = string_value(value)
    if value is None or is_none(value) or (literal is not None and literal != "default"):
        return  # None turns embeddings off; "local:...", "clip:..." are not OpenAI's
    given = (
        'resolve_embed_model("default")' if literal == "default" else f"resolve_embed_model({module.segment(value)})"
    )
    when = "" if literal == "default" else ' when given "default"'
    target = module.target
    report.review(
        call,
        f"{given} builds OpenAIEmbedding() from $OPENAI_API_KEY{when}, which stays on OpenAI: pass "
        f'OpenAIEmbedding(model=..., api_base="{target.base_url}", api_key=os.environ["{target.api_key_env}"]) '
        f"instead (an embedding model {target.base_url} serves)",
    )


def _review_no_url_class(
    call: ast.Call, name: str, settings_llm_set: bool, module: ModuleInfo, report: Recorder
) -> None:
    """The OpenAI classes with no URL parameter: the agents and programs on `Settings.llm`, the Assistants agent."""
    target = module.target
    if name in ASSISTANTS:
        report.review(
            call,
            f"{short_name(name.removesuffix('.from_new').removesuffix('.from_existing'))} uses OpenAI's Assistants "
            "API with its own openai.OpenAI client (no base URL parameter): it stays on OpenAI; rebuild it as an "
            "agent on an LLM for the target to move it",
        )
    elif not _has_llm(call) and not settings_llm_set:
        owner = short_name(name.rsplit(".", 1)[0])
        report.review(
            call,
            f"{owner}.{short_name(name)}(...) without llm= uses Settings.llm, which LlamaIndex builds as OpenAI() "
            "from OPENAI_API_KEY / OPENAI_API_BASE unless the app sets it, so it still talks to OpenAI: pass "
            f'llm=OpenAILike(model=..., api_base="{target.base_url}", api_key=os.environ["{target.api_key_env}"], '
            "is_chat_model=True, is_function_calling_model=True) (llama-index-llms-openai-like), or set Settings.llm",
        )
