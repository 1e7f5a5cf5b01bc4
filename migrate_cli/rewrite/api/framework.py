"""Small pieces the framework rules share (LangChain, LlamaIndex, openai-agents, pydantic-ai).

A framework rule is mostly a `ConstructionSpec` (rules/construction.py; one per constructor family
with `SpecConstruction`, rules/spec_construction.py) plus a few framework facts
that only matter once a construction really moves to the target: "this class refuses non-OpenAI model
ids", "this SDK defaults to the Responses API". The helpers below answer, cheaply and without
touching the report, the questions those facts hang on: which constructor is this call, does this
construction end up at the target, is this argument a client built for the target.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

from migrate_cli.rewrite.analysis.names import CLIENT_NAMES
from migrate_cli.rewrite.analysis.values import string_value
from migrate_cli.rewrite.api.clients import construction_moves
from migrate_cli.rewrite.api.context import ModuleInfo
from migrate_cli.rewrite.api.policy import lands_on_target as url_and_key_land

if TYPE_CHECKING:
    # Only for annotations: importing the rules package here would run its registry, whose rules
    # import this module (a cycle when this module is imported first).
    from migrate_cli.rewrite.api.construction import ConstructionSpec


def qualified_names(prefixes: tuple[str, ...], homes: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """Every `prefix.home.Class` (and `prefix.Class`) spelling a class is importable by."""
    return frozenset(
        f"{prefix}.{home}.{cls}" if home else f"{prefix}.{cls}"
        for prefix in prefixes
        for cls, places in homes.items()
        for home in ("", *places)
    )


def mentions(module: ModuleInfo, package: str) -> bool:
    """Whether the source names `package` at all: a cheap guard before any per-call work.

    A qualified name under `package` can only come from an import that spells it, so a module
    without the word has nothing for a rule about that package (this keeps the framework rules
    from qualifying every call of every file that merely uses the openai SDK).
    """
    return package in module.source


def callee(call: ast.Call, module: ModuleInfo) -> str | None:
    """The one qualified name `call.func` stands for; None when unknown or ambiguous."""
    return module.qualify(call.func).single


def callee_within(call: ast.Call, module: ModuleInfo, family: frozenset[str]) -> str | None:
    """The class `call` constructs when every name its callee may stand for is in `family`.

    One class reachable by several import paths (`if ...: from a import X / else: from a.b import X`)
    is still that class; a name that may also be something else is None.
    """
    names = module.qualify(call.func).names
    return min(names) if names and names <= family else None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument bound to a parameter that may be passed by position or by keyword."""
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return keyword(call, name)


def is_constant(expr: ast.expr | None, value: object) -> bool:
    return isinstance(expr, ast.Constant) and type(expr.value) is type(value) and expr.value == value


def lands_on_target(call: ast.Call, spec: ConstructionSpec, module: ModuleInfo) -> bool:
    """Whether this construction talks to the target once the run is done (or already does).

    True when no skip-if or refused parameter is passed, its URL parameter is absent, OpenAI's, or
    the target's, and its key is proven to be the target's. A call whose arguments hide in
    `**kwargs` counts only when the URL is named outright: the caller uses this to add
    framework-specific advice, and advice on a guess would be noise.
    """
    names = {k.arg for k in call.keywords}
    if any(name in names for name in (*spec.skip_if, *(refused for refused, _ in spec.refuse_if))):
        return False
    url = next((keyword(call, p) for p in spec.url_params if p in names), None)
    if url is None and (None in names or any(isinstance(a, ast.Starred) for a in call.args)):
        return False
    key = next((keyword(call, p) for p in spec.key_params if p in names), None)
    return url_and_key_land(url, key, module)


def construction_of(expr: ast.expr | None, module: ModuleInfo) -> ast.Call | None:
    """The call `expr` is, or the call a name is bound to once in the scope it is read in.

    Covers `use(AsyncOpenAI())` and `client = AsyncOpenAI(); use(client)`; anything else (a name bound
    twice, a parameter, an attribute) is None: the caller says nothing rather than guess.
    """
    if isinstance(expr, ast.Name):
        bindings = module.analysis.lookup(expr.id, module.scope_at(expr))
        expr = bindings[0].value if len(bindings) == 1 and bindings[0].kind == "assign" else None
    return expr if isinstance(expr, ast.Call) else None


def lands_on_target_as(expr: ast.expr | None, spec: ConstructionSpec, module: ModuleInfo) -> bool:
    """Whether `expr` is (see `construction_of`) a construction of `spec` that ends up at the target."""
    call = construction_of(expr, module)
    return call is not None and callee(call, module) in spec.callees and lands_on_target(call, spec, module)


def client_for_target(expr: ast.expr | None, module: ModuleInfo) -> bool:
    """Whether `expr` is an openai client construction (MC001's) that ends up at the target."""
    call = construction_of(expr, module)
    return call is not None and callee(call, module) in CLIENT_NAMES and construction_moves(call, module)


def calls_with_first_string(module: ModuleInfo, callees: frozenset[str], name: str, value: str) -> list[ast.Call]:
    """Calls to one of `callees` whose first argument (or keyword `name`) is the string `value`."""
    return [
        call
        for call in module.analysis.calls
        if callee(call, module) in callees and string_value(argument(call, 0, name)) == value
    ]
