"""MC014 litellm: point litellm calls for OpenAI models at the target (`api_base=`, `api_key=`).

litellm routes a call by its model string: `model="openai/<id>"` means "any OpenAI-compatible
endpoint" and a bare OpenAI id (`"gpt-4o"`) goes to OpenAI's provider; both read `api_base` /
`base_url` and `api_key`, falling back to `litellm.api_base`, OPENAI_BASE_URL / OPENAI_API_BASE and
OPENAI_API_KEY (litellm/main.py; docs.litellm.ai/docs/providers/openai_compatible). So for
`completion`, `acompletion`, `text_completion`, `embedding`, `responses` (and their async twins)
with such a model, the URL and key follow the policy of policy.py, inserted when missing. Calls for
other providers (`"anthropic/..."`, `"claude-3-5-sonnet"`, `custom_llm_provider="bedrock"`) are not
ours. A bare id also gets `custom_llm_provider="openai"`: litellm infers the provider from a bare
id only for OpenAI's own names, so once MC004 maps `gpt-4o` to the target's id the call would stop
routing without it. A model that is not a literal (or a constant bound to one) is reviewed unless
the call's URL or key already say OpenAI.

Module settings `litellm.api_base = ...` and `litellm.openai_key = ...` follow the same policy.
`litellm.api_key` is litellm's key for *every* provider, so only a read of OPENAI_API_KEY there is
moved; anything else is reviewed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from migrate_cli.redact import is_placeholder_key
from migrate_cli.rewrite.analysis.values import (
    OPENAI_KEY_ENV,
    env_read,
    key_literal,
)
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import AddKeywords, Edit
from migrate_cli.rewrite.api.litellm_routes import model_route, says_openai
from migrate_cli.rewrite.api.policy import Decision, decide_api_key, decide_base_url, key_unproven_reason
from migrate_cli.rewrite.api.rule import FixSafety

_FUNCTIONS = (
    "completion",
    "acompletion",
    "text_completion",
    "atext_completion",
    "embedding",
    "aembedding",
    "responses",
    "aresponses",
)
CALLEES = frozenset(f"{module}.{name}" for module in ("litellm", "litellm.main") for name in _FUNCTIONS)
#: Model prefixes that send a call to litellm's OpenAI(-compatible) route.
_ROUTE_KEYWORD = ("custom_llm_provider", '"openai"')


class LiteLLMRule(ConstructionRule):
    code = "MC014"
    name = "litellm"
    fix_safety = FixSafety.SAFE
    summary = (
        "litellm completion()/embedding()/... for openai/ and OpenAI models, and litellm.api_base/api_key: "
        "point at the target"
    )
    needles = (b"litellm",)
    spec = ConstructionSpec(
        callees=CALLEES,
        url_params=("api_base", "base_url"),
        key_params=("api_key",),
        positional_ok=True,
    )

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return
        yield from super().find(module, report)
        yield from _module_settings(module, report)

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        route = model_route(call, module)
        if route == "other":
            return Declined()
        if route == "unknown" and not says_openai(call, module):
            model = next((k.value for k in call.keywords if k.arg == "model"), call.args[0] if call.args else None)
            shown = module.segment(model) if model is not None else "(not given)"
            return Declined(
                f"litellm {label}(model={shown}): which provider serves this model is only known at run time: "
                f"if it is an OpenAI model, pass api_base={module.target.base_url!r} "
                f"and the ${module.target.api_key_env} key as api_key"
            )
        return None

    def rewrite_call(self, call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
        edits = list(super().rewrite_call(call, label, module, report))
        if edits and model_route(call, module) == "bare":
            edits = _with_route_keyword(edits, call)
            report.change(
                call,
                f'{label}(): custom_llm_provider="openai" (a bare model id routes by its name; a mapped id would not)',
            )
        yield from edits


def _with_route_keyword(edits: list[Edit], call: ast.Call) -> list[Edit]:
    for index, edit in enumerate(edits):
        if isinstance(edit, AddKeywords) and edit.node is call:
            edits[index] = AddKeywords(call, (*edit.keywords, _ROUTE_KEYWORD))
            return edits
    return [*edits, AddKeywords(call, (_ROUTE_KEYWORD,))]


def _module_settings(module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
    """`litellm.api_base = ...`, `litellm.openai_key = ...`, `litellm.api_key = ...`.

    They configure litellm as a whole, so they move together: a foreign URL or a key that is not
    proven to be the target's leaves every one of them alone.
    """
    decisions: list[tuple[ast.Assign, Decision]] = []
    for stmt in module.analysis.assignments:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Attribute) or module.qualify(target.value).single != "litellm":
            continue
        what = f"litellm.{target.attr}"
        if target.attr == "api_base":
            decisions.append((stmt, decide_base_url(stmt.value, module, what)))
        elif target.attr == "openai_key":
            reason = key_unproven_reason(stmt.value, module, what)
            decisions.append(
                (stmt, Decision("unproven", reason=reason))
                if reason is not None
                else (stmt, decide_api_key(stmt.value, module, report, stmt, what))
            )
        elif target.attr == "api_key":
            decisions.append((stmt, _generic_key(stmt, module, report, what)))
    moves_url = any(d.action == "edit" for stmt, d in decisions if _attribute(stmt) == "api_base")
    if any(decision.leaves_alone for _, decision in decisions):
        for stmt, decision in decisions:
            # The generic key is any provider's: worth a word only when it would follow the URL.
            if decision.leaves_alone and (moves_url or _attribute(stmt) != "api_key"):
                report.review(stmt, decision.reason)
        return
    for stmt, decision in decisions:
        if decision.action == "edit":
            report.change(stmt, decision.note)
            yield from decision.edits


def _attribute(stmt: ast.Assign) -> str:
    target = stmt.targets[0]
    return target.attr if isinstance(target, ast.Attribute) else ""


def _generic_key(stmt: ast.Assign, module: ModuleInfo, report: Recorder, what: str) -> Decision:
    """litellm sends `litellm.api_key` to every provider, OpenAI-compatible ones included, before
    `litellm.openai_key` and $OPENAI_API_KEY: a read of an OpenAI key variable follows the policy;
    anything else would reach the target as it is."""
    env = env_read(stmt.value, module.analysis)
    if env is not None and env.var in (OPENAI_KEY_ENV, module.target.api_key_env):
        return decide_api_key(stmt.value, module, report, stmt, what)
    literal = key_literal(stmt.value, module.analysis)
    if literal is not None:
        if not is_placeholder_key(literal):
            report.secret(literal)
            report.security(
                stmt,
                f"hard-coded API key in {what} (litellm's key for every provider): not rewritten; move it to an env "
                "var and revoke it",
                literal,
            )
        return Decision(
            "unproven",
            reason=(
                f"{what} is a hard-coded key used for every provider: "
                "replace it with the key of the provider each call goes to"
            ),
        )
    reason = key_unproven_reason(stmt.value, module, what)
    if reason is not None:
        return Decision("unproven", reason=f"{reason} (litellm sends {what} to every provider)")
    return decide_api_key(stmt.value, module, report, stmt, what)
