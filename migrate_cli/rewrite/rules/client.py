"""MC001 openai-client: point `OpenAI(...)` / `AsyncOpenAI(...)` constructions at the target.

Matches the openai package's client classes by qualified name (`OpenAI`, `AsyncOpenAI`, `Client`,
`AsyncClient`, through any import form, plus known re-exports such as `agents.AsyncOpenAI`) wherever
an expression can stand. Sets `base_url` and `api_key` by the policy in `policy.py`, removes
`data_residency=` / `provider=` (the SDK refuses them together with `base_url`), and follows
`OpenAI(**cfg)` into a dict literal when that dict is built once and never mutated. It never writes a
keyword that could end up duplicated: when `**kwargs` it cannot see might hold one, it reports the
call instead.
"""

from __future__ import annotations

import ast
from typing import Iterable, Iterator

from migrate_cli.rewrite.analysis import LOCAL
from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import AddDictItems, AddKeywords, Edit, RemoveKeyword
from migrate_cli.rewrite.names import AZURE_CLIENT_NAMES, CLIENT_NAMES, short_name
from migrate_cli.rewrite.policy import decide_api_key, decide_base_url
from migrate_cli.rewrite.rules.base import Rule
from migrate_cli.rewrite.values import string_value

# Arguments the SDK rejects alongside base_url (openai-python src/openai/_data_residency.py).
CONFLICTING = ("data_residency", "provider")
_DICT_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})


class ClientRule(Rule):
    code = "MC001"
    name = "openai-client"
    summary = "OpenAI()/AsyncOpenAI() constructions: base_url and api_key point at the target"

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        for call in module.analysis.calls:
            names = module.qualify(call.func).names
            clients = names & CLIENT_NAMES
            if not clients:
                if names & AZURE_CLIENT_NAMES and len(names) == 1:
                    report.review(call, f"{short_name(next(iter(names)))}: Azure clients are not rewritten by this rule; its `model=` values are deployment names, not model ids")
                continue
            if len(names) > 1:
                others = ", ".join(sorted(_describe(n) for n in names - clients))
                report.review(call, f"{module.segment(call.func)} is the openai client but is also bound to {others} in this scope, so the call may not build an openai client: left as is")
                continue
            yield from self._client(call, short_name(next(iter(clients))), module, report)

    def _client(self, call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
        if any(not isinstance(arg, ast.Starred) for arg in call.args):
            report.review(call, f"{label}(...) with positional arguments is not the SDK's signature: left as is")
            return
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        splats = [k.value for k in call.keywords if k.arg is None] + [a.value for a in call.args]
        config = _config_dict(splats, call, module) if splats else None
        if splats and config is None and not {"base_url", "api_key"} <= keywords.keys():
            shown = ", ".join(module.segment(node) for node in [*call.args, *(k for k in call.keywords if k.arg is None)])
            report.review(call, f"{label}({shown}) takes its arguments from a container the rewrite cannot follow: set base_url and api_key there by hand")
            return

        def value_of(name: str) -> ast.expr | None:
            if name in keywords:
                return keywords[name]
            return _dict_value(config, name) if config is not None else None

        url = decide_base_url(value_of("base_url"), module)
        if url.action == "foreign":
            report.review(call, f"{label}(...): {url.reason}")
            return
        key = decide_api_key(value_of("api_key"), module, report, call)
        if key.action == "review":
            report.review(call, f"{label}(...): {key.reason}")

        edits: list[Edit] = [*key.edits, *url.edits]
        inserts = [(name, d.code) for name, d in (("api_key", key), ("base_url", url)) if d.action == "insert"]
        if inserts:
            if config is not None:
                edits.append(AddDictItems(config, tuple(inserts)))
            else:
                edits.append(AddKeywords(call, tuple(inserts)))
        notes = [d.note for d in (key, url) if d.note and d.action in ("insert", "edit")]
        for name in CONFLICTING:
            if name in keywords:
                edits.append(RemoveKeyword(call, name))
                notes.append(f"removed {name}= (the SDK refuses it together with base_url)")
            elif config is not None and _dict_value(config, name) is not None:
                report.review(call, f"{label}(...): the config dict sets {name!r}, which the SDK refuses together with base_url: remove it")
        if notes:
            report.change(call, f"{label}(): " + "; ".join(notes))
        yield from edits


def _describe(qualified: str) -> str:
    if qualified.startswith(LOCAL + "."):
        return f"a local definition of {qualified.removeprefix(LOCAL + '.')}"
    return qualified


def _dict_value(config: ast.Dict, key: str) -> ast.expr | None:
    for k, v in zip(config.keys, config.values):
        if string_value(k) == key:
            return v
    return None


def _config_dict(splats: list[ast.expr], call: ast.Call, module: ModuleInfo) -> ast.Dict | None:
    """The dict literal behind `OpenAI(**cfg)` when it is the only value `cfg` ever has."""
    if len(splats) != 1 or call.args or not isinstance(splats[0], ast.Name):
        return None
    name = splats[0].id
    bindings = module.analysis.lookup(name, module.scope_at(splats[0]))
    if len(bindings) != 1 or bindings[0].kind != "assign":
        return None
    value = bindings[0].value
    if not isinstance(value, ast.Dict) or any(string_value(k) is None for k in value.keys):
        return None
    return None if _mutated(name, module) else value


def _mutated(name: str, module: ModuleInfo) -> bool:
    """Any `name[...] = `, `del name[...]`, `name |= ...` or `name.update(...)`-style call in the file."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name:
            if not isinstance(node.ctx, ast.Load):
                return True
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
        elif isinstance(node, ast.Attribute) and node.attr in _DICT_MUTATORS:
            if isinstance(node.value, ast.Name) and node.value.id == name:
                return True
    return False

