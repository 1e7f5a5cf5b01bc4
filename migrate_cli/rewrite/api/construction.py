"""The shared machinery of every "constructor that takes a base URL and a key" rule.

`OpenAI(...)`, LangChain's `ChatOpenAI(...)`, LlamaIndex's `OpenAILike(...)`, pydantic-ai's
`OpenAIProvider(...)`, DSPy's `dspy.LM(...)`, ...: each is the same move with different parameter
names. A rule describes its constructor with a `ConstructionSpec` and subclasses `ConstructionRule`;
this module applies the policy of `policy.py` to it:

- callees are matched by qualified name; a callee name that is *also* bound to something else in
  that scope is listed for review, never rewritten;
- a URL that does not point at OpenAI, or a key not proven to be the target's once the edit is made,
  means the whole construction is left alone and reviewed (the URL and key move together or not at
  all: see policy.py);
- so does an argument the target's URL and key cannot combine with (`workload_identity=`, `provider=`)
  or a key sent in `default_headers` (which the SDK sends instead of `api_key`);
- `Ctor(**cfg)` is followed into the dict literal `cfg` is built from, and into `cfg["key"] = value`
  assignments in the same function (config_dict.py says exactly what is understood): every value the
  URL or key parameter can get there follows the policy, a missing one is added to the literal, and a
  conditionally set foreign URL leaves the construction alone; a dict the rewrite cannot follow, when
  the hidden arguments could hold the URL or key, is reviewed;
- a module constant passed as the URL or key (`base_url=BASE_URL`) is followed by the policy (MC006
  rewrites the constant's assignment);
- nothing is ever written that could produce a duplicate keyword.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.analysis.scopes import LOCAL
from migrate_cli.rewrite.api.config_dict import ConfigDict, NotFollowed, follow_config
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import AddDictItems, AddKeywords, Edit, RemoveKeyword
from migrate_cli.rewrite.api.policy import (
    Decision,
    credential_header_problem,
    decide_api_key,
    decide_base_url,
    default_key_code,
    key_unproven_reason,
    report_kept_secrets,
)
from migrate_cli.rewrite.api.rule import Rule
from migrate_cli.rewrite.api.sites import ClientSite


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
    #: When one of these is passed, the construction is left alone and reviewed, with the reason:
    #: arguments the target's base_url and api_key cannot combine with.
    refuse_if: tuple[tuple[str, str], ...] = ()
    #: Positional arguments are part of the signature (else a call with them is reviewed).
    positional_ok: bool = False
    #: Extra condition, e.g. "the model id says openai/": False means "not ours", silently.
    applies: Callable[[ast.Call, ModuleInfo], bool] | None = None


@dataclass(frozen=True)
class Declined:
    """A rule's own check turned a construction down before the shared rewrite (see `declined`)."""

    #: Listed for review; None: left alone without a word (another provider's model: not ours).
    review: str | None = None


@dataclass(frozen=True)
class ParamValue:
    """One value a URL or key parameter can get: a keyword, a dict literal item or a `cfg[...] =`."""

    param: str
    expr: ast.expr
    conditional: bool = False


@dataclass(frozen=True)
class CallPlan:
    """What a matched construction passes, before any policy decision (pure; no findings)."""

    call: ast.Call
    label: str
    keywords: dict[str, ast.expr]
    config: ConfigDict | None = None
    #: Why the construction's settings cannot be followed: it is reviewed and left alone.
    problem: str | None = None
    #: Another construction unpacks the same dict first and makes the dict's edits for both.
    shares_config: bool = False

    def values(self, params: tuple[str, ...]) -> list[ParamValue]:
        found = [ParamValue(name, self.keywords[name]) for name in params if name in self.keywords]
        if self.config is not None:
            found += [ParamValue(name, v.value, v.conditional) for name in params for v in self.config.values(name)]
        return found


class ConstructionRule(Rule):
    spec: ClassVar[ConstructionSpec]

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        for call in calls_to(module, self.spec.callees):
            label, ambiguity = self.match(call, module)
            if ambiguity is not None:
                report.review(call, ambiguity)
            elif label is not None:
                yield from self.rewrite_call(call, label, module, report)

    def constructions(self) -> tuple[Rule, ...]:
        return (self,)

    def client_sites(self, module: ModuleInfo) -> Iterator[ClientSite]:
        """The constructions this rule moves (not left alone, not sharing a config dict), for MC006."""
        # A rule that writes its own key expression (Haystack's Secret.from_env_var(...)) expects
        # something other than a string there: a key constant is not this rule's to follow.
        keys_are_strings = type(self).key_code is ConstructionRule.key_code
        for call in calls_to(module, self.spec.callees):
            label, ambiguity = self.match(call, module)
            if label is None or ambiguity is not None:
                continue
            plan = self.plan(call, label, module)
            if plan is None or plan.problem is not None or plan.shares_config:
                continue
            if self.declined(call, label, module) is not None:
                continue  # e.g. dspy.LM("anthropic/...", api_base=URL): that rule leaves the call alone
            urls = [v.expr for v in plan.values(self.spec.url_params)]
            keys = [v.expr for v in plan.values(self.spec.key_params)] if keys_are_strings else []
            yield ClientSite(f"{label}()", call.lineno, urls, keys)

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        """A subclass's own check before the shared rewrite (pure: `client_sites` asks it too); None
        lets the call through."""
        return None

    def match(self, call: ast.Call, module: ModuleInfo) -> tuple[str | None, str | None]:
        """(label, None) for a construction of ours; (label, why) when the callee is ambiguous."""
        names = callee_names(call, module)
        ours = names & self.spec.callees
        if not ours:
            return None, None
        label = short_name(min(ours))
        # Bound to several of ours (the same class imported from the package and from its
        # submodule, in two cells) is no ambiguity: every binding is a construction this spec moves.
        if names - ours:
            others = ", ".join(sorted(_describe(n) for n in names - ours))
            return (
                label,
                f"{module.segment(call.func)} is {' or '.join(sorted(ours))} here, but also {others} in this scope, "
                "so it may be either: left as is",
            )
        if self.spec.applies is not None and not self.spec.applies(call, module):
            return None, None
        return label, None

    def key_code(
        self, module: ModuleInfo, anchor: ast.AST, report: Recorder, placeholder: str | None = None
    ) -> str | None:
        """The expression that reads the target's key here; None when it cannot be written.

        `placeholder` is the code's own placeholder literal, given for code that runs at import:
        keep it as the default so importing still works where the variable is unset.
        """
        return default_key_code(module, anchor, report, placeholder)

    def extra_problem(self, call: ast.Call, module: ModuleInfo) -> str | None:
        """A reason this rule's constructor family leaves this call alone, beyond the shared ones."""
        return None

    def plan(self, call: ast.Call, label: str, module: ModuleInfo) -> CallPlan | None:
        """Where this construction's URL and key come from; None when the rule leaves it alone silently."""
        spec = self.spec
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        if any(name in keywords for name in spec.skip_if):
            return None
        if not spec.positional_ok and any(not isinstance(arg, ast.Starred) for arg in call.args):
            return CallPlan(
                call,
                label,
                keywords,
                problem=f"{label}(...) with positional arguments is not the expected signature: left as is",
            )
        splats = [k.value for k in call.keywords if k.arg is None] + [
            a.value for a in call.args if isinstance(a, ast.Starred)
        ]
        if not splats:
            return CallPlan(call, label, keywords)
        followed = (
            follow_config(splats[0], call, module)
            if len(splats) == 1 and not any(isinstance(a, ast.Starred) for a in call.args)
            else None
        )
        if isinstance(followed, ConfigDict):
            problem = self._shared_config_problem(followed, module)
            if problem is None:
                return CallPlan(call, label, keywords, followed, shares_config=followed.unpacked_by[0] is not call)
        else:
            problem = followed.reason if isinstance(followed, NotFollowed) else None
        named = lambda params: any(p in keywords for p in params)  # noqa: E731
        if named(spec.url_params) and named(spec.key_params):
            return CallPlan(call, label, keywords)  # whatever the container holds, the URL and key are named here
        shown = ", ".join(module.segment(node) for node in [*call.args, *(k for k in call.keywords if k.arg is None)])
        why = f" ({problem})" if problem else ""
        return CallPlan(
            call,
            label,
            keywords,
            problem=(
                f"{label}({shown}) takes its arguments from a container the rewrite cannot follow{why}: "
                f"set {spec.url_params[0]} and {spec.key_params[0]} there by hand"
            ),
        )

    def _shared_config_problem(self, config: ConfigDict, module: ModuleInfo) -> str | None:
        """A dict unpacked by several calls may be edited only if they are all plain constructions of ours."""
        if len(config.unpacked_by) == 1:
            return None
        spec = self.spec
        settings = {*spec.url_params, *spec.key_params, *spec.skip_if, *(name for name, _ in spec.drop_params)}
        for other in config.unpacked_by:
            label, ambiguity = self.match(other, module)
            plain = (
                label is not None
                and ambiguity is None
                and not other.args
                and sum(k.arg is None for k in other.keywords) == 1
                and not any(k.arg in settings for k in other.keywords)
            )
            if not plain:
                return f"{config.name} is also unpacked into {module.segment(other.func)}(...) at line {other.lineno}"
        return None

    def rewrite_call(self, call: ast.Call, label: str, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
        declined = self.declined(call, label, module)
        if declined is not None:
            if declined.review is not None:
                report.review(call, declined.review)
            return
        plan = self.plan(call, label, module)
        if plan is None or plan.shares_config:
            return
        spec = self.spec
        key_values = plan.values(spec.key_params)
        problem = (
            plan.problem
            or _refused(plan, spec)
            or credential_header_problem(plan.keywords.get("default_headers"), module, report)
            or self.extra_problem(call, module)
        )
        if problem is not None:
            report.review(call, problem if plan.problem else f"{label}(...): {problem}")
            for value in key_values:
                report_kept_secrets(value.expr, module, report, spec.key_params[0])
            return
        url_values = plan.values(spec.url_params)
        urls: list[Decision] = []
        for value in url_values:
            decision = decide_base_url(value.expr, module, spec.url_params[0])
            if decision.leaves_alone:
                report.review(call, f"{label}(...): {decision.reason}{_where(value)}")
                for key in key_values:  # that server's own key: hidden, not reported
                    report_kept_secrets(key.expr, module, report, spec.key_params[0], finding=False)
                return
            urls.append(decision)
        if all(value.conditional for value in url_values):
            urls.append(decide_base_url(None, module, spec.url_params[0]))

        # The key is judged before anything is written: a key that is not proven leaves the URL too.
        # A construction already at the target moves nothing: its own key choice is left as it is.
        unproven = [
            (value, reason)
            for value in key_values
            if (reason := key_unproven_reason(value.expr, module, spec.key_params[0])) is not None
        ]
        already_there = bool(urls) and all(d.action == "keep" for d in urls)
        if unproven and not already_there:
            for value, reason in unproven:
                report.review(call, f"{label}(...): {reason}{_where(value)}")
            for value in key_values:
                report_kept_secrets(value.expr, module, report, spec.key_params[0])
            return
        key_code = lambda placeholder: self.key_code(module, call, report, placeholder)  # noqa: E731
        keys = [
            decide_api_key(value.expr, module, report, call, spec.key_params[0], key_code)
            for value in key_values
            if all(value is not kept for kept, _ in unproven)  # already at the target: its own key stays
        ]
        if all(value.conditional for value in key_values):
            keys.append(decide_api_key(None, module, report, call, spec.key_params[0], key_code))
        rebound = next((d for d in keys if d.leaves_alone), None)
        if rebound is not None:  # `os` is rebound here: nothing can read the target's key
            report.review(call, f"{label}(...): {rebound.reason}")
            return

        edits: list[Edit] = [e for d in [*keys, *urls] for e in d.edits]
        inserts = [
            (params[0], d.code)
            for params, group in ((spec.key_params, keys), (spec.url_params, urls))
            for d in group
            if d.action == "insert"
        ]
        if inserts:
            edits.append(
                AddDictItems(plan.config.literal, tuple(inserts))
                if plan.config is not None
                else AddKeywords(call, tuple(inserts))
            )
        notes = list(dict.fromkeys(d.note for d in [*keys, *urls] if d.note and d.action in ("insert", "edit")))
        for name, why in spec.drop_params:
            if name in plan.keywords:
                edits.append(RemoveKeyword(call, name))
                notes.append(f"removed {name}= ({why})")
            elif plan.config is not None and plan.config.values(name):
                report.review(call, f"{label}(...): the config dict sets {name!r} ({why}): remove it")
        if notes:
            report.change(call, f"{label}(): " + "; ".join(notes))
        yield from edits


def callee_names(call: ast.Call, module: ModuleInfo) -> frozenset[str]:
    """`module.qualify(call.func).names`, computed once per call for all the construction rules."""
    return module.callee_names(call)


def calls_to(module: ModuleInfo, callees: frozenset[str]) -> list[ast.Call]:
    """The module's calls whose callee may be one of `callees`, in source order (through an index by
    qualified name, built once per module: see `ModuleInfo.calls_by_callee`)."""
    index = module.calls_by_callee
    calls = module.analysis.calls
    positions = sorted({p for name in callees if name in index for p in index[name]})
    return [calls[p] for p in positions]


def _refused(plan: CallPlan, spec: ConstructionSpec) -> str | None:
    for name, why in spec.refuse_if:
        if name in plan.keywords or (plan.config is not None and plan.config.values(name)):
            return f"{name}= {why}: left as is; migrate this client by hand"
    return None


def _where(value: ParamValue | None) -> str:
    if value is None or not value.conditional:
        return ""
    return f" (this value is set under a condition, at line {value.expr.lineno})"


def _describe(qualified: str) -> str:
    if qualified.startswith(LOCAL + "."):
        return f"a local definition of {qualified.removeprefix(LOCAL + '.')}"
    return qualified
