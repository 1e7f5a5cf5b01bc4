"""What to do with a `base_url`-like and an `api_key`-like value, the same way for every rule.

base_url:  missing -> the target URL; an OpenAI URL literal, `None`, or a read of OPENAI_BASE_URL /
           OPENAI_API_BASE -> the target URL; already the target -> keep; anything else (a proxy,
           localhost, a variable) -> "foreign": the caller leaves the whole construction alone and
           lists it for review, because that client is not talking to OpenAI directly.
api_key:   missing -> the target's env var; a read of OPENAI_API_KEY -> the same read of the target's
           env var; a string literal -> the env lookup (a security finding when it looks like a real
           key, whose value is never shown); already the target's env var -> keep; anything else -> keep
           and review.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import Callable

from migrate_cli.redact import redact
from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit, ReplaceExpr, SetString
from migrate_cli.rewrite.values import (
    OPENAI_KEY_ENV,
    OPENAI_URL_ENVS,
    env_lookup_code,
    env_read,
    is_none,
    is_openai_url,
    looks_like_key,
    string_value,
)


@dataclass
class Decision:
    #: "keep" (already right) | "insert" (absent: the caller adds it) | "edit" | "foreign" | "review"
    action: str
    edits: list[Edit] = field(default_factory=list)
    #: For "insert": the value expression to add.
    code: str = ""
    #: What changed, for the change log ("base_url -> https://...").
    note: str = ""
    #: Why a person must look (for "foreign" and "review").
    reason: str = ""


def url_literal(module: ModuleInfo) -> str:
    return json.dumps(module.target.base_url)


def decide_base_url(value: ast.expr | None, module: ModuleInfo, what: str = "base_url") -> Decision:
    target = module.target
    if value is None:
        return Decision("insert", code=url_literal(module), note=f"{what} -> {target.base_url}")
    literal = string_value(value)
    if literal is not None and target.same_url(literal):
        return Decision("keep")
    if _points_at_openai(value, module):
        return Decision("edit", [ReplaceExpr(value, url_literal(module))], note=f"{what} -> {target.base_url}")
    source = redact(module.segment(value))
    env = env_read(value, module.analysis)
    if env is not None and env.var is not None:
        reason = (
            f"{what} comes from ${env.var}, not an OpenAI setting: left as is; set ${env.var} to "
            f"{target.base_url} where this runs if this client should move"
        )
    else:
        reason = (
            f"{what}={source} is not OpenAI's URL (a proxy, a local server, or set elsewhere): "
            f"left as is; point it at {target.base_url} if this client should move"
        )
    return Decision("foreign", reason=reason)


def _points_at_openai(value: ast.expr, module: ModuleInfo) -> bool:
    """An OpenAI URL literal, None (the SDK default), a read of OPENAI_BASE_URL, or `a or b` of those."""
    if is_none(value):
        return True
    literal = string_value(value)
    if literal is not None:
        return is_openai_url(literal)
    env = env_read(value, module.analysis)
    if env is not None:
        return env.var in OPENAI_URL_ENVS
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
        return all(_points_at_openai(v, module) for v in value.values)
    return False


def default_key_code(module: ModuleInfo, anchor: ast.AST, report: Recorder) -> str | None:
    """`os.environ["<ENV>"]` with whatever name reaches `os` at `anchor`; None when none can."""
    os_name = module.os_module_name(anchor, report)
    return None if os_name is None else env_lookup_code(os_name, module.target.api_key_env)


def decide_api_key(
    value: ast.expr | None,
    module: ModuleInfo,
    report: Recorder,
    anchor: ast.AST,
    what: str = "api_key",
    key_code: Callable[[], str | None] | None = None,
) -> Decision:
    env_name = module.target.api_key_env
    env = env_read(value, module.analysis) if value is not None else None
    if env is not None and env.var == env_name:
        return Decision("keep")
    if env is not None and env.var == OPENAI_KEY_ENV:
        return Decision("edit", [SetString(env.name_node, env_name)], note=f"{what} -> ${env_name}")  # type: ignore[arg-type]
    if value is not None and not is_none(value) and string_value(value) is None:
        source = redact(module.segment(value))
        return Decision(
            "review",
            reason=f"{what}={source} is kept: make sure it holds the key for {module.target.base_url} (${env_name})",
        )

    code = key_code() if key_code is not None else default_key_code(module, anchor, report)
    if code is None:
        return Decision("review", reason=f"{what}: `os` is rebound here, so os.environ cannot be written; set it by hand")
    if value is None:
        return Decision("insert", code=code, note=f"{what} -> ${env_name}")
    literal = string_value(value)
    if literal is not None:
        report.secret(literal)
        if looks_like_key(literal):
            report.security(
                value,
                f"hard-coded API key in {what} replaced by {code}; the key is in your history: revoke it",
                literal,
            )
    return Decision("edit", [ReplaceExpr(value, code)], note=f"{what} -> ${env_name}")
