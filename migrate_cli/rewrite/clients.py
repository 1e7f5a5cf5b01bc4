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

A client "moves" when the rewrite points it at the target: a construction without an explicit
`base_url`, or with OpenAI's (see policy.decide_base_url); Azure constructions move (MC003 converts
them). A client built with a proxy or local URL does not move, and calls on it are left alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from migrate_cli.rewrite.analysis import Scope
from migrate_cli.rewrite.context import ModuleInfo
from migrate_cli.rewrite.names import AZURE_CLIENT_NAMES, CLIENT_NAMES, OPENAI_MODULES
from migrate_cli.rewrite.policy import decide_base_url

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
_DEPTH = 6
_MEMO_KEY = "clients.client_calls"


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
    cached = module.memo.get(_MEMO_KEY)
    if cached is None:
        cached = module.memo[_MEMO_KEY] = _find_client_calls(module)
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
    def __init__(self, module: ModuleInfo) -> None:
        self.module = module
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
            origins = [self.origin(b, depth + 1) for b in branches]
            return None if any(o is None for o in origins) else _merge(origins)  # type: ignore[arg-type]
        return None

    def _call_origin(self, call: ast.Call, depth: int) -> Origin | None:
        names = self.module.qualify(call.func).names
        if len(names) == 1:
            name = next(iter(names))
            if name in CLIENT_NAMES:
                return Origin("client", (call,), _construction_moves(call, self.module))
            if name in AZURE_CLIENT_NAMES:
                return Origin("azure", (call,), _azure_moves(call))
            if name in _WRAPPERS and call.args:
                return self.origin(call.args[0], depth + 1)
        if isinstance(call.func, ast.Attribute) and call.func.attr in _COPIES:
            inner = self.origin(call.func.value, depth + 1)
            if inner is None or inner.kind == "module":
                return None
            url = next((k.value for k in call.keywords if k.arg == "base_url"), None)
            if url is not None and decide_base_url(url, self.module).action == "foreign":
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
        return self._all_of([b.value for b in bindings], depth)  # type: ignore[misc]

    def _attribute_origin(self, attr: ast.Attribute, depth: int) -> Origin | None:
        """`self.client` / `cls.client`: every assignment of that attribute in the class."""
        if not isinstance(attr.value, ast.Name) or attr.value.id not in ("self", "cls"):
            return None
        class_scope = _class_of(self.module.analysis.scope_of(attr.value))
        if class_scope is None:
            return None
        values = list(self._attribute_index().get((id(class_scope), attr.attr), ()))
        values += [b.value for b in class_scope.bindings.get(attr.attr, ())]  # class-body `x = OpenAI()`
        if not values or any(v is None for v in values):
            return None
        return self._all_of(values, depth)  # type: ignore[arg-type]

    def _all_of(self, values: list[ast.expr], depth: int) -> Origin | None:
        origins = [self.origin(v, depth + 1) for v in values]
        if any(o is None for o in origins):
            return None
        return _merge(origins)  # type: ignore[arg-type]

    def _attribute_index(self) -> dict[tuple[int, str], list[ast.expr | None]]:
        """(id of class scope, attribute) -> values assigned to `self.<attribute>` in its methods.

        None stands for an assignment whose value cannot be known (`self.x += ...`, `self.x: T`).
        """
        if self._attributes is None:
            self._attributes = {}
            for stmt in self.module.analysis.assignments:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[attr-defined]
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


def _construction_moves(call: ast.Call, module: ModuleInfo) -> bool:
    url = next((k.value for k in call.keywords if k.arg == "base_url"), None)
    if url is None and any(k.arg is None for k in call.keywords):
        return False  # `OpenAI(**cfg)`: the URL may be in there; MC001 says what it did with it
    return decide_base_url(url, module).action != "foreign"


def _azure_moves(call: ast.Call) -> bool:
    """MC003 converts keyword-only Azure constructions; anything else it leaves for review."""
    return not call.args and all(k.arg is not None for k in call.keywords)


def _module_client_moves(module: ModuleInfo) -> bool:
    """The module client moves unless the file points `openai.base_url`/`api_base` elsewhere, or
    configures it Azure-style (`openai.api_type = ...`, which MC002 leaves for review)."""
    for stmt in module.analysis.assignments:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not (isinstance(target, ast.Attribute) and target.attr in ("base_url", "api_base", "api_type")):
            continue
        if module.qualify(target.value).single not in OPENAI_MODULES:
            continue
        if target.attr == "api_type" or decide_base_url(stmt.value, module).action == "foreign":
            return False
    return True
