"""Which calls in a module are made on an openai client, and is that client moving to the target?

Model ids (MC004), `max_completion_tokens` (MC005) and Azure deployment names (MC003) live in the
arguments of API calls such as `client.chat.completions.create(model=..., ...)`. Those arguments
only mean "an OpenAI model" when `client` provably is an openai client, so a receiver counts only
when it is (through any import form, resolved by qualified name):

- a construction: `OpenAI(...)`, `openai.AsyncOpenAI(...)`, `AzureOpenAI(...)` (chained calls too);
- the module-level client: `openai.chat...` where `openai` is the package;
- a name every binding of which (in the scope of the call) is one of these, `a or OpenAI(...)`,
  or `x if cond else OpenAI(...)`;
- `self.x` / `cls.x` when every assignment of `x` in the class's methods (or its class body) is one;
- a wrapper that returns the client it is given (`client.with_options(...)`, `instructor.from_openai(c)`,
  `langsmith.wrappers.wrap_openai(c)`).

Parameters (even annotated ones), factory functions and attributes of other objects are not
followed: the analysis is flow-insensitive and a guess here would rewrite the wrong strings.

A client "moves" when the rewrite points it at the target: a construction whose `base_url` is
absent or OpenAI's and whose key is proven to become the target's (policy.py), with no argument the
target cannot take (`provider=`, `workload_identity=`, a credential in `default_headers`) and no copy
(`client.with_options(api_key=...)`) that passes a key not proven to be the target's; Azure
constructions move on the same terms (MC003 converts them). A client that does not move (a proxy or
local URL, a tenant's key) is left alone, and so are the calls on it.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from migrate_cli.rewrite.analysis.names import AZURE_CLIENT_NAMES, CLIENT_NAMES, OPENAI_MODULES
from migrate_cli.rewrite.analysis.scopes import Scope
from migrate_cli.rewrite.api.context import Fact, Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.api.policy import (
    credential_header_problem,
    decide_base_url,
    key_unproven_reason,
    lands_on_target,
    url_moves,
)

# Resource paths (after the client) whose methods take a `model=` and send it to the provider.
# Source: openai-python `src/openai/resources/` (chat/completions, responses, embeddings, ...).
MODEL_ENDPOINTS = frozenset(
    {
        "chat.completions.create",
        "chat.completions.parse",
        "chat.completions.stream",
        "beta.chat.completions.create",
        "beta.chat.completions.parse",
        "beta.chat.completions.stream",
        "responses.create",
        "responses.parse",
        "responses.stream",
        "completions.create",
        "embeddings.create",
        "moderations.create",
        "images.generate",
        "images.edit",
        "images.create_variation",
        "audio.speech.create",
        "audio.transcriptions.create",
        "audio.translations.create",
        # SDK 0.x module resources (`openai.ChatCompletion.create(model=...)`).
        "ChatCompletion.create",
        "ChatCompletion.acreate",
        "Completion.create",
        "Completion.acreate",
        "Embedding.create",
        "Embedding.acreate",
    }
)
_METHODS = frozenset(endpoint.rsplit(".", 1)[-1] for endpoint in MODEL_ENDPOINTS)
# Access paths that return the same resource with another response wrapper.
_TRANSPARENT = frozenset({"with_raw_response", "with_streaming_response"})
# Calls that return (a wrapper around) the client passed as their first argument.
_WRAPPERS = frozenset(
    {"instructor.from_openai", "instructor.patch", "instructor.apatch", "langsmith.wrappers.wrap_openai"}
)
_COPIES = frozenset({"with_options", "copy"})
# The openai<1 SDK's module resources (`openai.ChatCompletion.create(...)`). That SDK reads its URL
# from `openai.api_base` / $OPENAI_API_BASE, never from $OPENAI_BASE_URL (openai-python v0.28
# `openai/__init__.py`).
V0_RESOURCES = frozenset({"ChatCompletion", "Completion", "Embedding", "Edit", "Image", "Moderation", "Engine"})
_DEPTH = 6
_CLIENT_CALLS: Fact[tuple[ClientCall, ...]] = Fact("client calls")
_UNPROVEN_COPIES: Fact[dict[int, tuple[ast.Call, str]]] = Fact("unproven copies")
# Arguments of an openai client that the target's base_url and api_key cannot combine with, and why
# (openai-python `src/openai/lib/_client_auth.py`: `provider` refuses base_url, `workload_identity` api_key).
REFUSED_CLIENT_ARGUMENTS = (
    (
        "provider",
        "routes this client through another cloud's provider (not OpenAI), and the SDK refuses it together with "
        "base_url",
    ),
    ("workload_identity", "authenticates with OpenAI workload identity, which the SDK refuses together with api_key"),
)
# Azure clients authenticated with Microsoft Entra ID have no API key to swap.
AZURE_ENTRA_ARGUMENTS = ("azure_ad_token", "azure_ad_token_provider", "workload_identity")


@dataclass(frozen=True)
class Origin:
    """Where a client comes from."""

    #: "client" (OpenAI/AsyncOpenAI/...), "azure" (AzureOpenAI/...) or "module" (the openai module).
    kind: str
    #: The construction calls it may have come from (empty for the module client).
    constructions: tuple[ast.Call, ...]
    #: The rewrite points this client at the target (so its model ids and parameters must follow).
    moves: bool


@dataclass(frozen=True)
class ClientCall:
    """`<client>.<endpoint>(...)`, e.g. endpoint "chat.completions.create"."""

    call: ast.Call
    endpoint: str
    origin: Origin

    def keyword(self, name: str) -> ast.keyword | None:
        return next((k for k in self.call.keywords if k.arg == name), None)


def client_calls(module: ModuleInfo) -> tuple[ClientCall, ...]:
    """Every API call made on a provable openai client, in source order (computed once per module:
    MC003, MC004 and MC005 all ask)."""
    cached = module.known(_CLIENT_CALLS)
    if cached is None:
        cached = module.learn(_CLIENT_CALLS, _find_client_calls(module))
    return cached


def _find_client_calls(module: ModuleInfo) -> tuple[ClientCall, ...]:
    resolver = _Resolver(module)
    found = []
    for call in module.analysis.calls:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in _METHODS):
            continue  # most calls: a cheap look-up instead of walking the attribute chain
        split = _split_endpoint(func)
        if split is None:
            continue
        receiver, endpoint = split
        origin = resolver.origin(receiver)
        if origin is not None:
            found.append(ClientCall(call, endpoint, origin))
    return tuple(found)


def resolve_client(expr: ast.expr, module: ModuleInfo) -> Origin | None:
    """The origin of a client expression (e.g. `openai_client=` of a framework constructor)."""
    return _Resolver(module).origin(expr)


def unproven_copies(module: ModuleInfo) -> dict[int, tuple[ast.Call, str]]:
    """Constructions (by id) that have a copy passing a key not proven to be the target's, with that
    copy and the reason: `base.with_options(api_key=tenant_key)` would send the tenant's key to the
    target if `base` moved, so `base` stays where it is."""
    found = module.known(_UNPROVEN_COPIES)
    if found is not None:
        return found
    found = module.learn(_UNPROVEN_COPIES, {})
    if "with_options" not in module.source and ".copy(" not in module.source:
        return found
    resolver = _Resolver(module, judge=False)
    for call in module.analysis.calls:
        func = call.func
        key = next((k.value for k in call.keywords if k.arg == "api_key"), None)
        if key is None or not (isinstance(func, ast.Attribute) and func.attr in _COPIES):
            continue
        reason = key_unproven_reason(key, module)
        if reason is None:
            continue
        origin = resolver.origin(func.value)
        if origin is not None and origin.kind != "module":
            for construction in origin.constructions:
                found.setdefault(id(construction), (call, reason))
    return found


def construction_moves(call: ast.Call, module: ModuleInfo) -> bool:
    """Whether MC001 points this `OpenAI(...)` construction at the target (see the module docstring)."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    if any(k.arg is None for k in call.keywords) and "base_url" not in keywords:
        return False  # `OpenAI(**cfg)`: the URL may be in there; MC001 says what it did with it
    if any(name in keywords for name, _ in REFUSED_CLIENT_ARGUMENTS):
        return False
    return _moves_with(keywords.get("base_url"), keywords, call, module)


def azure_moves(call: ast.Call, module: ModuleInfo) -> bool:
    """MC003 converts keyword-only Azure constructions with a key it can prove; anything else it leaves for review."""
    if call.args or any(k.arg is None for k in call.keywords):
        return False
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    if any(name in keywords for name in AZURE_ENTRA_ARGUMENTS):
        return False
    return _moves_with(None, keywords, call, module)


def _moves_with(url: ast.expr | None, keywords: dict[str, ast.expr], call: ast.Call, module: ModuleInfo) -> bool:
    if not lands_on_target(url, keywords.get("api_key"), module):
        return False
    if credential_header_problem(keywords.get("default_headers"), module, Recorder("judge", Findings())) is not None:
        return False
    return id(call) not in unproven_copies(module)


def _split_endpoint(func: ast.expr) -> tuple[ast.expr, str] | None:
    """`client.chat.completions.with_raw_response.create` -> (client, "chat.completions.create")."""
    parts: list[str] = []
    node = func
    found = None
    while isinstance(node, ast.Attribute):
        if node.attr not in _TRANSPARENT:
            parts.append(node.attr)
        node = node.value
        endpoint = ".".join(reversed(parts))
        if endpoint in MODEL_ENDPOINTS:
            found = node, endpoint  # keep going: `chat.completions.create` beats `completions.create`
    return found


class _Resolver:
    def __init__(self, module: ModuleInfo, judge: bool = True) -> None:
        self.module = module
        #: Whether origins say if the client moves (False: only where clients come from).
        self.judge = judge
        self._attributes: dict[tuple[int, str], list[ast.expr | None]] | None = None

    def origin(self, expr: ast.expr, depth: int = 0) -> Origin | None:
        if depth > _DEPTH:
            return None
        if isinstance(expr, ast.Call):
            return self._call_origin(expr, depth)
        if isinstance(expr, ast.Name):
            return self._name_origin(expr, depth)
        if isinstance(expr, ast.Attribute):
            if self.module.qualify(expr).single in OPENAI_MODULES:
                return self._module_origin()
            return self._attribute_origin(expr, depth)
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            # `client or OpenAI()`: the idiom of an optional injected client with a default. The
            # default must be a client; the other operands may be unknown (an injected client).
            origins = [self.origin(v, depth + 1) for v in expr.values]
            if origins[-1] is None:
                return None
            return _merge([o for o in origins if o is not None])
        if isinstance(expr, ast.IfExp):
            branches = [b for b in (expr.body, expr.orelse) if not _is_none(b)]
            return self._all_of(branches, depth)
        return None

    def _call_origin(self, call: ast.Call, depth: int) -> Origin | None:
        names = self.module.qualify(call.func).names
        if len(names) == 1:
            name = next(iter(names))
            if name in CLIENT_NAMES:
                return Origin("client", (call,), not self.judge or construction_moves(call, self.module))
            if name in AZURE_CLIENT_NAMES:
                return Origin("azure", (call,), not self.judge or azure_moves(call, self.module))
            if name in _WRAPPERS and call.args:
                return self.origin(call.args[0], depth + 1)
        if isinstance(call.func, ast.Attribute) and call.func.attr in _COPIES:
            inner = self.origin(call.func.value, depth + 1)
            if inner is None or inner.kind == "module":
                return None
            url = next((k.value for k in call.keywords if k.arg == "base_url"), None)
            if url is not None and not url_moves(url, self.module):
                return Origin(inner.kind, inner.constructions, False)
            return inner
        return None

    def _name_origin(self, name: ast.Name, depth: int) -> Origin | None:
        qualified = self.module.qualify(name).single
        if qualified in OPENAI_MODULES:
            return self._module_origin()
        scope = self.module.analysis.scope_of(name)
        if scope is None:
            return None
        bindings = self.module.analysis.lookup(name.id, scope)
        if not bindings or any(b.kind != "assign" or b.value is None for b in bindings):
            return None
        return self._all_of([b.value for b in bindings], depth)

    def _attribute_origin(self, attr: ast.Attribute, depth: int) -> Origin | None:
        """`self.client` / `cls.client`: every assignment of that attribute in the class."""
        if not isinstance(attr.value, ast.Name) or attr.value.id not in ("self", "cls"):
            return None
        class_scope = _class_of(self.module.analysis.scope_of(attr.value))
        if class_scope is None:
            return None
        values = list(self._attribute_index().get((id(class_scope), attr.attr), ()))
        values += [b.value for b in class_scope.bindings.get(attr.attr, ())]  # class-body `x = OpenAI()`
        if not values:
            return None
        return self._all_of(values, depth)

    def _all_of(self, values: Sequence[ast.expr | None], depth: int) -> Origin | None:
        """The merged origin of every value; None when one of them is unknown (or is None: a value
        the analysis could not see)."""
        origins = [self.origin(v, depth + 1) if v is not None else None for v in values]
        known = [o for o in origins if o is not None]
        return _merge(known) if len(known) == len(origins) else None

    def _attribute_index(self) -> dict[tuple[int, str], list[ast.expr | None]]:
        """(id of class scope, attribute) -> values assigned to `self.<attribute>` in its methods.

        None stands for an assignment whose value cannot be known (`self.x += ...`, `self.x: T`).
        """
        if self._attributes is None:
            self._attributes = {}
            for stmt in self.module.analysis.assignments:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
                        continue
                    if target.value.id not in ("self", "cls"):
                        continue
                    class_scope = _class_of(self.module.analysis.scope_of(target.value))
                    if class_scope is None:
                        continue
                    key = (id(class_scope), target.attr)
                    value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
                    self._attributes.setdefault(key, []).append(value)
        return self._attributes

    def _module_origin(self) -> Origin:
        return Origin("module", (), _module_client_moves(self.module))


def _class_of(scope: Scope | None) -> Scope | None:
    """The class a method's scope belongs to (through nested lambdas/comprehensions)."""
    while scope is not None and scope.kind in ("function", "comprehension"):
        if scope.kind == "function" and scope.parent is not None and scope.parent.kind == "class":
            return scope.parent
        scope = scope.parent
    return None


def _merge(origins: list[Origin]) -> Origin | None:
    if not origins:
        return None
    kinds = {o.kind for o in origins}
    kind = kinds.pop() if len(kinds) == 1 else "mixed"
    constructions = tuple(c for o in origins for c in o.constructions)
    return Origin(kind, constructions, all(o.moves for o in origins))


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _module_client_moves(module: ModuleInfo) -> bool:
    """The module client moves unless the file points `openai.base_url`/`api_base` elsewhere, sets
    `openai.api_key` to a key not proven to be the target's, or configures it Azure-style
    (`openai.api_type = ...`): MC002 leaves those for review."""
    urls: list[ast.expr] = []
    keys: list[ast.expr] = []
    for stmt in module.analysis.assignments:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not (isinstance(target, ast.Attribute) and target.attr in ("base_url", "api_base", "api_type", "api_key")):
            continue
        if module.qualify(target.value).single not in OPENAI_MODULES:
            continue
        if target.attr == "api_key":
            keys.append(stmt.value)
        elif target.attr == "api_type" or not url_moves(stmt.value, module):
            return False
        else:
            urls.append(stmt.value)
    if any(decide_base_url(url, module).action == "keep" for url in urls):
        return True  # already pointed at the target: whatever key it chose goes there already
    return all(key_unproven_reason(key, module) is None for key in keys)


def uses_sdk_v0(module: ModuleInfo) -> bool:
    """Whether the file configures or calls the openai<1 module client (`openai.api_base`, `openai.ChatCompletion`)."""
    if not any(word in module.source for word in (*V0_RESOURCES, "api_base", "api_type")):
        return False  # the cheap answer for nearly every file; the walk below is the exact one
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.Attribute)
            and (node.attr in V0_RESOURCES or node.attr in ("api_base", "api_type"))
            and module.qualify(node.value).single in OPENAI_MODULES
        ):
            return True
    return False
