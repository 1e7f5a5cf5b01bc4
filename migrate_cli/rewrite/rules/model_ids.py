"""MC004 model-ids: map OpenAI model ids to the target's with the model map; list unmapped ones.

A client pointed at another provider still asks for `gpt-4o`, which that provider does not serve.
The model map (`--model-map OLD=NEW`, `[tool.migrate.model_map]`, a preset's default map; merged
by config.resolve_target) rewrites the ids where they are sent:

- `model=` of API calls on a client that provably is an openai client and moves to the target
  (clients.py: `client.chat.completions.create(...)`, `.responses.create`, `.embeddings.create`, ...);
- the model argument of framework constructors and calls (model_sites.py: LangChain `model=` /
  `model_name=`, LlamaIndex, DSPy and litellm `"openai/gpt-4o"`, pydantic-ai `"openai:gpt-4o"`, ...),
  keeping the provider prefix;
- the `"model"` of autogen-style config dicts (`{"model": ..., "api_key": ...}`).

The value may be a string literal, a name bound once to one (`MODEL = "gpt-4o"`: the constant is
rewritten), or the default of an env read (`os.getenv("MODEL", "gpt-4o")`). An OpenAI model id left
unmapped there is listed for review ("map it with --model-map ..."), unless the target is OpenAI.
Sites on clients that do not move (a proxy or local `base_url`) are left alone.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from migrate_cli.rewrite.analysis.model_ids import map_model_id, split_model_id, unmapped_reason
from migrate_cli.rewrite.analysis.model_sites import MODEL_SITE_NEEDLES, SITE_NAMES, SITES_BY_CALLEE, ModelSite
from migrate_cli.rewrite.analysis.scopes import Binding
from migrate_cli.rewrite.analysis.values import env_read, is_none, string_literal, string_value
from migrate_cli.rewrite.api.agents_default_client import default_client_moves
from migrate_cli.rewrite.api.clients import client_calls, resolve_client
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit, SetString
from migrate_cli.rewrite.api.policy import lands_on_target, url_moves
from migrate_cli.rewrite.api.rule import FixSafety, Rule

_CONFIG_KEYS = frozenset({"api_key", "base_url", "api_type", "api_base"})
_MODEL_KEY = re.compile(r"""["']model["']\s*:""")


@dataclass(frozen=True)
class _Site:
    """One place a model id is sent from: the value expression and how ids are written there."""

    value: ast.expr
    label: str
    prefix: str = ""
    #: Review unmapped OpenAI ids here (off for Azure clients: MC003 reviews their deployments).
    review_unmapped: bool = True
    mapped_note: str = ""
    bare_ids_pinned: bool = False


class ModelIdsRule(Rule):
    code = "MC004"
    name = "model-ids"
    fix_safety = FixSafety.NEEDS_REVIEW
    summary = "model= / model_name= ids mapped with --model-map; unmapped OpenAI model ids reviewed"
    needles = (b"openai", *MODEL_SITE_NEEDLES)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        done: set[int] = set()  # a constant shared by several calls is rewritten (and reported) once
        edits: list[Edit] = []
        for site in self._sites(module, report):
            literal = _literal_behind(site.value, module)
            if literal is None or id(literal) in done:
                continue
            done.add(id(literal))
            edits += self._map(site, literal, module, report)
        return edits

    def _sites(self, module: ModuleInfo, report: Recorder) -> Iterator[_Site]:
        for api_call in client_calls(module):
            keyword = api_call.keyword("model")
            if keyword is not None and api_call.origin.moves:
                label = f"{api_call.endpoint}()"
                yield _Site(keyword.value, label, review_unmapped=api_call.origin.kind != "azure")
        for call in module.analysis.calls:
            func = call.func
            short = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if short not in SITE_NAMES:
                continue  # qualifying every call costs more than this look-up
            qualified = module.qualify(func).single
            site = SITES_BY_CALLEE.get(qualified) if qualified else None
            if site is not None and _stays_on_openai(call, site, module):
                _review_staying(call, site, qualified or "", module, report)
            elif site is not None and _moves(call, site, module):
                # A provider named "openai" in the call pins bare ids (`_moves` let no other through).
                pinned = site.bare_ids_pinned or _keyword(call, site.provider_param) is not None
                for value in _model_values(call, site):
                    label = f"{site.label} {(qualified or '').rsplit('.', 1)[-1]}"
                    yield _Site(value, label, site.prefix, mapped_note=site.mapped_note, bare_ids_pinned=pinned)
        if _MODEL_KEY.search(module.source):
            yield from _config_dict_sites(module)

    def _map(self, site: _Site, literal: ast.Constant, module: ModuleInfo, report: Recorder) -> list[Edit]:
        value = str(literal.value)  # the sites yield string literals only
        target = module.target
        model = split_model_id(value, site.prefix)
        if model is None:
            return []  # another provider's model ("anthropic/...")
        result = map_model_id(model, target.model_map)
        if result.outcome == "mapped" and site.prefix and not model.prefix and not site.bare_ids_pinned:
            # A bare id in a library that picks the provider from the id: the new id needs the
            # prefix, and writing it changes how that library routes: the user decides.
            new = site.prefix + result.text
            report.review(
                literal,
                f"{site.label}: model {value!r} has no {site.prefix} prefix, so the library picks OpenAI from the id "
                f"itself: write {new!r} to reach the target",
            )
            return []
        if result.outcome == "mapped":
            if not _simple_string(literal, module):
                report.review(
                    literal,
                    f"{site.label}: model {value!r} -> {result.text!r} by the model map, but the string is written in "
                    "pieces: change it by hand",
                )
                return []
            report.change(literal, f"{site.label}: model {value} -> {result.text}")
            if site.mapped_note:
                report.review(literal, f"{site.label}: {site.mapped_note}")
            return [SetString(literal, result.text)]
        if result.outcome == "unmapped" and site.review_unmapped and target.provider != "openai":
            report.review(literal, unmapped_reason(model.name))
        return []


# Where the constructors of the model sites take their key (LangChain's field name included): a key
# that is not proven to be the target's keeps the construction where it is, and its model id with it.
_KEY_PARAMS = ("api_key", "openai_api_key")


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword `name` (None when absent, empty, or passed as None)."""
    value = next((k.value for k in call.keywords if name and k.arg == name), None)
    return None if is_none(value) else value


def _stays_on_openai(call: ast.Call, site: ModelSite, module: ModuleInfo) -> bool:
    """True for a construction whose OpenAI client no rule moves: one that builds its own from the
    environment (given no URL and no client), or an agent on the agents SDK's default client."""
    if site.agents_default_client:
        return not default_client_moves(module)
    given = (*site.url_params, *site.client_params)
    return bool(site.own_client) and not any(k.arg in given or k.arg is None for k in call.keywords)


def _review_staying(call: ast.Call, site: ModelSite, qualified: str, module: ModuleInfo, report: Recorder) -> None:
    """The OpenAI ids such a construction sends are left as they are; the construction is reviewed
    with how to move it first (an agent's default client is MC012's review, once per file)."""
    label = f"{site.label} {qualified.rsplit('.', 1)[-1]}"
    reviewed = False
    for value in _model_values(call, site):
        literal = _literal_behind(value, module)
        model = split_model_id(str(literal.value), site.prefix) if literal is not None else None
        if literal is None or model is None or map_model_id(model, {}).outcome != "unmapped":
            continue
        if site.agents_default_client:
            advice = (
                "this agent runs on the agents SDK's default OpenAI client (see MC012): once that client points at "
                f"the target, map the id with --model-map {model.name}=<model>"
            )
        else:
            advice = _own_client_advice(site, module)
        report.review(literal, f"{label}: model {literal.value!r} left as is: {advice}")
        reviewed = True
    if not reviewed and not site.agents_default_client:
        report.review(call, f"{label}: {_own_client_advice(site, module)}")


def _own_client_advice(site: ModelSite, module: ModuleInfo) -> str:
    return site.own_client.format(url=module.target.base_url, env=module.target.api_key_env)


def _moves(call: ast.Call, site: ModelSite, module: ModuleInfo) -> bool:
    """False when the construction sends its requests somewhere that is not being migrated."""
    if any(_keyword(call, name) is not None for name in site.skip_if):
        return False
    provider = _keyword(call, site.provider_param)
    if provider is not None and string_value(provider) != "openai":
        return False
    url = next((k.value for k in call.keywords if k.arg in site.url_params), None)
    key = next((k.value for k in call.keywords if k.arg in _KEY_PARAMS), None)
    if site.url_params and not lands_on_target(url, key, module):
        return False
    for keyword in call.keywords:
        if keyword.arg in site.client_params:
            origin = resolve_client(keyword.value, module)
            if origin is not None and not origin.moves:
                return False
            if isinstance(keyword.value, ast.Call):
                url = next((k.value for k in keyword.value.keywords if k.arg in ("base_url", "api_base")), None)
                if url is not None and not url_moves(url, module):
                    return False
    return True


def _model_values(call: ast.Call, site: ModelSite) -> Iterator[ast.expr]:
    for keyword in call.keywords:
        if keyword.arg in site.keywords:
            yield keyword.value
    if site.positional is not None and len(call.args) > site.positional:
        arg = call.args[site.positional]
        if not isinstance(arg, ast.Starred) and not any(
            isinstance(a, ast.Starred) for a in call.args[: site.positional]
        ):
            yield arg


def _config_dict_sites(module: ModuleInfo) -> Iterator[_Site]:
    """`{"model": "gpt-4o", "api_key": ...}`: an autogen / AG2 `config_list` entry and the like.

    A dict with a "model" key alone may be a raw HTTP payload for anyone's API; one that also
    carries the client settings (api_key/base_url/api_type) is a client config.
    """
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Dict):
            continue
        entries = {string_value(k): v for k, v in zip(node.keys, node.values, strict=True) if k is not None}
        if "model" not in entries or not (_CONFIG_KEYS & entries.keys()):
            continue
        api_type = string_value(entries.get("api_type"))
        if "api_type" in entries and api_type != "openai":
            continue  # Azure (deployment names) or another provider
        url = entries.get("base_url", entries.get("api_base"))
        if url is not None and not url_moves(url, module):
            continue
        if not lands_on_target(url, entries.get("api_key"), module):
            continue
        yield _Site(entries["model"], "config dict")


def _literal_behind(value: ast.expr, module: ModuleInfo) -> ast.Constant | None:
    """The string literal a model value is: itself, a name bound once to it, or an env read's default."""
    if (literal := string_literal(value)) is not None:
        return literal
    if isinstance(value, ast.Name):
        scope = module.analysis.scope_of(value)
        bindings = module.analysis.lookup(value.id, scope) if scope is not None else []
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].value is not None:
            inner = bindings[0].value
            return string_literal(inner) or _env_default(inner, module)
        if len(bindings) == 1 and bindings[0].kind == "param":
            return _parameter_default(bindings[0])
        return None
    return _env_default(value, module)


def _parameter_default(binding: Binding) -> ast.Constant | None:
    """`def ask(q, model="gpt-4o"): ... create(model=model)`: the parameter's string default.

    Callers may pass another id, but the default is an id the code sends when they do not.
    """
    return string_literal(binding.value)


def _env_default(value: ast.expr, module: ModuleInfo) -> ast.Constant | None:
    """`os.getenv("MODEL", "gpt-4o")` / `os.environ.get("MODEL", "gpt-4o")` -> the default literal."""
    if not isinstance(value, ast.Call) or env_read(value, module.analysis) is None:
        return None
    default = (
        value.args[1] if len(value.args) > 1 else next((k.value for k in value.keywords if k.arg == "default"), None)
    )
    return string_literal(default)


def _simple_string(literal: ast.Constant, module: ModuleInfo) -> bool:
    """One string token (`"a" "b"` is one ast constant but two tokens: SetString cannot keep it)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(module.segment(literal)).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    return sum(t.type == tokenize.STRING for t in tokens) == 1
