"""What a value expression is, as far as a migration cares: an env read, an OpenAI URL, a key literal.

Shared by every rule that looks at `api_key=` / `base_url=`-like values, so they all classify the
same way.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from migrate_cli.rewrite.analysis.scopes import ModuleAnalysis

OPENAI_KEY_ENV = "OPENAI_API_KEY"
OPENAI_URL_ENVS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE"})
OPENAI_HOSTS = frozenset({"api.openai.com", "us.api.openai.com", "eu.api.openai.com", "ae.api.openai.com"})

# Haystack wraps keys in `Secret` (haystack/utils/auth.py): `Secret.from_env_var("X")` is an env read,
# `Secret.from_token("sk-...")` a hard-coded key.
HAYSTACK_SECRET_CLASSES = frozenset({"haystack.utils.Secret", "haystack.utils.auth.Secret"})

# Variables that hold an OpenAI or Azure OpenAI key, by name: OPENAI_API_KEY, OPENAI_KEY,
# AZURE_OPENAI_API_KEY, AZURE_OPENAI_KEY, AZURE_API_KEY (litellm), MY_OPENAI_KEY, ...
_OLD_KEY_ENV = re.compile(r"(?=.*(?:OPENAI|^AZURE_)).*KEY", re.IGNORECASE)


@dataclass(frozen=True)
class EnvRead:
    """`os.environ["X"]`, `os.environ.get("X", ...)` or `os.getenv("X", ...)`."""

    form: str  # "subscript" | "get" | "getenv" | "secret" (Haystack's `Secret.from_env_var("X")`)
    #: The env var name, when it is a string literal; None for `os.getenv(NAME_VAR)`.
    var: str | None
    name_node: ast.expr
    #: `.get`/`getenv` without a non-None default: the read gives None when the variable is unset.
    may_be_none: bool = False


def string_value(expr: ast.AST | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def string_literal(expr: ast.AST | None) -> ast.Constant | None:
    """`expr` itself when it is a string literal: for callers that keep the node, not only its text."""
    return expr if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def string_items(node: ast.Dict) -> list[tuple[str, ast.expr]] | None:
    """A dict literal's (key, value) pairs when every key is a string literal; None when one is not
    (a computed key, or a `**` entry, whose key is None in the ast)."""
    items = []
    for key, value in zip(node.keys, node.values, strict=True):
        text = string_value(key)
        if text is None:
            return None
        items.append((text, value))
    return items


def is_none(expr: ast.AST | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def env_read(expr: ast.AST | None, analysis: ModuleAnalysis) -> EnvRead | None:
    if isinstance(expr, ast.Subscript) and _is_environ(expr.value, analysis):
        return EnvRead("subscript", string_value(expr.slice), expr.slice)
    if isinstance(expr, ast.Call) and expr.args and not isinstance(expr.args[0], ast.Starred):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value, analysis):
            return EnvRead("get", string_value(expr.args[0]), expr.args[0], _no_default(expr))
        if "os.getenv" in analysis.qualify(func) and len(analysis.qualify(func).names) == 1:
            return EnvRead("getenv", string_value(expr.args[0]), expr.args[0], _no_default(expr))
        if _is_secret_factory(func, "from_env_var", analysis):
            return EnvRead("secret", string_value(expr.args[0]), expr.args[0])
    return None


def _no_default(call: ast.Call) -> bool:
    default = (
        call.args[1]
        if len(call.args) > 1
        else next((k.value for k in call.keywords if k.arg in ("default", "value")), None)
    )
    return default is None or is_none(default)


def key_literal(expr: ast.AST | None, analysis: ModuleAnalysis) -> str | None:
    """The hard-coded key an expression spells: a string literal, or Haystack's `Secret.from_token("...")`."""
    literal = string_value(expr)
    if literal is not None:
        return literal
    if (
        isinstance(expr, ast.Call)
        and len(expr.args) == 1
        and not expr.keywords
        and _is_secret_factory(expr.func, "from_token", analysis)
    ):
        return string_value(expr.args[0])
    return None


def _is_secret_factory(func: ast.AST, method: str, analysis: ModuleAnalysis) -> bool:
    if not (isinstance(func, ast.Attribute) and func.attr == method):
        return False
    return analysis.qualify(func.value).single in HAYSTACK_SECRET_CLASSES


def _is_environ(expr: ast.AST, analysis: ModuleAnalysis) -> bool:
    return analysis.qualify(expr).single == "os.environ"


def is_openai_url(url: str) -> bool:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return host in OPENAI_HOSTS


def points_at_openai(value: ast.expr, analysis: ModuleAnalysis) -> bool:
    """An OpenAI URL literal, None (the SDK default), a read of OPENAI_BASE_URL, or `a or b` of those."""
    if is_none(value):
        return True
    literal = string_value(value)
    if literal is not None:
        return is_openai_url(literal)
    env = env_read(value, analysis)
    if env is not None:
        return env.var in OPENAI_URL_ENVS
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
        return all(points_at_openai(v, analysis) for v in value.values)
    return False


def is_old_key_env(var: str, target_env: str) -> bool:
    """Whether an env var, by its name, holds the OpenAI or Azure OpenAI key a migrated client had."""
    return var != target_env and bool(_OLD_KEY_ENV.match(var))


def env_lookup_code(os_name: str, var: str, placeholder: str | None = None) -> str:
    """The expression a rewrite writes for "the key from env var `var`".

    Strict (`os.environ["VAR"]`) so an unset variable fails loudly: `os.getenv` would give None and
    the SDKs would then send $OPENAI_API_KEY instead. With a placeholder (the code's own literal,
    for code that runs at import time): `os.environ.get("VAR", "<placeholder>")`, so importing the
    module still works where the variable is unset, and still never falls back to OPENAI_API_KEY.
    """
    if placeholder is not None:
        return f'{os_name}.environ.get("{var}", {placeholder})'
    return f'{os_name}.environ["{var}"]'


def source_of(expr: ast.AST, lines: list[str]) -> str:
    """The exact source text of a node (for review messages)."""
    return ast.get_source_segment("".join(lines), expr) or ast.unparse(expr)


def constant_string(expr: ast.AST | None, analysis: ModuleAnalysis) -> str | None:
    """A string literal, or a name bound exactly once (in the scope it is read in) to one: `MODEL = "gpt-4o"`."""
    literal = string_value(expr)
    if literal is not None or not isinstance(expr, ast.Name):
        return literal
    scope = analysis.scope_of(expr)
    bindings = analysis.lookup(expr.id, scope) if scope is not None else []
    if len(bindings) == 1 and bindings[0].kind == "assign":
        return string_value(bindings[0].value)
    return None
