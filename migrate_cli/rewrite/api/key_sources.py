"""Where an API key value comes from, as far as the rewrite can prove it. Pure: no findings.

The policy (policy.py) moves a construction to the target only when its key is proven to come from
the target's variable once the edit is made. That holds for a value built only from:
- a read of the target's variable that cannot be None (`os.environ["MIRA_API_KEY"]`);
- a read of an OpenAI or Azure key variable (OPENAI_API_KEY, AZURE_OPENAI_API_KEY, OPENAI_KEY, ...:
  values.is_old_key_env), which the edit turns into a read of the target's;
- `None` (the SDK then reads $OPENAI_API_KEY) and string literals (hard-coded keys or placeholders),
  which the edit replaces by a read of the target's variable;
- `a or b` and `a if c else b` of those.
Anything else is "unproven": a parameter (callers pass whatever they like; a `None` default means
$OPENAI_API_KEY), an attribute (`settings.openai_api_key`), a helper's result, a read of another
variable (`os.getenv("LLM_KEY")`: it may hold anything, and None means $OPENAI_API_KEY). `why`
says where the value comes from, with the line that reads it.

Names bound by one plain assignment (module constants, function locals) are followed by
constants.py, which asks this module about the assigned value.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from migrate_cli.redact import is_placeholder_key
from migrate_cli.rewrite.analysis.scopes import Binding
from migrate_cli.rewrite.analysis.values import (
    EnvRead,
    env_read,
    is_none,
    is_old_key_env,
    key_literal,
    string_literal,
)
from migrate_cli.rewrite.api.context import ModuleInfo

SourceKind = Literal["target", "rewritable", "unproven"]


@dataclass(frozen=True)
class KeySource:
    kind: SourceKind
    #: For "unproven": where the value comes from, as a phrase after `api_key=<value>`.
    why: str = ""
    #: String literals in the value that are not placeholders: hard-coded keys.
    secrets: tuple[ast.Constant, ...] = ()
    #: A placeholder literal in the value ("your-api-key"), kept as the default of code that runs at import.
    placeholder: ast.Constant | None = None
    #: When the whole value is one strict read of an old key variable: its name literal, renamed in place.
    rename: ast.Constant | None = None
    #: For "unproven": the part of the value `why` is about (the value itself, or one operand of `a or b`).
    part: ast.expr | None = None


_TARGET = KeySource("target")


def key_source(value: ast.expr, module: ModuleInfo) -> KeySource:
    leaves = [_leaf(leaf, module) for leaf in _alternatives(value)]
    unproven = next((leaf for leaf in leaves if leaf.kind == "unproven"), None)
    if unproven is not None:
        return unproven
    if all(leaf.kind == "target" for leaf in leaves):
        return _TARGET
    return KeySource(
        "rewritable",
        secrets=tuple(s for leaf in leaves for s in leaf.secrets),
        placeholder=next((leaf.placeholder for leaf in leaves if leaf.placeholder is not None), None),
        rename=leaves[0].rename if len(leaves) == 1 else None,
    )


def parameter_binding(name: ast.Name, module: ModuleInfo) -> Binding | None:
    scope = module.analysis.scope_of(name)
    bindings = module.analysis.lookup(name.id, scope) if scope is not None else []
    return bindings[0] if len(bindings) == 1 and bindings[0].kind == "param" else None


def describe_parameter(binding: Binding, module: ModuleInfo) -> str:
    function = binding.statement
    owner = f"{function.name}()" if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else "a lambda"
    where = module.where(function) if function is not None else "here"
    fallback = "; its default None makes the SDK read $OPENAI_API_KEY" if is_none(binding.value) else ""
    return f"the parameter `{binding.name}` of {owner} ({where}{fallback})"


def _alternatives(value: ast.expr) -> list[ast.expr]:
    """The values an expression may evaluate to: the operands of `a or b`, the branches of `a if c else b`."""
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
        return [leaf for operand in value.values for leaf in _alternatives(operand)]
    if isinstance(value, ast.IfExp):
        return [*_alternatives(value.body), *_alternatives(value.orelse)]
    return [value]


def _leaf(value: ast.expr, module: ModuleInfo) -> KeySource:
    if is_none(value):
        return KeySource("rewritable")
    literal = key_literal(value, module.analysis)
    if literal is not None:
        # `key_literal` found the string literal itself, or the one inside Secret.from_token("...").
        node = string_literal(value) or (string_literal(value.args[0]) if isinstance(value, ast.Call) else None)
        if node is not None:
            return _literal(node)
    env = env_read(value, module.analysis)
    if env is not None:
        return _env(value, env, module)
    return KeySource("unproven", why=_origin(value, module), part=value)


def literal_text(node: ast.Constant) -> str:
    """The text of a key literal (`key_literal` finds string constants only; str() is for the type checker)."""
    return str(node.value)


def _literal(node: ast.Constant) -> KeySource:
    if is_placeholder_key(literal_text(node)):
        return KeySource("rewritable", placeholder=node)
    return KeySource("rewritable", secrets=(node,))


def _env(value: ast.expr, env: EnvRead, module: ModuleInfo) -> KeySource:
    target = module.target
    if env.var is None:
        return KeySource(
            "unproven",
            why=f"reads an environment variable whose name is not written here ({module.where(value)})",
            part=value,
        )
    default = _default(value) if env.form in ("get", "getenv") else None
    fallback = _leaf(default, module) if default is not None and not is_none(default) else None
    if fallback is not None and fallback.kind == "unproven":
        return fallback
    if env.var == target.api_key_env:
        if env.may_be_none or (fallback is not None and fallback.secrets):
            # getenv gives None when the variable is unset, and the SDK then sends $OPENAI_API_KEY:
            # rewritten to a strict read.
            return KeySource("rewritable", secrets=fallback.secrets if fallback else ())
        return _TARGET
    if not is_old_key_env(env.var, target.api_key_env):
        return KeySource(
            "unproven",
            why=f"reads ${env.var} ({module.where(value)}), which is not known to hold the key for {target.base_url}"
            + (" (and when it is unset the SDK reads $OPENAI_API_KEY)" if env.may_be_none else ""),
            part=value,
        )
    if env.may_be_none:
        return KeySource("rewritable")
    if fallback is None or (fallback.placeholder is not None and not fallback.secrets):
        # A strict read, or a placeholder default: only the variable's name changes.
        return KeySource("rewritable", placeholder=None, rename=string_literal(env.name_node))
    return KeySource("rewritable", secrets=fallback.secrets)


def _default(call: ast.expr) -> ast.expr | None:
    if not isinstance(call, ast.Call):
        return None
    if len(call.args) > 1:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg in ("default", "value")), None)


def _origin(value: ast.expr, module: ModuleInfo) -> str:
    """Where an unproven value comes from, said so a person can find it."""
    target = module.target
    if isinstance(value, ast.Name):
        param = parameter_binding(value, module)
        if param is not None:
            return f"is {describe_parameter(param, module)}, so callers decide which key this client sends"
        scope = module.analysis.scope_of(value)
        bindings = module.analysis.lookup(value.id, scope) if scope is not None else []
        lines = sorted({module.where(b.statement) for b in bindings if b.statement is not None})
        if lines:
            return f"is set at {', '.join(lines)} in a way the rewrite cannot follow"
        return "is not defined in this file"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        returned = _helper_env_read(value.func, module)
        if returned is not None:
            return f"is what {value.func.id}() returns: {returned}, which the rewrite does not follow into the helper"
    return f"({module.where(value)}) is not proven to hold the key for {target.base_url}"


def _helper_env_read(func: ast.Name, module: ModuleInfo) -> str | None:
    """`get_key()` defined in this file: the env read it returns, with its line ("os.environ[...] (line 4)")."""
    scope = module.analysis.scope_of(func)
    bindings = module.analysis.lookup(func.id, scope) if scope is not None else []
    if len(bindings) != 1 or bindings[0].kind != "def":
        return None
    definition = bindings[0].statement
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    for node in ast.walk(definition):
        if isinstance(node, ast.Return) and node.value is not None:
            for leaf in _alternatives(node.value):
                if env_read(leaf, module.analysis) is not None:
                    return f"{module.segment(leaf)} ({module.where(leaf)})"
    return None
