"""MC013 pydantic-ai: point pydantic-ai's OpenAIProvider at the target; flag models chosen by name.

Rewrites `OpenAIProvider(base_url=, api_key=)` (`pydantic_ai.providers.openai`), the object passed as
`provider=` to `OpenAIChatModel(...)` / `OpenAIModel(...)` / `OpenAIResponsesModel(...)`, by the
shared policy (policy.py); without a URL it builds an `AsyncOpenAI` that reads `OPENAI_BASE_URL`.
A provider given `openai_client=` is left alone: that client is rewritten where it is built (MC001).

`OpenAIChatModel("gpt-4o")` and `OpenAIChatModel("gpt-4o", provider="openai")` (also "openai-chat",
"openai-responses", and `OpenAIModel(..., provider="openai")`) build that provider from env
(`OPENAI_API_KEY`, `OPENAI_BASE_URL`: `infer_provider("openai")` is `OpenAIProvider()`), so the rule
passes `provider=OpenAIProvider(base_url=<target>, api_key=os.environ[...])` instead, importing
`OpenAIProvider` from `pydantic_ai.providers.openai` when the module has none
(`models/openai/_chat_model.py`: `provider: ... | Literal['openai', 'openai-chat', 'gateway'] = 'openai'`).

Reviewed, because the right rewrite needs imports and a model id only the user can choose:
- a model picked by string, `Agent("openai:gpt-4o")` / `infer_model("openai-chat:...")`, and
  `OpenAIModel("gpt-4o")` without a provider (before providers existed, pydantic-ai <= 0.0.30, that
  class took no `provider=`, so adding one could break the call) or `OpenAIResponsesModel` without a
  provider object: pydantic-ai builds an OpenAI provider from env, so the code keeps talking to OpenAI;
- `OpenAIResponsesModel` on a migrated provider: the Responses API is OpenAI-only on most providers;
- a migrated `OpenAIProvider` itself, once: pydantic-ai keeps OpenAI's model profile (OpenAI-only
  request features) for any `base_url`, and recent releases point other services at
  `OpenAICompatibleProvider` (see the `OpenAIProvider` docstring in
  `pydantic_ai/providers/openai.py`).
Source: https://github.com/pydantic/pydantic-ai (`providers/openai.py`, `models/__init__.py`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.analysis.values import string_value
from migrate_cli.rewrite.api.construction import ConstructionSpec
from migrate_cli.rewrite.api.context import Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import AddKeywords, Edit, ReplaceExpr
from migrate_cli.rewrite.api.framework import (
    argument,
    callee,
    keyword,
    lands_on_target,
    lands_on_target_as,
    mentions,
)
from migrate_cli.rewrite.api.policy import default_key_code
from migrate_cli.rewrite.api.rule import FixSafety, Rule
from migrate_cli.rewrite.api.spec_construction import SpecConstruction

_PROVIDER_HOME = "pydantic_ai.providers.openai"
PROVIDER = frozenset({f"{_PROVIDER_HOME}.OpenAIProvider"})
_MODEL_MODULES = (
    "pydantic_ai.models.openai",
    "pydantic_ai.models.openai._chat_model",
    "pydantic_ai.models.openai._responses_model",
)
CHAT_MODELS = frozenset(f"{m}.{cls}" for m in _MODEL_MODULES for cls in ("OpenAIModel", "OpenAIChatModel"))
RESPONSES_MODELS = frozenset(f"{m}.OpenAIResponsesModel" for m in _MODEL_MODULES)
# Callables whose first argument (or `model=`) may be a "provider:model" string.
MODEL_BY_NAME = frozenset({"pydantic_ai.Agent", "pydantic_ai.agent.Agent", "pydantic_ai.models.infer_model"})
# Prefixes that make pydantic-ai build an OpenAI provider from env.
OPENAI_PREFIXES = ("openai:", "openai-chat:", "openai-responses:")
# String values of `provider=` that mean "OpenAI, from env".
OPENAI_PROVIDER_NAMES = frozenset({"openai", "openai-chat", "openai-responses"})

_PROVIDER_SPEC = ConstructionSpec(callees=PROVIDER, skip_if=("openai_client",))
# pydantic-ai before providers (<= 0.0.30) took the URL and key on the model itself:
# `OpenAIModel("gpt-4o", base_url=..., api_key=...)`. Later releases refuse those keywords, so they
# are only rewritten where the call already uses them, never added.
_LEGACY_MODEL_SPEC = ConstructionSpec(
    callees=frozenset(n for n in CHAT_MODELS if n.endswith(".OpenAIModel")),
    skip_if=("provider", "openai_client"),
    positional_ok=True,
    applies=lambda call, module: _legacy_model_form(call),
)


def _legacy_model_form(call: ast.Call) -> bool:
    return any(k.arg in ("base_url", "api_key", "openai_client") for k in call.keywords)


def _provider_given(call: ast.Call, name: str, module: ModuleInfo, report: Recorder) -> list[Edit]:
    """`OpenAIChatModel("gpt-4o"[, provider="openai"])` -> `provider=OpenAIProvider(base_url=..., api_key=...)`.

    Empty when the call is not of that form, or when the provider object cannot be written here
    (`OpenAIProvider` names something else, `os` is rebound): `_check_model` then reviews it.
    """
    provider = keyword(call, "provider")
    if any(k.arg is None for k in call.keywords) or len(call.args) > 1:
        return []
    if provider is None and not name.endswith(".OpenAIChatModel"):
        return []  # OpenAIModel before pydantic-ai 0.0.31 took no provider=: only the string form proves it does
    if provider is not None and string_value(provider) not in OPENAI_PROVIDER_NAMES:
        return []
    # Asked on a scratch recorder first: a call left for review must not get an import for nothing.
    if module.reach(PROVIDER, "OpenAIProvider", _PROVIDER_HOME, call, Recorder("", Findings())) is None:
        return []
    key = default_key_code(module, call, report)
    local = module.reach(PROVIDER, "OpenAIProvider", _PROVIDER_HOME, call, report) if key is not None else None
    if local is None or key is None:
        return []
    code = f'{local}(base_url="{module.target.base_url}", api_key={key})'
    label = short_name(name)
    shown = "no provider" if provider is None else f"provider={module.segment(provider)}"
    report.change(
        call,
        f"{label}(): {shown} -> provider=OpenAIProvider(base_url={module.target.base_url}, "
        f"api_key=${module.target.api_key_env})",
    )
    if provider is None:
        return [AddKeywords(call, (("provider", code),))]
    return [ReplaceExpr(provider, code)]


class PydanticAIRule(Rule):
    code = "MC013"
    name = "pydantic-ai"
    fix_safety = FixSafety.SAFE
    summary = "pydantic-ai OpenAIProvider points at the target; 'openai:...' model strings flagged"
    # Constructs with "openai" in their name or model string, and pydantic-ai code that names neither
    # (a bare "gpt-4o" model name is inferred to be OpenAI's).
    needles = (b"openai", b"pydantic_ai")

    _provider = SpecConstruction(_PROVIDER_SPEC)
    _legacy_model = SpecConstruction(_LEGACY_MODEL_SPEC, positional_limit=1)

    def constructions(self) -> tuple[Rule, ...]:
        return (self._provider, self._legacy_model)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "pydantic_ai"):
            return []
        edits = [*self._provider.find(module, report), *self._legacy_model.find(module, report)]
        target = module.target.base_url
        provider_code = f'OpenAIProvider(base_url="{target}", api_key=os.environ["{module.target.api_key_env}"])'
        profile_noted = False
        for call in module.analysis.calls:
            name = callee(call, module)
            given = None
            if name in CHAT_MODELS and not _legacy_model_form(call):
                given = _provider_given(call, name, module, report)
                edits += given
            if (given or (name in PROVIDER and lands_on_target(call, _PROVIDER_SPEC, module))) and not profile_noted:
                profile_noted = True
                report.review(
                    call,
                    f"OpenAIProvider keeps OpenAI's model profile (OpenAI-only request features) whatever its "
                    f"base_url; if {target} rejects a request, use OpenAICompatibleProvider (recent pydantic-ai) "
                    "or a custom profile",
                )
            if given or (name in PROVIDER):
                continue
            if name in MODEL_BY_NAME:
                model = string_value(argument(call, 0, "model"))
                if model is not None and model.startswith(OPENAI_PREFIXES):
                    report.review(
                        call,
                        f'{short_name(name)}("{model}") builds an OpenAI provider from '
                        "OPENAI_API_KEY/OPENAI_BASE_URL, so it still talks to OpenAI: pass "
                        f'OpenAIChatModel("<model>", provider={provider_code}) instead',
                    )
            elif name in CHAT_MODELS or name in RESPONSES_MODELS:
                self._check_model(call, short_name(name), name in RESPONSES_MODELS, provider_code, module, report)
        return edits

    @staticmethod
    def _check_model(
        call: ast.Call, label: str, responses: bool, provider_code: str, module: ModuleInfo, report: Recorder
    ) -> None:
        provider = keyword(call, "provider")
        if any(k.arg is None for k in call.keywords) or _legacy_model_form(call):
            return  # `**kwargs` may carry the provider; the legacy form is rewritten above
        if provider is None or string_value(provider) in OPENAI_PROVIDER_NAMES:
            shown = "no provider" if provider is None else f"provider={module.segment(provider)}"
            report.review(
                call,
                f"{label}(...) with {shown} builds an OpenAI provider from OPENAI_API_KEY/OPENAI_BASE_URL, so it "
                f"still talks to OpenAI: pass provider={provider_code}",
            )
        elif responses and lands_on_target_as(provider, _PROVIDER_SPEC, module):
            report.review(
                call,
                f"{label} calls the Responses API, which most OpenAI-compatible providers do not serve: use "
                f"OpenAIChatModel for {module.target.base_url}",
            )
