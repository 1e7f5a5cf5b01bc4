"""MC017 dspy: point DSPy language models for OpenAI at the target.

`dspy.LM("openai/gpt-4o-mini", api_base=..., api_key=...)` hands its keyword arguments to litellm,
which routes by the model string (stanfordnlp/dspy `dspy/clients/lm.py`; `api_base`/`base_url` are
left out of DSPy's cache key, L174 there). So a model written `"openai/<id>"` or as a bare OpenAI id
gets the target URL and key by the policy of policy.py (`api_base=` is inserted, DSPy's documented
spelling; an existing `base_url=` is rewritten in place); another provider's model is not ours. (A
bare id keeps working only while it is OpenAI's: MC004 reviews it, asking for "openai/<id>".)

`dspy.Embedder("openai/text-embedding-3-small", **kwargs)` hands its keyword arguments to
`litellm.embedding(model=..., **kwargs)` (`dspy/clients/embedding.py`), so an OpenAI model there gets
the same treatment. Its model may also be a local function (`Embedder(model.encode)`): a model that is
not a known string is left alone, and reviewed only when it is read from the environment.

The legacy client `dspy.OpenAI(model=..., api_key=..., api_base=...)` (DSPy <= 2.5, `dsp.GPT3`) sets
the openai SDK's module config from `api_base`; it gets the same treatment unless its
`api_provider` is not "openai" (Azure).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.values import env_read, string_value
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.litellm_routes import model_route, says_openai, unknown_route_reason
from migrate_cli.rewrite.api.rule import FixSafety, Rule

LM_CALLEES = frozenset({"dspy.LM", "dspy.clients.LM", "dspy.clients.lm.LM"})
EMBEDDER_CALLEES = frozenset({"dspy.Embedder", "dspy.clients.Embedder", "dspy.clients.embedding.Embedder"})
LEGACY_CALLEES = frozenset({"dspy.OpenAI", "dspy.GPT3", "dsp.GPT3", "dsp.modules.GPT3", "dsp.modules.gpt3.GPT3"})


class _LM(ConstructionRule):
    spec = ConstructionSpec(
        callees=LM_CALLEES, url_params=("api_base", "base_url"), key_params=("api_key",), positional_ok=True
    )

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        route = model_route(call, module, provider_param="custom_llm_provider")
        if route == "other":
            return Declined()
        if route == "unknown" and not says_openai(call, module):
            return Declined(unknown_route_reason(call, "dspy.LM", "api_base", module, model_form="{}"))
        return None


class _Embedder(ConstructionRule):
    spec = ConstructionSpec(
        callees=EMBEDDER_CALLEES, url_params=("api_base", "base_url"), key_params=("api_key",), positional_ok=True
    )

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        route = model_route(call, module, provider_param="custom_llm_provider")
        if route == "other":
            return Declined()
        if route == "unknown" and not says_openai(call, module):
            model = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "model"), None)
            if env_read(model, module.analysis) is not None or isinstance(model, ast.JoinedStr):
                return Declined(unknown_route_reason(call, "dspy.Embedder", "api_base", module, model_form="{}"))
            return Declined()  # a local embedding function, most likely
        return None


def _legacy_applies(call: ast.Call, module: ModuleInfo) -> bool:
    provider = next((k.value for k in call.keywords if k.arg == "api_provider"), None)
    return provider is None or string_value(provider) == "openai"


class _LegacyOpenAI(ConstructionRule):
    spec = ConstructionSpec(
        callees=LEGACY_CALLEES,
        url_params=("api_base",),
        key_params=("api_key",),
        positional_ok=True,
        applies=_legacy_applies,
    )

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        if len(call.args) > 1:  # (model, api_key, api_provider, api_base, ...): a later positional may be the key
            return Declined(
                f"dspy.{label}(...) with {len(call.args)} positional arguments may pass the key or URL by position: "
                "left as is; use keywords"
            )
        return None


class DSPyRule(Rule):
    code = "MC017"
    name = "dspy"
    fix_safety = FixSafety.SAFE
    summary = (
        'dspy.LM("openai/..."), dspy.Embedder("openai/...") and legacy dspy.OpenAI(...): '
        "api_base and api_key point at the target"
    )
    needles = (b"dspy",)  # legacy `dsp.GPT3` files name OPENAI_API_KEY too: the "openai" needle has them

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return
        yield from _LM().find(module, report)
        yield from _Embedder().find(module, report)
        yield from _LegacyOpenAI().find(module, report)
