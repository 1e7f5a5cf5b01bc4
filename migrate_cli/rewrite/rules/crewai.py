"""MC018 crewai: point CrewAI LLMs for OpenAI models at the target.

`crewai.LLM(model=..., base_url=..., api_key=...)` picks its provider from the model
(crewAI `llm.py`, `LLM._resolve_route`): `"openai/<id>"` and bare OpenAI ids (`"gpt-4o"`) use
the OpenAI provider, which reads `base_url` / `api_base` and `api_key` and falls back to
OPENAI_BASE_URL / OPENAI_API_BASE / OPENAI_API_KEY. Those constructions get the target URL and key
by the policy of policy.py (inserted when missing); another provider's model (`"anthropic/..."`,
`provider="gemini"`) is not ours. A model that is not a string here is reviewed unless the call's
own URL or key say OpenAI.

`Agent(llm="gpt-4o")` and an `Agent(...)` without `llm=` build their LLM from the environment
(OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL_NAME; docs.crewai.com/learn/llm-connections): there
is no argument to rewrite, so they are reviewed (the `Agent` without `llm=` once per file).

`Crew(...)` builds OpenAI-backed models of its own the same way, each reviewed: a `manager_llm=`,
`planning_llm=` or `function_calling_llm=` given as an OpenAI model name (`create_llm(name)`),
`planning=True` without `planning_llm=` (CrewAI's `CrewPlanner` then uses its default OpenAI model),
and `memory=True` without `embedder=` or with `embedder={"provider": "openai", ...}` whose config names
no `api_base` (memory then embeds with OpenAI from OPENAI_API_KEY: `memory/unified_memory.py`
`_default_embedder`, `rag/embeddings/providers/openai/types.py`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.model_ids import is_openai_model_id
from migrate_cli.rewrite.analysis.values import constant_string, is_none, string_value
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.framework import is_constant
from migrate_cli.rewrite.api.litellm_routes import model_route, says_openai, unknown_route_reason
from migrate_cli.rewrite.api.rule import FixSafety, Rule

LLM_CALLEES = frozenset({"crewai.LLM", "crewai.llm.LLM"})
AGENT_CALLEES = frozenset({"crewai.Agent", "crewai.agent.Agent", "crewai.agent.core.Agent"})
CREW_CALLEES = frozenset({"crewai.Crew", "crewai.crew.Crew"})
#: Crew arguments that take an LLM, or a model name CrewAI turns into one from the environment.
_CREW_LLMS = ("manager_llm", "planning_llm", "function_calling_llm")


class _LLM(ConstructionRule):
    spec = ConstructionSpec(
        callees=LLM_CALLEES, url_params=("base_url", "api_base"), key_params=("api_key",), positional_ok=True
    )

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        if len(call.args) > 1:
            return Declined(
                f"{label}(...) with {len(call.args)} positional arguments is not the expected signature: "
                "left as is; use keywords"
            )
        if any(k.arg == "custom_openai" for k in call.keywords):
            return None  # custom_openai=True forces CrewAI's OpenAI provider
        route = model_route(call, module, provider_param="provider")
        if route == "other":
            return Declined()
        if route == "unknown" and not says_openai(call, module):
            return Declined(unknown_route_reason(call, label, "base_url", module))
        return None


def _openai_model(text: str | None) -> bool:
    return text is not None and is_openai_model_id(text.removeprefix("openai/"))


def _review_agents(module: ModuleInfo, report: Recorder) -> None:
    env_advice = (
        f"set OPENAI_BASE_URL={module.target.base_url}, OPENAI_API_KEY to the ${module.target.api_key_env} key and "
        f'OPENAI_MODEL_NAME to a model it serves, or pass llm=LLM(model="openai/<id>", base_url=..., api_key=...)'
    )
    reported_default = False
    for call in module.analysis.calls:
        if module.qualify(call.func).single not in AGENT_CALLEES:
            continue
        llm = next((k.value for k in call.keywords if k.arg == "llm"), None)
        if llm is None and not any(k.arg is None for k in call.keywords):
            if not reported_default:
                report.review(
                    call,
                    "Agent(...) without llm= uses CrewAI's default OpenAI model, configured from the environment: "
                    f"{env_advice}",
                )
                reported_default = True
        elif llm is not None and _openai_model(constant_string(llm, module.analysis)):
            report.review(call, f"Agent(llm={module.segment(llm)}) builds its LLM from OPENAI_* env vars: {env_advice}")


def _review_crews(module: ModuleInfo, report: Recorder) -> None:
    target = module.target
    llm_advice = f'LLM(model="openai/<id>", base_url="{target.base_url}", api_key=os.environ["{target.api_key_env}"])'
    for call in module.analysis.calls:
        if module.qualify(call.func).single not in CREW_CALLEES or any(k.arg is None for k in call.keywords):
            continue
        given = {k.arg: k.value for k in call.keywords}
        for name in _CREW_LLMS:
            if name in given and _openai_model(constant_string(given[name], module.analysis)):
                report.review(
                    call,
                    f"Crew({name}={module.segment(given[name])}) builds its LLM from OPENAI_* env vars, so it still "
                    f"talks to OpenAI: pass {name}={llm_advice}",
                )
        if is_constant(given.get("planning"), True) and "planning_llm" not in given:
            report.review(
                call,
                "Crew(planning=True) without planning_llm= plans with CrewAI's default OpenAI model from "
                f"OPENAI_API_KEY: pass planning_llm={llm_advice}",
            )
        if is_constant(given.get("memory"), True) and _embeds_with_openai(given.get("embedder")):
            report.review(
                call,
                "Crew(memory=True) embeds its memories with OpenAI (OPENAI_API_KEY) unless embedder= says otherwise: "
                f'pass embedder={{"provider": "openai", "config": {{"api_base": "{target.base_url}", '
                f'"api_key": os.environ["{target.api_key_env}"], "model_name": <an embedding model it serves>}}}}, '
                "or another embedder",
            )


def _embeds_with_openai(embedder: ast.expr | None) -> bool:
    """No embedder (CrewAI's default is OpenAI's), or `{"provider": "openai", ...}` whose config sets no api_base."""
    if embedder is None or is_none(embedder):
        return True
    if not isinstance(embedder, ast.Dict):
        return False  # an embedder object or a config the rule cannot read
    entries = {string_value(k): v for k, v in zip(embedder.keys, embedder.values, strict=True) if k is not None}
    if string_value(entries.get("provider")) != "openai":
        return False
    config = entries.get("config")
    if not isinstance(config, ast.Dict):
        return config is None
    return "api_base" not in {string_value(k) for k in config.keys if k is not None}


class CrewAIRule(Rule):
    code = "MC018"
    name = "crewai"
    fix_safety = FixSafety.SAFE
    summary = 'crewai.LLM(...) for OpenAI models: base_url and api_key point at the target; Agent(llm="gpt-4") reviewed'
    needles = (b"crewai",)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return
        yield from _LLM().find(module, report)
        _review_agents(module, report)
        _review_crews(module, report)
