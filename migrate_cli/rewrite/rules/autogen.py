"""MC016 autogen: AutoGen / AG2 model configs point at the target.

AutoGen 0.2 and AG2 0.x describe models as `config_list` entries, dicts that autogen turns into
`OpenAI(**entry)` (autogen/oai/client.py): `{"model": ..., "api_key": ..., "base_url"|"api_base": ...,
"api_type"?}` (codemod.md F7). An entry with an `api_type` other than "openai" (azure, anthropic,
ollama, ...) is not ours. Entries are found where autogen reads them: `config_list=[...]` and
`llm_config={"config_list": [...]}` arguments of autogen calls (`AssistantAgent`, `ConversableAgent`,
`LLMConfig`, `OpenAIWrapper`, ...), a flat `llm_config={"model": ...}`, `LLMConfig({...})`, any
`{"config_list": [...]}` dict, and module variables named `*config_list*` holding such entries (a
`config.py` imported by the agents' module). A list passed by name is followed to its one
assignment. In each entry the URL and key follow policy.py; a missing one is added to the dict.
`LLMConfig(model=..., api_key=..., base_url=...)` (AG2's keyword form) is rewritten like a call.

`config_list_from_json("OAI_CONFIG_LIST")` and the other loaders read the config from a JSON file or
an env var: reviewed, since that is where the change belongs (codemod.md E5).

AutoGen 0.4 (`autogen_ext.models.openai.OpenAIChatCompletionClient(model=, base_url=, api_key=)`,
F7b) and AG2 1.x (`ag2.config.OpenAIConfig(model, api_key=, base_url=)`) are constructions with the
usual parameters. autogen 0.4 raises "model_info is required when model name is not a valid
OpenAI model" for an id it does not know (autogen_ext/models/openai/_openai_client.py), and the
target's ids are not OpenAI's: a moved client without `model_info=` is reviewed. A 0.4 client whose
model is `gemini-*`, `claude-*` or `Llama-*` with no `base_url` goes to that vendor: not ours.

The agents built on OpenAI-only APIs are reviewed: autogen-ext's `OpenAIAgent(client=...)` (the
Responses API) once its client moves to the target, and the Assistants API agents, autogen-ext's
`OpenAIAssistantAgent` and AutoGen 0.2's `GPTAssistantAgent`, always (their client or config is
rewritten where it is built; the Assistants API is not served by OpenAI-compatible providers).
Sources: microsoft/autogen `python/packages/autogen-ext/src/autogen_ext/agents/openai/`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from migrate_cli.rewrite.analysis.values import string_value
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined, calls_to
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import AddDictItems, Edit
from migrate_cli.rewrite.api.framework import client_for_target, lands_on_target
from migrate_cli.rewrite.api.policy import decide_api_key, decide_base_url, key_unproven_reason, report_kept_secrets
from migrate_cli.rewrite.api.rule import FixSafety, Rule

_CLIENT_CALLEES = frozenset(
    f"{module}.OpenAIChatCompletionClient"
    for module in ("autogen_ext.models.openai", "autogen_ext.models.openai._openai_client")
)
_AG2_CONFIG_CALLEES = frozenset(
    f"{module}.{cls}"
    for module in ("ag2.config", "ag2.config.openai", "ag2.config.openai.config")
    for cls in ("OpenAIConfig", "OpenAIResponsesConfig")
)
_LLM_CONFIG_CALLEES = frozenset({"autogen.LLMConfig", "autogen.llm_config.LLMConfig"})
_RESPONSES_AGENTS = frozenset(
    f"{module}.OpenAIAgent" for module in ("autogen_ext.agents.openai", "autogen_ext.agents.openai._openai_agent")
)
_ASSISTANTS_AGENTS = frozenset(
    {
        "autogen_ext.agents.openai.OpenAIAssistantAgent",
        "autogen_ext.agents.openai._openai_assistant_agent.OpenAIAssistantAgent",
        "autogen.agentchat.contrib.gpt_assistant_agent.GPTAssistantAgent",
    }
)
_LOADERS = frozenset(
    {
        "config_list_from_json",
        "config_list_from_dotenv",
        "config_list_openai_aoai",
        "config_list_from_models",
        "get_config_list",
        "from_json",
    }
)
# autogen 0.4 sends these model families to their vendors' own endpoints when no base_url is given.
_VENDOR_PREFIXES = ("gemini-", "claude-", "Llama-")
_CONFIG_KEYS = frozenset({"api_key", "base_url", "api_base", "api_type"})


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


class _ModelClient(ConstructionRule):
    """autogen 0.4's OpenAIChatCompletionClient (run under MC016's code)."""

    spec = ConstructionSpec(callees=_CLIENT_CALLEES)

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        model = string_value(_keyword(call, "model"))
        if model is not None and model.startswith(_VENDOR_PREFIXES) and _keyword(call, "base_url") is None:
            return Declined()  # another vendor's model, on autogen's own route to it
        return None

    def rewrite_call(self, call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
        yield from super().rewrite_call(call, label, module, report)
        if self.declined(call, label, module) is not None:
            return
        splat = any(k.arg is None for k in call.keywords)
        if splat or not lands_on_target(call, self.spec, module):
            return
        if _keyword(call, "model_info") is None and _keyword(call, "model_capabilities") is None:
            report.review(
                call,
                f"{label}(...) has no model_info=: autogen raises for a model id it does not know, and "
                f"{module.target.base_url} serves other ids than OpenAI's: add model_info={{...}} for the target model",
            )


class _KeywordConfig(ConstructionRule):
    """AG2 1.x `OpenAIConfig("gpt-4o", api_key=..., base_url=...)` and AG2 0.x `LLMConfig(model=..., ...)`."""

    spec = ConstructionSpec(
        callees=_AG2_CONFIG_CALLEES | _LLM_CONFIG_CALLEES,
        positional_ok=True,
        applies=lambda call, module: _keyword_form_applies(call, module),
    )

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        if len(call.args) > 1:
            return Declined(
                f"{label}(...) with {len(call.args)} positional arguments may pass the URL or key by position: "
                "left as is; use keywords"
            )
        return None


def _keyword_form_applies(call: ast.Call, module: ModuleInfo) -> bool:
    if module.qualify(call.func).single in _LLM_CONFIG_CALLEES:
        # LLMConfig(config_list=...) / LLMConfig({...}) are entries, handled below;
        # only the flat keyword form is a call.
        if _keyword(call, "model") is None:
            return False
        api_type = _keyword(call, "api_type")
        return api_type is None or string_value(api_type) == "openai"
    return True


class AutogenRule(Rule):
    code = "MC016"
    name = "autogen"
    fix_safety = FixSafety.SAFE
    summary = (
        "AutoGen/AG2 config_list entries, LLMConfig, OpenAIChatCompletionClient and ag2 OpenAIConfig: "
        "base_url and api_key point at the target"
    )
    # Spelled as imports: bare "autogen" also matches "autogenerated" all over ordinary code.
    needles = (b"import autogen", b"from autogen", b"config_list", b"import ag2", b"from ag2")

    _constructions = (_ModelClient(), _KeywordConfig())  # also where MC006 follows names into

    def constructions(self) -> tuple[Rule, ...]:
        return self._constructions

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return
        for construction in self._constructions:
            yield from construction.find(module, report)
        _review_openai_only_agents(module, report)
        _review_component_loads(module, report)
        seen: set[int] = set()
        for entry in _entries(module, report):
            if id(entry) not in seen:
                seen.add(id(entry))
                yield from _rewrite_entry(entry, module, report)


def _review_openai_only_agents(module: ModuleInfo, report: Recorder) -> None:
    target = module.target.base_url
    for call in calls_to(module, _RESPONSES_AGENTS | _ASSISTANTS_AGENTS):
        name = module.qualify(call.func).single
        if name in _RESPONSES_AGENTS and client_for_target(_keyword(call, "client"), module):
            report.review(
                call,
                f"OpenAIAgent calls OpenAI's Responses API, which most OpenAI-compatible providers do not serve: "
                f"check that {target} does, or use AssistantAgent(model_client=OpenAIChatCompletionClient(...))",
            )
        elif name in _ASSISTANTS_AGENTS:
            report.review(
                call,
                f"{name.rsplit('.', 1)[-1]} uses OpenAI's Assistants API, which OpenAI-compatible providers do not "
                "serve: keep its client or config on OpenAI (with the OpenAI key), or rebuild it as an AssistantAgent "
                "on a model client for the target",
            )


#: autogen 0.4 builds a model client from a component config (`{"provider": ..., "config": {...}}`, in code
#: or a YAML/JSON file): autogen-core `autogen_core/_component_config.py`, ComponentLoader.load_component.
_LOAD_COMPONENT = frozenset(
    f"{owner}.load_component" for owner in ("autogen_core.models.ChatCompletionClient", "autogen_core.ComponentLoader")
)


def _review_component_loads(module: ModuleInfo, report: Recorder) -> None:
    """`ChatCompletionClient.load_component(config)`: a config the rewrite cannot edit in place. Reviewed
    unless it is a dict in the call naming a provider that is not OpenAI's."""
    env = module.target.api_key_env
    for call in calls_to(module, _LOAD_COMPONENT):
        config = call.args[0] if call.args else _keyword(call, "model")
        provider = _dict_get(config, "provider") if isinstance(config, ast.Dict) else None
        name = string_value(provider) if provider is not None else None
        if name is not None and "openai" not in name.lower():
            continue
        report.review(
            call,
            f"{module.segment(call.func)}(...) builds a model client from a component config: where it names an "
            f'OpenAI client, set "base_url": "{module.target.base_url}" and the ${env} key as "api_key" in its '
            '"config" (Azure ones are not moved)',
        )


def _is_autogen(name: str | None) -> bool:
    return name is not None and (name == "autogen" or name.startswith("autogen."))


def _entries(module: ModuleInfo, report: Recorder) -> Iterator[ast.Dict]:
    """Every config entry dict the module hands to autogen (duplicates possible; the caller dedups)."""
    for call in module.analysis.calls:
        callee = module.qualify(call.func).single
        if callee is not None and _is_autogen(callee):
            short = callee.rsplit(".", 1)[-1]
            if short in _LOADERS:
                _review_loader(call, short, module, report)
                continue
            for keyword in call.keywords:
                if keyword.arg == "config_list":
                    yield from _list_entries(keyword.value, module, report)
                elif keyword.arg == "llm_config":
                    yield from _llm_config_entries(keyword.value, module, report)
            if callee in _LLM_CONFIG_CALLEES:
                for arg in call.args:
                    yield from _llm_config_entries(arg, module, report)
        else:
            for keyword in call.keywords:
                if isinstance(keyword.value, ast.Dict) and _dict_get(keyword.value, "config_list") is not None:
                    yield from _llm_config_entries(keyword.value, module, report)
    for stmt in module.analysis.assignments:
        if not isinstance(stmt, ast.Assign) or stmt.value is None:
            continue
        if isinstance(stmt.value, ast.Dict) and _dict_get(stmt.value, "config_list") is not None:
            yield from _llm_config_entries(stmt.value, module, report)
        elif isinstance(stmt.value, (ast.List, ast.Tuple)) and any(
            isinstance(t, ast.Name) and "config_list" in t.id.lower() for t in stmt.targets
        ):
            yield from (e for e in _list_elements(stmt.value) if _looks_like_entry(e))


def _review_loader(call: ast.Call, short: str, module: ModuleInfo, report: Recorder) -> None:
    source = string_value(call.args[0]) if call.args else None
    where = f"the {source} file or env var" if source else "the file or env vars it reads"
    report.review(
        call,
        f'{module.segment(call.func)}(...) loads the model config from {where}: set "base_url": '
        f'"{module.target.base_url}" '
        f'and the ${module.target.api_key_env} key as "api_key" in the OpenAI entries there',
    )


def _dict_get(node: ast.Dict, key: str) -> ast.expr | None:
    return next((v for k, v in zip(node.keys, node.values, strict=True) if string_value(k) == key), None)


#: `_resolve`'s answer for a name imported from another module: its config is rewritten there.
_IMPORTED = ast.Constant(value=None)


def _resolve(expr: ast.expr, module: ModuleInfo) -> ast.expr | None:
    """A name followed to the one value it is assigned in its scope; other expressions as they are."""
    if not isinstance(expr, ast.Name):
        return expr
    scope = module.analysis.scope_of(expr)
    bindings = module.analysis.lookup(expr.id, scope) if scope is not None else []
    if len(bindings) == 1 and bindings[0].kind == "assign":
        return bindings[0].value
    if bindings and all(b.kind == "import" for b in bindings):
        return _IMPORTED
    return None


def _list_elements(node: ast.expr) -> list[ast.Dict]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e for e in node.elts if isinstance(e, ast.Dict)]
    return []


def _list_entries(expr: ast.expr, module: ModuleInfo, report: Recorder) -> Iterator[ast.Dict]:
    value = _resolve(expr, module)
    if isinstance(value, (ast.List, ast.Tuple)):
        yield from _list_elements(value)
    elif isinstance(value, ast.Call) or value is _IMPORTED:
        return  # a loader (reviewed where it is called), or a list rewritten in the module it comes from
    else:
        report.review(
            expr,
            f'config_list={module.segment(expr)} cannot be followed to a list of dicts: set "base_url" and "api_key" '
            "in its OpenAI entries by hand",
        )


def _llm_config_entries(expr: ast.expr, module: ModuleInfo, report: Recorder) -> Iterator[ast.Dict]:
    value = _resolve(expr, module)
    if not isinstance(value, ast.Dict):
        return  # an LLMConfig(...) call (handled as a call), a loader, False, or something else
    config_list = _dict_get(value, "config_list")
    if config_list is not None:
        yield from _list_entries(config_list, module, report)
    elif _dict_get(value, "model") is not None:
        yield value  # AG2's flat form: llm_config={"model": ..., "api_key": ...}


def _looks_like_entry(node: ast.Dict) -> bool:
    """A dict with a "model" and client settings: one `{"model": ...}` alone may be anyone's payload."""
    keys = {string_value(k) for k in node.keys if k is not None}
    return "model" in keys and bool(keys & _CONFIG_KEYS)


def _rewrite_entry(entry: ast.Dict, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
    if any(k is None for k in entry.keys) or any(string_value(k) is None for k in entry.keys):
        if _dict_get(entry, "model") is not None:
            report.review(
                entry, 'config entry built with ** or computed keys: set "base_url" and "api_key" in it by hand'
            )
        return
    model = _dict_get(entry, "model")
    if model is None:
        return
    label = f"config entry {module.segment(model)}"
    api_type = _dict_get(entry, "api_type")
    if api_type is not None:
        kind = string_value(api_type)
        if kind is None:
            report.review(
                entry,
                f'{label}: api_type={module.segment(api_type)} is only known at run time: if it is "openai", set '
                "base_url and api_key by hand",
            )
        if kind != "openai":
            return  # azure (deployment names), anthropic, ollama, ...: not an OpenAI endpoint
    url_key = (
        "api_base" if _dict_get(entry, "api_base") is not None and _dict_get(entry, "base_url") is None else "base_url"
    )
    url = decide_base_url(_dict_get(entry, url_key), module, url_key)
    if url.leaves_alone:
        report.review(entry, f"{label}: {url.reason}")
        return
    unproven = key_unproven_reason(_dict_get(entry, "api_key"), module)
    if unproven is not None:  # the entry's URL and key move together or not at all
        report.review(entry, f"{label}: {unproven}")
        report_kept_secrets(_dict_get(entry, "api_key"), module, report)
        return
    key = decide_api_key(_dict_get(entry, "api_key"), module, report, entry, "api_key")
    if key.leaves_alone:
        report.review(entry, f"{label}: {key.reason}")
        return
    yield from key.edits
    yield from url.edits
    inserts = tuple((name, d.code) for name, d in (("api_key", key), (url_key, url)) if d.action == "insert")
    if inserts:
        yield AddDictItems(entry, inserts)
    notes = [d.note for d in (key, url) if d.note and d.action in ("insert", "edit")]
    if notes:
        report.change(entry, f"{label}: " + "; ".join(notes))
