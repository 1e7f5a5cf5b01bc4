"""The shared machinery of every "constructor that takes a base URL and a key" rule.

`OpenAI(...)`, LangChain's `ChatOpenAI(...)`, LlamaIndex's `OpenAILike(...)`, pydantic-ai's
`OpenAIProvider(...)`, DSPy's `dspy.LM(...)`, ...: each is the same move with different parameter
names. A rule describes its constructor with a `ConstructionSpec` and subclasses `ConstructionRule`;
this module applies the policy of `policy.py` to it:

- callees are matched by qualified name; a callee name that is *also* bound to something else in
  that scope is listed for review, never rewritten;
- a URL that does not point at OpenAI means the whole construction is left alone and reviewed;
- `Ctor(**cfg)` is followed into the dict literal `cfg` is built from when that dict is assigned once
  and never mutated; otherwise, if the hidden arguments could hold the URL or key, it is reviewed;
- nothing is ever written that could produce a duplicate keyword.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable, Iterator

from migrate_cli.rewrite.analysis import LOCAL
from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import AddDictItems, AddKeywords, Edit, RemoveKeyword
from migrate_cli.rewrite.names import short_name
from migrate_cli.rewrite.policy import decide_api_key, decide_base_url, default_key_code
from migrate_cli.rewrite.rules.base import Rule
from migrate_cli.rewrite.values import string_value

_DICT_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__"})


@dataclass(frozen=True)
class ConstructionSpec:
    #: Qualified names of the constructor (every import path it is reachable by).
    callees: frozenset[str]
    #: Parameter names for the base URL; the first is the one inserted when none is given.
    url_params: tuple[str, ...] = ("base_url",)
    #: Parameter names for the API key; the first is the one inserted when none is given.
    key_params: tuple[str, ...] = ("api_key",)
    #: Parameters removed when the construction moves, with the reason shown in the change log.
    drop_params: tuple[tuple[str, str], ...] = ()
    #: When one of these is passed, the construction is left alone (e.g. `openai_client=`: the client
    #: passed in is rewritten where it is built).
    skip_if: tuple[str, ...] = ()
    #: Positional arguments are part of the signature (else a call with them is reviewed).
    positional_ok: bool = False
    #: Extra condition, e.g. "the model id says openai/": False means "not ours", silently.
    applies: Callable[[ast.Call, ModuleInfo], bool] | None = None


class ConstructionRule(Rule):
    spec: ClassVar[ConstructionSpec]

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        for call in module.analysis.calls:
            names = module.qualify(call.func).names
            ours = names & self.spec.callees
            if not ours:
                continue
            if len(names) > 1:
                others = ", ".join(sorted(_describe(n) for n in names - ours))
                report.review(call, f"{module.segment(call.func)} is {short_name(next(iter(ours)))} but is also bound to {others} in this scope, so it may be something else here: left as is")
                continue
            if self.spec.applies is not None and not self.spec.applies(call, module):
                continue
            yield from self.rewrite_call(call, short_name(next(iter(ours))), module, report)

    def key_code(self, module: ModuleInfo, anchor: ast.AST, report: Recorder) -> str | None:
        """The expression that reads the target's key here; None when it cannot be written."""
        return default_key_code(module, anchor, report)

    def rewrite_call(self, call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
        spec = self.spec
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        if any(name in keywords for name in spec.skip_if):
            return
        if not spec.positional_ok and any(not isinstance(arg, ast.Starred) for arg in call.args):
            report.review(call, f"{label}(...) with positional arguments is not the expected signature: left as is")
            return
        splats = [k.value for k in call.keywords if k.arg is None] + [a.value for a in call.args if isinstance(a, ast.Starred)]
        config = _config_dict(splats, call, module) if splats else None
        named = lambda params: any(p in keywords for p in params)  # noqa: E731
        if splats and config is None and not (named(spec.url_params) and named(spec.key_params)):
            shown = ", ".join(module.segment(node) for node in [*call.args, *(k for k in call.keywords if k.arg is None)])
            report.review(call, f"{label}({shown}) takes its arguments from a container the rewrite cannot follow: set {spec.url_params[0]} and {spec.key_params[0]} there by hand")
            return

        def value_of(params: tuple[str, ...]) -> ast.expr | None:
            for name in params:
                if name in keywords:
                    return keywords[name]
                if config is not None and (value := _dict_value(config, name)) is not None:
                    return value
            return None

        url = decide_base_url(value_of(spec.url_params), module, spec.url_params[0])
        if url.action == "foreign":
            report.review(call, f"{label}(...): {url.reason}")
            return
        key = decide_api_key(value_of(spec.key_params), module, report, call, spec.key_params[0], lambda: self.key_code(module, call, report))
        if key.action == "review":
            report.review(call, f"{label}(...): {key.reason}")

        edits: list[Edit] = [*key.edits, *url.edits]
        inserts = [(params[0], d.code) for params, d in ((spec.key_params, key), (spec.url_params, url)) if d.action == "insert"]
        if inserts:
            edits.append(AddDictItems(config, tuple(inserts)) if config is not None else AddKeywords(call, tuple(inserts)))
        notes = [d.note for d in (key, url) if d.note and d.action in ("insert", "edit")]
        for name, why in spec.drop_params:
            if name in keywords:
                edits.append(RemoveKeyword(call, name))
                notes.append(f"removed {name}= ({why})")
            elif config is not None and _dict_value(config, name) is not None:
                report.review(call, f"{label}(...): the config dict sets {name!r} ({why}): remove it")
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
    """The dict literal behind `Ctor(**cfg)` when it is the only value `cfg` ever has."""
    if len(splats) != 1 or any(isinstance(a, ast.Starred) for a in call.args) or not isinstance(splats[0], ast.Name):
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

