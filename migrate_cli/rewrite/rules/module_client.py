"""MC002 module-client: point the openai module's own client (`openai.api_key = ...`) at the target.

SDK >= 1 configures the module-level client with `openai.api_key` and `openai.base_url`; SDK 0.x
used `openai.api_key` and `openai.api_base`. Values follow the same policy as client arguments
(policy.py). When a file sets the key but not the URL (or the other way round), the missing line is
added right after the one that is there, so the module client really ends up at the target; files
that use `openai.api_base`, `openai.api_type` or 0.x resources (`openai.ChatCompletion`, ...) get the
0.x spelling. Only assignments whose `openai` is the package count: `openai = OpenAI()` followed by
`openai.api_key = ...` sets an instance attribute and is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from migrate_cli.rewrite.analysis.names import OPENAI_MODULES
from migrate_cli.rewrite.api.clients import V0_RESOURCES as _V0_RESOURCES
from migrate_cli.rewrite.api.clients import uses_sdk_v0
from migrate_cli.rewrite.api.constants import MODULE_URL_ATTRIBUTES, module_client_setting
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit, InsertAfter
from migrate_cli.rewrite.api.policy import (
    Decision,
    decide_api_key,
    decide_base_url,
    key_unproven_reason,
    report_kept_secrets,
)
from migrate_cli.rewrite.api.rule import FixSafety, Rule
from migrate_cli.rewrite.api.sites import ClientSite, SiteKind

URL_ATTRIBUTES = ("base_url", "api_base")
# Resources of the module-level client; a call through them uses whatever config the module has.
_V1_RESOURCES = frozenset(
    {
        "chat",
        "completions",
        "embeddings",
        "images",
        "audio",
        "files",
        "models",
        "moderations",
        "responses",
        "beta",
        "batches",
        "fine_tuning",
        "uploads",
        "vector_stores",
    }
)


class ModuleClientRule(Rule):
    code = "MC002"
    name = "module-client"
    fix_safety = FixSafety.SAFE
    summary = "openai.api_key / openai.base_url / openai.api_base module config points at the target"

    def client_sites(self, module: ModuleInfo) -> Iterator[ClientSite]:
        """The module client, when this rule moves it: one site for all its settings."""
        settings = [
            (stmt, target)
            for stmt in module.analysis.assignments
            if isinstance(stmt, ast.Assign) and (target := module_client_setting(stmt, module))
        ]
        # This rule leaves an Azure-style (api_type) module config alone entirely.
        if settings and not any(target.attr == "api_type" for _, target in settings):
            urls = [stmt.value for stmt, target in settings if target.attr in MODULE_URL_ATTRIBUTES]
            keys = [stmt.value for stmt, target in settings if target.attr == "api_key"]
            yield ClientSite("openai module client", settings[0][0].lineno, urls, keys, SiteKind.MODULE_CLIENT)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        settings = [
            (stmt, target)
            for stmt in module.analysis.assignments
            if isinstance(stmt, ast.Assign) and (target := _module_setting(stmt, module))
        ]
        if not settings:
            self._report_env_only_usage(module, report)
            return []
        keys = [(stmt, t) for stmt, t in settings if t.attr == "api_key"]
        urls = [(stmt, t) for stmt, t in settings if t.attr in URL_ATTRIBUTES]
        for stmt, target in settings:
            if target.attr == "api_type":
                report.review(
                    stmt, "openai.api_type is set (Azure-style 0.x config): migrate this module client by hand"
                )
                return []

        url_decisions = [(stmt, t, decide_base_url(stmt.value, module, f"openai.{t.attr}")) for stmt, t in urls]
        foreign = [(stmt, d) for stmt, _, d in url_decisions if d.leaves_alone]
        if foreign:
            for stmt, decision in foreign:
                report.review(stmt, decision.reason)
            return []
        # The module client's URL and key move together: a key not proven to be the target's keeps both.
        unproven = [
            (stmt, reason)
            for stmt, _ in keys
            if (reason := key_unproven_reason(stmt.value, module, "openai.api_key")) is not None
        ]
        if unproven:
            for stmt, reason in unproven:
                report.review(stmt, reason)
            for stmt, _ in keys:
                report_kept_secrets(stmt.value, module, report, "openai.api_key")
            return []
        key_decisions = [(stmt, decide_api_key(stmt.value, module, report, stmt, "openai.api_key")) for stmt, _ in keys]
        rebound = next(((stmt, d) for stmt, d in key_decisions if d.leaves_alone), None)
        if rebound is not None:  # `os` is rebound: nothing can read the target's key here
            report.review(rebound[0], rebound[1].reason)
            return []
        edits: list[Edit] = []
        for stmt, _, decision in url_decisions:
            edits += self._apply(stmt, decision, report)
        for stmt, decision in key_decisions:
            edits += self._apply(stmt, decision, report)

        if keys and not urls:
            stmt, target = keys[0]
            attr = "api_base" if uses_sdk_v0(module) else "base_url"
            base = module.segment(target.value)
            decision = decide_base_url(None, module, f"{base}.{attr}")
            edits.append(InsertAfter(stmt, f"{base}.{attr} = {decision.code}"))
            report.change(stmt, f"added {base}.{attr} = {module.target.base_url}")
        elif urls and not keys:
            stmt, target = urls[-1]
            base = module.segment(target.value)
            decision = decide_api_key(None, module, report, stmt, f"{base}.api_key")
            if decision.action != "insert":  # `os` is rebound: the URL must not move without the key
                report.review(stmt, decision.reason)
                return []
            edits.append(InsertAfter(stmt, f"{base}.api_key = {decision.code}"))
            report.change(stmt, f"added {base}.api_key = {decision.code}")
        return edits

    @staticmethod
    def _apply(stmt: ast.stmt, decision: Decision, report: Recorder) -> list[Edit]:
        if decision.action == "edit":
            report.change(stmt, decision.note)
        return decision.edits

    @staticmethod
    def _report_env_only_usage(module: ModuleInfo, report: Recorder) -> None:
        """A file that calls `openai.chat...` but never configures the module client."""
        for call in module.analysis.calls:
            func = call.func
            while isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute):
                func = func.value
            if (
                isinstance(func, ast.Attribute)
                and func.attr in (_V1_RESOURCES | _V0_RESOURCES)
                and module.qualify(func.value).single in OPENAI_MODULES
            ):
                url_env, url_attribute = (
                    ("OPENAI_API_BASE", "api_base") if uses_sdk_v0(module) else ("OPENAI_BASE_URL", "base_url")
                )
                report.review(
                    call,
                    f"uses the module-level client ({module.segment(func)}...) configured only by env vars: "
                    f"set {url_env}={module.target.base_url} and OPENAI_API_KEY to the "
                    f"${module.target.api_key_env} key where this runs, "
                    f"or set openai.{url_attribute}/api_key in code",
                )
                return


def _module_setting(stmt: ast.stmt, module: ModuleInfo) -> ast.Attribute | None:
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if (
        isinstance(target, ast.Attribute)
        and target.attr in ("api_key", "api_type", *URL_ATTRIBUTES)
        and module.qualify(target.value).single in OPENAI_MODULES
    ):
        return target
    return None
