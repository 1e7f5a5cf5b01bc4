"""MC010 langchain: point LangChain's OpenAI chat model, LLM, embeddings and model factories at the target.

Rewrites `ChatOpenAI(...)`, `OpenAI(...)` and `OpenAIEmbeddings(...)` from `langchain_openai` (and
its submodules, e.g. `langchain_openai.chat_models.ChatOpenAI`) and from the older
`langchain.chat_models|llms|embeddings` / `langchain_community.*` paths (with the legacy
`OpenAIChat` LLM), by the shared policy (policy.py). The URL parameter is `base_url` or its field name
`openai_api_base`, the key `api_key` or `openai_api_key`. A missing URL/key is added as
`base_url`/`api_key` on `langchain_openai`, and as `openai_api_base`/`openai_api_key` on the legacy
classes: those field names work in every release of them, while the `base_url`/`api_key` aliases only
exist since the openai>=1 era (before, an unknown keyword was moved into `model_kwargs` and sent with
every request).

The model factories are rewritten the same way when they build an OpenAI model: `init_chat_model`
returns `ChatOpenAI(model=..., **kwargs)` for `"openai:gpt-4o"`, for `model_provider="openai"` and
for an id it infers as OpenAI's (`"gpt-4o"`), and `init_embeddings` returns
`OpenAIEmbeddings(model=..., **kwargs)` for `"openai:..."` / `provider="openai"`; both forward
`base_url=` and `api_key=` as they are (langchain_models.py says how the provider is picked). Reviewed
instead: a factory whose model or provider is only known at run time, one with `configurable_fields`
(the provider may change per call, and `base_url`/`api_key` would follow it to another provider),
and one that builds Azure's class.

Also rewritten: langchain_community's `DallEAPIWrapper` (`api_key`/`base_url`, aliases of
`openai_api_key`/`openai_api_base`) and `OpenAIWhisperParser(api_key=, base_url=)`, each with a review
that the target must serve the Images / audio transcription API they call. Reviewed, not rewritten:
`OpenAIModerationChain` (it has no URL parameter: it stays on OpenAI's moderation endpoint with
`OPENAI_API_KEY`) and `OpenAIAssistantRunnable` (OpenAI's Assistants API).

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
providers). Sources: https://github.com/langchain-ai/langchain/tree/master/libs/partners/openai,
`libs/community/langchain_community/utilities/dalle_image_generator.py` and
`document_loaders/parsers/audio.py` in https://github.com/langchain-ai/langchain-community.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.redact import redact
from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.api.construction import ConstructionSpec
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.framework import (
    callee,
    is_constant,
    keyword,
    lands_on_target,
    mentions,
    qualified_names,
)
from migrate_cli.rewrite.api.langchain_models import (
    AZURE as AZURE_ROUTE,
)
from migrate_cli.rewrite.api.langchain_models import (
    CHAT_FACTORY,
    CONFIGURABLE,
    EMBEDDINGS_FACTORY,
    OPENAI,
    UNKNOWN,
    factory_route,
)
from migrate_cli.rewrite.api.rule import FixSafety, Rule
from migrate_cli.rewrite.api.spec_construction import SpecConstruction

_MODERN_HOMES = {
    "ChatOpenAI": ("chat_models", "chat_models.base"),
    "OpenAI": ("llms", "llms.base"),
    "OpenAIEmbeddings": ("embeddings", "embeddings.base"),
}
_LEGACY_HOMES = {
    "ChatOpenAI": ("chat_models", "chat_models.openai"),
    "OpenAI": ("llms", "llms.openai"),
    "OpenAIChat": ("llms", "llms.openai"),
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
FACTORIES = CHAT_FACTORY | EMBEDDINGS_FACTORY

_COMMUNITY_PACKAGES = ("langchain_community", "langchain", "langchain_classic")
DALLE = qualified_names(_COMMUNITY_PACKAGES, {"DallEAPIWrapper": ("utilities", "utilities.dalle_image_generator")})
WHISPER = qualified_names(
    _COMMUNITY_PACKAGES, {"OpenAIWhisperParser": ("document_loaders.parsers", "document_loaders.parsers.audio")}
)
MODERATION = qualified_names(
    ("langchain", "langchain_classic"), {"OpenAIModerationChain": ("chains", "chains.moderation")}
)
_ASSISTANTS = qualified_names(
    ("langchain", "langchain_classic"),
    {"OpenAIAssistantRunnable": ("agents", "agents.openai_assistant", "agents.openai_assistant.base")},
) | qualified_names(
    ("langchain_community",),
    {"OpenAIAssistantV2Runnable": ("agents.openai_assistant", "agents.openai_assistant.base")},
)
ASSISTANTS = _ASSISTANTS | frozenset(f"{name}.create_assistant" for name in _ASSISTANTS)

_MODERN_SPEC = ConstructionSpec(
    callees=MODERN, url_params=("base_url", "openai_api_base"), key_params=("api_key", "openai_api_key")
)
_LEGACY_SPEC = ConstructionSpec(
    callees=LEGACY, url_params=("openai_api_base", "base_url"), key_params=("openai_api_key", "api_key")
)
# The factories forward these keywords to ChatOpenAI / OpenAIEmbeddings as they are.
_FACTORY_SPEC = ConstructionSpec(
    callees=FACTORIES,
    url_params=("base_url", "openai_api_base"),
    key_params=("api_key", "openai_api_key"),
    positional_ok=True,
    applies=lambda call, module: factory_route(call, callee(call, module), module) == OPENAI,
)
# `api_key`/`base_url` are the field aliases; `client=` / `async_client=` are images clients built elsewhere.
_DALLE_SPEC = ConstructionSpec(
    callees=DALLE,
    url_params=("base_url", "openai_api_base"),
    key_params=("api_key", "openai_api_key"),
    skip_if=("client", "async_client"),
)
# `OpenAIWhisperParser(api_key=None, *, ..., base_url=None, ...)`: the key may come first by position.
_WHISPER_SPEC = ConstructionSpec(callees=WHISPER, positional_ok=True)


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
    fix_safety = FixSafety.SAFE
    summary = (
        "LangChain ChatOpenAI/OpenAI/OpenAIEmbeddings and init_chat_model/init_embeddings for OpenAI: "
        "base_url and api_key point at the target"
    )
    # Most classes this rule matches have "openai" in their name; the factories and DallEAPIWrapper
    # (OpenAI's image API) may be the file's only mention of LangChain and OpenAI.
    needles = (b"openai", b"init_chat_model", b"init_embeddings", b"dalleapiwrapper")

    _constructions = (
        _ModernConstruction(_MODERN_SPEC),
        _LegacyConstruction(_LEGACY_SPEC),
        SpecConstruction(_FACTORY_SPEC, positional_limit=1),
        SpecConstruction(_DALLE_SPEC),
        SpecConstruction(_WHISPER_SPEC, positional_limit=0),
    )

    def constructions(self) -> tuple[Rule, ...]:
        return self._constructions

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "langchain"):
            return []
        edits: list[Edit] = []
        for construction in self._constructions:
            edits.extend(construction.find(module, report))
        for call in module.analysis.calls:
            names = module.qualify(call.func).names
            if len(names) == 1 and names <= _OTHERS:
                _check_other(call, min(names), module, report)
                continue
            if not names or not names <= _ALL:
                continue  # not LangChain's, or also something else (the constructions review that)
            label = short_name(min(names))
            if names <= AZURE:
                report.review(
                    call,
                    f"{label} is Azure OpenAI, which this rule does not move: migrate it by hand (its deployment "
                    "names are not model ids)",
                )
            elif (names <= MODERN and lands_on_target(call, _MODERN_SPEC, module)) or (
                names <= MODERN | LEGACY and names & LEGACY and lands_on_target(call, _LEGACY_SPEC, module)
            ):
                _advise(call, label, module, report)
        return edits


_OTHERS = FACTORIES | DALLE | WHISPER | MODERATION | ASSISTANTS


def _check_other(call: ast.Call, name: str, module: ModuleInfo, report: Recorder) -> None:
    """The factories and the other OpenAI-backed classes: advice where they move, a review where they cannot."""
    target, label = module.target.base_url, short_name(name.removesuffix(".create_assistant"))
    if name in FACTORIES:
        _check_factory(call, name, module, report)
    elif name in DALLE and lands_on_target(call, _DALLE_SPEC, module):
        report.review(
            call,
            "DallEAPIWrapper calls the Images API (model dall-e-2 unless model= says otherwise): "
            f"check that {target} serves images and pass model= one it serves, or keep this on OpenAI",
        )
    elif name in WHISPER and not call.args and lands_on_target(call, _WHISPER_SPEC, module):
        report.review(
            call,
            "OpenAIWhisperParser calls the audio transcription API (model whisper-1 unless model= says otherwise): "
            f"check that {target} serves /audio/transcriptions and pass model= one it serves",
        )
    elif name in MODERATION:
        report.review(
            call,
            "OpenAIModerationChain has no base URL parameter: it keeps calling OpenAI's moderation endpoint with "
            "$OPENAI_API_KEY; keep an OpenAI key for it, or remove it",
        )
    elif name in ASSISTANTS:
        report.review(
            call,
            f"{label} uses OpenAI's Assistants API, which OpenAI-compatible providers do not serve: it stays on "
            "OpenAI ($OPENAI_API_KEY, or the client= given); rebuild it as an agent on "
            "ChatOpenAI(base_url=..., api_key=...) to move it",
        )


def _check_factory(call: ast.Call, name: str, module: ModuleInfo, report: Recorder) -> None:
    label, route = short_name(name), factory_route(call, name, module)
    built = "ChatOpenAI" if name in CHAT_FACTORY else "OpenAIEmbeddings"
    key_advice = f'base_url="{module.target.base_url}" and api_key=os.environ["{module.target.api_key_env}"]'
    if route == OPENAI and lands_on_target(call, _FACTORY_SPEC, module):
        _advise(call, built, module, report)
    elif route == AZURE_ROUTE:
        report.review(
            call,
            f"{label}(...) builds Azure OpenAI's Azure{built}, which this rule does not move: "
            "migrate it by hand (its deployment names are not model ids)",
        )
    elif route == UNKNOWN:
        report.review(
            call,
            f"{label}(...): which provider serves this model is only known at run time; if it is OpenAI, this "
            f"builds {built} on OpenAI: pass {key_advice} "
            '(or make the model "openai:<id>" so the rewrite can add them)',
        )
    elif route == CONFIGURABLE:
        report.review(
            call,
            f"{label}(...) chooses its model and provider per call from config (configurable_fields), so the "
            "rewrite cannot add a URL and key that fit every provider: when it runs an OpenAI model it talks to "
            f"OpenAI; give those calls {key_advice}, or build ChatOpenAI with them",
        )


def _advise(call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> None:
    """What still needs a person on a construction that now talks to the target."""
    target = module.target.base_url
    proxy = keyword(call, "openai_proxy")
    if proxy is not None:
        report.review(
            call,
            f"{label}(openai_proxy={redact(module.segment(proxy))}) is kept: it is an HTTP proxy for the connection, "
            f"not the API URL, so requests to {target} go through it too",
        )
    if label == "OpenAIEmbeddings" and not is_constant(keyword(call, "check_embedding_ctx_length"), False):
        report.review(
            call,
            "OpenAIEmbeddings sends token ids instead of text unless check_embedding_ctx_length=False; most "
            f"OpenAI-compatible servers only take text: add check_embedding_ctx_length=False unless {target} "
            "documents token-id input",
        )
    if label == "ChatOpenAI" and is_constant(keyword(call, "use_responses_api"), True):
        report.review(
            call,
            "ChatOpenAI(use_responses_api=True) calls the Responses API, which most OpenAI-compatible providers do "
            f"not serve: check that {target} does, or drop it",
        )
