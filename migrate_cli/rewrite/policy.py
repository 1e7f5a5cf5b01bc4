"""What to do with a `base_url`-like and an `api_key`-like value, the same way for every rule.

base_url:  missing -> the target URL; an OpenAI URL literal, `None`, or a read of OPENAI_BASE_URL /
           OPENAI_API_BASE -> the target URL; already the target -> keep; anything else (a proxy,
           localhost, a variable) -> "foreign": the caller leaves the whole construction alone and
           lists it for review, because that client is not talking to OpenAI directly.
api_key:   missing -> the target's env var; a read of OPENAI_API_KEY -> the same read of the target's
           env var; a string literal -> the env lookup (a security finding when it looks like a real
           key, whose value is never shown); already the target's env var -> keep; anything else -> keep
           and review. Haystack's `Secret.from_env_var("X")` counts as a read of X and
           `Secret.from_token("...")` as a literal (values.py), so MC019 gets the same policy.
A module constant (`base_url=BASE_URL`, assigned once at module level and read only as client URLs
or keys) is judged by its value; the construction keeps the Name and MC006 rewrites the assignment
(constants.py). A constant that cannot be rewritten, or one imported from another module, is a
"foreign" URL / a reviewed key, with the reason named.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from migrate_cli.redact import redact
from migrate_cli.rewrite.constants import Constant, Imported, follow
from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit, ReplaceExpr, SetString
from migrate_cli.rewrite.values import (
    OPENAI_KEY_ENV,
    OPENAI_URL_ENVS,
    env_lookup_code,
    env_read,
    is_none,
    is_openai_url,
    key_literal,
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


def decide_base_url(
    value: ast.expr | None, module: ModuleInfo, what: str = "base_url", follow_constants: bool = True
) -> Decision:
    target = module.target
    if follow_constants and isinstance(value, ast.Name) and (followed := follow(value, module)) is not None:
        return _followed_url(value, followed, module, what)
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


def _followed_url(name: ast.Name, followed: Constant | Imported, module: ModuleInfo, what: str) -> Decision:
    url = module.target.base_url
    if isinstance(followed, Imported):
        return Decision(
            "foreign",
            reason=f"{what}={name.id} is imported from {followed.source}: left as is; if it is OpenAI's URL, point it at {url} in {followed.source}",
        )
    if followed.value is not None:
        inner = decide_base_url(followed.value, module, f"{what}={name.id}", follow_constants=False)
        if inner.action in ("foreign", "keep") or followed.blocked is None:
            # "edit": MC006 rewrites the constant's assignment; the call keeps the name.
            return inner if inner.action == "foreign" else Decision("keep")
    return Decision(
        "foreign",
        reason=f"{what}={name.id}: the module constant is not rewritten ({followed.blocked}): left as is; point this client at {url} by hand",
    )


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
    follow_constants: bool = True,
    source_envs: frozenset[str] = frozenset({OPENAI_KEY_ENV}),
) -> Decision:
    """What to do with a client's key argument. A read of one of `source_envs` (the variables
    the old provider's key came from) becomes a read of the target's variable."""
    env_name = module.target.api_key_env
    if follow_constants and isinstance(value, ast.Name) and (followed := follow(value, module)) is not None:
        return _followed_key(value, followed, module, what)
    env = env_read(value, module.analysis) if value is not None else None
    if env is not None and env.var == env_name:
        return Decision("keep")
    if env is not None and env.var in source_envs and not env.may_be_none:
        return Decision("edit", [SetString(env.name_node, env_name)], note=f"{what} -> ${env_name}")  # type: ignore[arg-type]
    if env is not None and env.var in source_envs:
        # `os.getenv("MIRA_API_KEY")` would give None when the variable is unset, and the SDKs then
        # fall back to $OPENAI_API_KEY: the OpenAI key would be sent to the new provider. A strict
        # read fails loudly instead.
        code = key_code() if key_code is not None else default_key_code(module, anchor, report)
        if code is None:
            return Decision("edit", [SetString(env.name_node, env_name)], note=f"{what} -> ${env_name}")  # type: ignore[arg-type]
        return Decision("edit", [ReplaceExpr(value, code)], note=f"{what} -> ${env_name}")  # type: ignore[arg-type]
    if value is not None and not is_none(value) and key_literal(value, module.analysis) is None:
        source = redact(module.segment(value))
        return Decision(
            "review",
            reason=f"{what}={source} is kept: make sure it holds the key for {module.target.base_url} (${env_name})",
        )

    code = key_code() if key_code is not None else default_key_code(module, anchor, report)
    if code is None:
        return Decision(
            "review", reason=f"{what}: `os` is rebound here, so os.environ cannot be written; set it by hand"
        )
    if value is None:
        return Decision("insert", code=code, note=f"{what} -> ${env_name}")
    literal = key_literal(value, module.analysis)  # "sk-..." or Haystack's Secret.from_token("sk-...")
    if literal is not None:
        report.secret(literal)
        if looks_like_key(literal):
            report.security(
                value,
                f"hard-coded API key in {what} replaced by {code}; the key is in your history: revoke it",
                literal,
            )
    return Decision("edit", [ReplaceExpr(value, code)], note=f"{what} -> ${env_name}")


def _followed_key(name: ast.Name, followed: Constant | Imported, module: ModuleInfo, what: str) -> Decision:
    target = module.target
    holds = f"make sure it holds the key for {target.base_url} (${target.api_key_env})"
    if isinstance(followed, Imported):
        return Decision(
            "review",
            reason=f"{what}={name.id} is imported from {followed.source}: kept; {holds}, e.g. by migrating {followed.source}",
        )
    value = followed.value
    env = env_read(value, module.analysis)
    if env is not None and env.var == target.api_key_env:
        return Decision("keep")
    if value is not None and key_is_rewritable(value, module) and followed.blocked is None:
        return Decision("keep")  # MC006 rewrites the constant's assignment; the call keeps the name
    if followed.blocked is not None:
        return Decision(
            "review",
            reason=f"{what}={name.id} is kept: the module constant is not rewritten ({followed.blocked}); {holds}",
        )
    shown = redact(module.segment(value)) if value is not None else name.id
    return Decision("review", reason=f"{what}={name.id} (= {shown}) is kept: {holds}")


def key_is_rewritable(value: ast.expr, module: ModuleInfo) -> bool:
    """A key value the policy replaces by the target's env lookup: a literal, None, a read of OPENAI_API_KEY."""
    if is_none(value) or string_value(value) is not None:
        return True
    env = env_read(value, module.analysis)
    return env is not None and env.var == OPENAI_KEY_ENV
