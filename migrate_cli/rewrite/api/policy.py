"""What to do with a `base_url`-like and an `api_key`-like value, the same way for every rule.

The key invariant: after a rewrite no client sends the target a key that does not come from the
target's variable, and no client left on OpenAI gets the target's key. So the URL and the key of
a construction move together or not at all.

base_url:  missing -> the target URL; an OpenAI URL literal, `None`, or a read of OPENAI_BASE_URL /
           OPENAI_API_BASE -> the target URL; already the target -> keep; anything else (a proxy,
           localhost, a parameter, a variable) -> "foreign": the caller leaves the whole
           construction alone and lists it for review, because that client is not talking to
           OpenAI directly.
api_key:   the value is followed to where it comes from (key_sources.py): missing, `None`, a
           string literal, or a read of an OpenAI or Azure key variable (OPENAI_API_KEY,
           AZURE_OPENAI_API_KEY, OPENAI_KEY, ...) -> a read of the target's variable (a literal
           that is not a placeholder is a hard-coded key: a security finding, never shown);
           already the target's variable -> keep; anything else (a parameter, a settings
           attribute, a helper's result, another variable) -> "unproven": the caller leaves the
           whole construction alone, URL included, and lists it for review with the line the key
           comes from. Moving the URL alone would send whatever that key is to the target.
A name bound by one plain assignment (a module constant, or a local variable of a function) and
read only as client URLs or keys is judged by its value; the construction keeps the name and
MC006 rewrites the assignment (constants.py).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from migrate_cli.redact import redact
from migrate_cli.rewrite.analysis.values import (
    env_lookup_code,
    env_read,
    points_at_openai,
    string_value,
)
from migrate_cli.rewrite.api.constants import Constant, Imported, follow
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit, ReplaceExpr, SetString
from migrate_cli.rewrite.api.key_sources import (
    KeySource,
    describe_parameter,
    key_source,
    literal_text,
    parameter_binding,
)

Action = Literal["keep", "insert", "edit", "foreign", "unproven"]
#: Writes the expression that reads the target's key; given the code's own placeholder literal
#: (for code that runs at import time) or None. Returns None when it cannot be written here.
KeyCode = Callable[[str | None], str | None]


@dataclass
class Decision:
    #: "keep" (already right) | "insert" (absent: the caller adds it) | "edit" | "foreign" (a URL that
    #: is not OpenAI's) | "unproven" (a key not proven to be the target's): for the last two the
    #: caller leaves the whole construction alone and lists `reason` for review.
    action: Action
    edits: list[Edit] = field(default_factory=list)
    #: For "insert": the value expression to add.
    code: str = ""
    #: What changed, for the change log ("base_url -> https://...").
    note: str = ""
    #: Why a person must look (for "foreign" and "unproven").
    reason: str = ""

    @property
    def leaves_alone(self) -> bool:
        return self.action in ("foreign", "unproven")


def url_literal(module: ModuleInfo) -> str:
    return json.dumps(module.target.base_url)


# -- base_url -----------------------------------------------------------------------------------


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
    if points_at_openai(value, module.analysis):
        return Decision("edit", [ReplaceExpr(value, url_literal(module))], note=f"{what} -> {target.base_url}")
    return Decision("foreign", reason=_foreign_url_reason(value, module, what))


def _foreign_url_reason(value: ast.expr, module: ModuleInfo, what: str) -> str:
    url = module.target.base_url
    env = env_read(value, module.analysis)
    if env is not None and env.var is not None:
        return (
            f"{what} comes from ${env.var}, not an OpenAI setting: left as is; set ${env.var} to "
            f"{url} where this runs if this client should move"
        )
    if isinstance(value, ast.Name) and (param := parameter_binding(value, module)) is not None:
        return (
            f"{what}={value.id} is {describe_parameter(param, module)}, so callers decide where this client "
            f"talks to: left as is; pass {url} from the callers if this client should move"
        )
    return (
        f"{what}={redact(module.segment(value))} is not OpenAI's URL (a proxy, a local server, or set elsewhere): "
        f"left as is; point it at {url} if this client should move"
    )


def _followed_url(name: ast.Name, followed: Constant | Imported, module: ModuleInfo, what: str) -> Decision:
    url = module.target.base_url
    if isinstance(followed, Imported):
        return Decision(
            "foreign",
            reason=f"{what}={name.id} is imported from {followed.source}: left as is; "
            f"if it is OpenAI's URL, point it at {url} in {followed.source}",
        )
    if followed.value is not None:
        inner = decide_base_url(followed.value, module, f"{what}={name.id}", follow_constants=False)
        if inner.action in ("foreign", "keep") or followed.blocked is None:
            # "edit": MC006 rewrites the assignment; the call keeps the name.
            return inner if inner.action == "foreign" else Decision("keep")
    return Decision(
        "foreign",
        reason=f"{what}={name.id}: {followed.what} is not rewritten ({followed.blocked}): left as is; "
        f"point this client at {url} by hand",
    )


def url_moves(value: ast.expr | None, module: ModuleInfo) -> bool:
    """Whether a construction with this URL value is one the rewrite points at the target (or already is)."""
    return not decide_base_url(value, module).leaves_alone


def lands_on_target(url: ast.expr | None, key: ast.expr | None, module: ModuleInfo) -> bool:
    """Whether a construction with this URL and key talks to the target once the run is done: it
    already does (its URL is the target's, whatever key it chose), or its URL moves and its key is
    proven to become the target's."""
    decision = decide_base_url(url, module)
    if decision.action == "keep":
        return True
    return not decision.leaves_alone and key_unproven_reason(key, module) is None


# -- api_key ------------------------------------------------------------------------------------


def default_key_code(
    module: ModuleInfo, anchor: ast.AST, report: Recorder, placeholder: str | None = None
) -> str | None:
    """`os.environ["<ENV>"]` with whatever name reaches `os` at `anchor`; None when none can."""
    os_name = module.os_module_name(anchor, report)
    return None if os_name is None else env_lookup_code(os_name, module.target.api_key_env, placeholder)


def key_unproven_reason(value: ast.expr | None, module: ModuleInfo, what: str = "api_key") -> str | None:
    """Why this key value is not proven to be the target's (and the construction must stay); None if it is.

    Pure: no findings, no imports requested. Rules ask this before they change anything, so a
    construction they leave alone gets no half of an edit.
    """
    if value is None:
        return None
    if isinstance(value, ast.Name):
        followed = follow(value, module)
        if followed is not None:
            return _followed_key_problem(value, followed, module, what)
    source = key_source(value, module)
    return _unproven_reason(source, value, module, what) if source.kind == "unproven" else None


def decide_api_key(
    value: ast.expr | None,
    module: ModuleInfo,
    report: Recorder,
    anchor: ast.AST,
    what: str = "api_key",
    key_code: KeyCode | None = None,
    follow_constants: bool = True,
) -> Decision:
    """What to do with a client's key argument (see the module docstring)."""
    env_name = module.target.api_key_env

    def code(placeholder: str | None = None) -> str | None:
        if key_code is not None:
            return key_code(placeholder)
        return default_key_code(module, anchor, report, placeholder)

    if value is None:
        written = code()
        if written is None:
            return _os_rebound(what, module)
        return Decision("insert", code=written, note=f"{what} -> ${env_name}")
    if follow_constants and isinstance(value, ast.Name) and (followed := follow(value, module)) is not None:
        problem = _followed_key_problem(value, followed, module, what)
        return Decision("keep") if problem is None else Decision("unproven", reason=problem)

    source = key_source(value, module)
    if source.kind == "target":
        return Decision("keep")
    if source.kind == "unproven":
        return Decision("unproven", reason=_unproven_reason(source, value, module, what))

    if source.rename is not None:  # `os.environ["OPENAI_API_KEY"]` -> `os.environ["MIRA_API_KEY"]`, same form
        return Decision("edit", [SetString(source.rename, env_name)], note=f"{what} -> ${env_name}")
    placeholder = source.placeholder if _runs_at_import(anchor, module) else None
    written = code(None if placeholder is None else module.segment(placeholder))
    if written is None:
        report_kept_secrets(value, module, report, what)  # left as is: the key is kept, not replaced
        return _os_rebound(what, module)
    for literal in source.secrets:
        report.secret(literal_text(literal))
        report.security(
            literal,
            f"hard-coded API key in {what} replaced by a read of ${env_name}; the key is in your history: revoke it",
            literal_text(literal),
        )
    return Decision("edit", [ReplaceExpr(value, written)], note=f"{what} -> ${env_name}")


def report_kept_secrets(
    value: ast.expr | None, module: ModuleInfo, report: Recorder, what: str = "api_key", finding: bool = True
) -> None:
    """A hard-coded key in a construction left alone is never shown, and (with `finding`) still a
    security finding: the OpenAI key a person must revoke. A construction that talks to another
    server (`finding=False`) keeps that server's key: hidden, but none of this tool's business."""
    if isinstance(value, ast.Name):  # `def build(key="sk-..."):` still holds a hard-coded key
        param = parameter_binding(value, module)
        value = param.value if param is not None else None
    if value is None:
        return
    for literal in key_source(value, module).secrets:
        report.secret(literal_text(literal))
        if finding:
            report.security(
                literal,
                f"hard-coded API key in {what}, not rewritten (see the review item): revoke it and read it from the "
                "environment",
                literal_text(literal),
            )


_AUTH_HEADERS = frozenset({"authorization", "api-key", "x-api-key"})


def credential_header_problem(headers: ast.expr | None, module: ModuleInfo, report: Recorder) -> str | None:
    """Why a construction must stay when `default_headers={"Authorization": ...}` (or Azure's `api-key`)
    carries a credential: the SDK sends that header instead of api_key, so the old credential would
    reach the target. A literal one is a security finding, never shown. None when there is none."""
    if not isinstance(headers, ast.Dict):
        return None
    for key, value in zip(headers.keys, headers.values, strict=True):
        name = string_value(key)
        if name is None or name.lower() not in _AUTH_HEADERS:
            continue
        literal = string_value(value)
        if literal is not None:
            for secret in {literal, literal.split()[-1]} if literal.split() else {literal}:
                report.secret(secret)
            report.security(
                value,
                f"hard-coded credential in default_headers[{name!r}]: revoke it and read it from the environment",
                literal,
            )
        return (
            f"default_headers sets {name!r}, which the SDK sends as the credential: left as is, URL included "
            f"(the old credential would reach {module.target.base_url}); remove that header and migrate by hand"
        )
    return None


def _os_rebound(what: str, module: ModuleInfo) -> Decision:
    return Decision(
        "unproven",
        reason=f'{what}: `os` is rebound here, so os.environ["{module.target.api_key_env}"] cannot be written: '
        "left as is; set the key by hand",
    )


def _runs_at_import(anchor: ast.AST, module: ModuleInfo) -> bool:
    """Code at module level or in a class body runs when the module is imported."""
    return module.scope_at(anchor).kind in ("module", "class")


def _followed_key_problem(name: ast.Name, followed: Constant | Imported, module: ModuleInfo, what: str) -> str | None:
    target = module.target
    holds = f"make it read ${target.api_key_env} and point this client at {target.base_url} by hand"
    if isinstance(followed, Imported):
        return (
            f"{what}={name.id} is imported from {followed.source}, which is not proven to hold the key for "
            f"{target.base_url}: left as is, URL included; migrate {followed.source}, or {holds}"
        )
    value = followed.value
    source = key_source(value, module) if value is not None else None
    if source is not None and source.kind == "target":
        return None
    if followed.blocked is not None:
        return (
            f"{what}={name.id}: {followed.what} is not rewritten ({followed.blocked}): "
            f"left as is, URL included; {holds}"
        )
    assert value is not None  # a constant that is not blocked has its one plain assignment
    if source is not None and source.kind == "rewritable":
        return None  # MC006 rewrites the assignment; the call keeps the name
    shown = redact(module.segment(value))
    return (
        f"{what}={name.id} comes from `{name.id} = {shown}` ({module.where(value)}), which is not proven to hold "
        f"the key for {target.base_url}: left as is, URL included; {holds}"
    )


def _unproven_reason(source: KeySource, value: ast.expr, module: ModuleInfo, what: str) -> str:
    target = module.target
    shown = redact(module.segment(value))
    fix = f"make it read ${target.api_key_env} and point this client at {target.base_url} by hand"
    part = source.part
    if part is not None and part is not value:  # `key or settings.key`: say which operand
        return f"{what}={shown}: {redact(module.segment(part))} {source.why}: left as is, URL included; {fix}"
    return f"{what}={shown} {source.why}: left as is, URL included; {fix}"
