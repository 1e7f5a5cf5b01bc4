"""Which openai-agents code runs on the SDK's default OpenAI client (pure: no findings).

The SDK gives an `Agent` whose model is a name (or none) to the default `MultiProvider`, which hands
names without another provider's prefix to an `OpenAIProvider` on the default client; that client is
built from OPENAI_API_KEY / OPENAI_BASE_URL unless the app calls `set_default_openai_client`
(openai-agents `models/multi_provider.py`, `models/openai_provider.py`, `run_config.py`,
`voice/pipeline_config.py`). MC012 reviews the first such site of a file that configures nothing.
"""

from __future__ import annotations

import ast

from migrate_cli.rewrite.context import ModuleInfo
from migrate_cli.rewrite.framework import argument, callee, client_for_target, construction_of, keyword
from migrate_cli.rewrite.policy import url_moves
from migrate_cli.rewrite.values import constant_string, env_read, is_none, string_value

AGENT = frozenset(
    {"agents.Agent", "agents.agent.Agent", "agents.sandbox.SandboxAgent", "agents.sandbox.sandbox_agent.SandboxAgent"}
)
VOICE_PIPELINE = frozenset({"agents.voice.VoicePipeline", "agents.voice.pipeline.VoicePipeline"})
RUNS = frozenset(
    f"{runner}.{method}"
    for runner in ("agents.Runner", "agents.run.Runner")
    for method in ("run", "run_sync", "run_streamed")
)
RUN_CONFIG = frozenset({"agents.RunConfig", "agents.run.RunConfig", "agents.run_config.RunConfig"})
RUN_CONFIG_NAME = "agents.RunConfig"
PROVIDER = frozenset({"agents.OpenAIProvider", "agents.models.openai_provider.OpenAIProvider"})
MULTI_PROVIDER = frozenset({"agents.MultiProvider", "agents.models.multi_provider.MultiProvider"})
VOICE_PROVIDER = frozenset(
    {"agents.voice.OpenAIVoiceModelProvider", "agents.voice.models.openai_model_provider.OpenAIVoiceModelProvider"}
)
SET_CLIENT = frozenset({"agents.set_default_openai_client"})
SET_KEY = frozenset({"agents.set_default_openai_key"})
#: What hands the SDK a client or provider: with one of these in the file, agents are not on the default.
CONFIGURES = SET_CLIENT | SET_KEY | PROVIDER | MULTI_PROVIDER | VOICE_PROVIDER
#: Model-name prefixes the default MultiProvider sends to another provider than OpenAI.
_OTHER_PROVIDER_PREFIXES = ("litellm/", "any-llm/")


def first_on_default_client(module: ModuleInfo, configures: frozenset[str]) -> tuple[ast.Call, str] | None:
    """The first call (and its qualified name) that runs agents on the default client, unless a call to one
    of `configures` (what hands the SDK a client or provider) or a `RunConfig` with a provider is in the file."""
    calls = module.analysis.calls
    names = {id(call): callee(call, module) for call in calls}
    if any(names[id(call)] in configures or configures_run(call, names[id(call)], module) for call in calls):
        return None
    found = next((call for call in calls if _runs_on_default(call, names[id(call)], module)), None)
    return None if found is None else (found, names[id(found)] or "agents.Agent")


def configures_run(call: ast.Call, name: str | None, module: ModuleInfo) -> bool:
    """`RunConfig(model_provider=...)`, or a `RunConfig(model=<model object>)`: runs given it are not on the default."""
    return name in RUN_CONFIG and (keyword(call, "model_provider") is not None or _model_object(keyword(call, "model")))


def _runs_on_default(call: ast.Call, name: str | None, module: ModuleInfo) -> bool:
    """An `Agent(...)` that picks its model by name, or a run of an agent built elsewhere without a run config."""
    if name in AGENT:
        if any(k.arg is None for k in call.keywords):
            return False  # `**options` may hold the model
        return _on_default_model(keyword(call, "model"), module)
    if name in RUNS:
        if any(k.arg is None for k in call.keywords) or not _default_run_config(keyword(call, "run_config"), module):
            return False
        agent = construction_of(argument(call, 0, "starting_agent"), module)
        return agent is None or callee(agent, module) not in AGENT  # a local Agent(...) is judged itself
    if name in VOICE_PIPELINE:
        # Its default VoicePipelineConfig uses OpenAIVoiceModelProvider(), on the SDK's default client.
        return keyword(call, "config") is None and not any(k.arg is None for k in call.keywords)
    return False


def _default_run_config(config: ast.expr | None, module: ModuleInfo) -> bool:
    """No run config, or a `RunConfig(...)` (here or bound once) that sets no provider and no model object."""
    if config is None or is_none(config):
        return True
    built = construction_of(config, module)
    return (
        built is not None and callee(built, module) in RUN_CONFIG and not configures_run(built, RUN_CONFIG_NAME, module)
    )


def _on_default_model(model: ast.expr | None, module: ModuleInfo) -> bool:
    """No model, or a model *name* (the default MultiProvider sends a name to OpenAI unless its prefix says not)."""
    if model is None or is_none(model):
        return True
    text = constant_string(model, module.analysis)
    if text is not None:
        return not text.startswith(_OTHER_PROVIDER_PREFIXES)
    return _names_a_model(model, module, depth=0)


def _names_a_model(expr: ast.expr, module: ModuleInfo, depth: int) -> bool:
    """A model name only known at run time: an env read, an f-string, `a or b` of those, a name bound once
    to one, or a parameter annotated `str` or defaulting to a string. A model object, or anything the rule
    cannot read (an unannotated parameter, an attribute), is not: the agent may well be configured."""
    if depth > 3:
        return False
    if env_read(expr, module.analysis) is not None or isinstance(expr, ast.JoinedStr) or string_value(expr) is not None:
        return True
    if isinstance(expr, ast.BoolOp):
        return all(_names_a_model(value, module, depth + 1) for value in expr.values)
    if isinstance(expr, ast.IfExp):
        return _names_a_model(expr.body, module, depth + 1) and _names_a_model(expr.orelse, module, depth + 1)
    if not isinstance(expr, ast.Name):
        return False
    scope = module.analysis.scope_of(expr)
    bindings = module.analysis.lookup(expr.id, scope) if scope is not None else []
    if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
        return _names_a_model(bindings[0].value, module, depth + 1)
    parameter = _parameter(expr, module)
    if parameter is None:
        return False
    annotation, default = parameter
    is_str = isinstance(annotation, ast.Name) and annotation.id == "str"
    return is_str or (default is not None and _names_a_model(default, module, depth + 1))


def _parameter(name: ast.Name, module: ModuleInfo) -> tuple[ast.expr | None, ast.expr | None] | None:
    """(annotation, default) of the parameter `name` reads, in the innermost function enclosing the read."""
    position = (name.lineno, name.col_offset)
    enclosing = [
        node
        for node in ast.walk(module.tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and (node.lineno, node.col_offset) <= position <= (node.end_lineno or 0, node.end_col_offset or 0)
    ]
    if not enclosing:
        return None
    args = max(enclosing, key=lambda node: (node.lineno, node.col_offset)).args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr | None] = dict(
        zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults, strict=True)
    )
    defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True))
    for arg in [*positional, *args.kwonlyargs]:
        if arg.arg == name.id:
            return arg.annotation, defaults.get(arg.arg)
    return None


def _model_object(model: ast.expr | None) -> bool:
    return model is not None and not is_none(model) and string_value(model) is None


def default_client_moves(module: ModuleInfo) -> bool:
    """Whether an agent that names its model reaches the target: the file hands the SDK a client or a
    provider (`set_default_openai_client`, `OpenAIProvider`, `MultiProvider`, a `RunConfig` with one),
    and each lands on the target. `set_default_openai_key` keeps the default client on OpenAI."""
    handed = False
    for call in module.analysis.calls:
        name = callee(call, module)
        if name in SET_KEY:
            return False
        if name in SET_CLIENT:
            handed = True
            if not client_for_target(argument(call, 0, "client"), module):
                return False
        elif name in PROVIDER or name in MULTI_PROVIDER:
            handed = True
            if not _provider_lands(call, module):
                return False
        elif configures_run(call, name, module):
            handed = True
    return handed


def _provider_lands(call: ast.Call, module: ModuleInfo) -> bool:
    """A provider MC012 points at the target: none given a client that stays, or a URL that is kept."""
    client = keyword(call, "openai_client")
    if client is not None:
        return client_for_target(client, module)
    url = keyword(call, "base_url") or keyword(call, "openai_base_url")
    return url is None or url_moves(url, module)
