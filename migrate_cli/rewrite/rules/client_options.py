"""MC007 client-options: per-call copies of a client (`with_options`, `copy`) and `http_client=` URLs.

`client.with_options(base_url=..., api_key=...)` (an alias of `copy()`) builds a new client from a
migrated one; an OpenAI URL or an `OPENAI_API_KEY` read there would send that copy back to OpenAI
(or OpenAI's key to the target), so they follow the same policy as the construction (policy.py).
A copy that passes neither keeps the client's settings: nothing to do. A foreign URL means the copy
talks somewhere else on purpose: left alone and reviewed. A copy that passes a key not proven to
be the target's (`base.with_options(api_key=tenant_key)`) keeps `base` itself where it is (MC001
reviews it): the copy would otherwise send that key to the target.

`OpenAI(http_client=httpx.Client(base_url=...))`: the SDK sends absolute URLs built from its own
`base_url`, so the httpx client's `base_url` is not where API calls go; a non-target one is listed
for review because it usually means the author expected it to be (openai-python `_base_client.py`,
`_prepare_url`). Source of the patterns: reference/codemod.md P10, P11.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.names import CLIENT_NAMES
from migrate_cli.rewrite.analysis.values import string_value
from migrate_cli.rewrite.api.clients import resolve_client
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.policy import decide_api_key, decide_base_url
from migrate_cli.rewrite.api.rule import FixSafety, Rule

_COPIES = frozenset({"with_options", "copy"})
_HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient", "httpx2.Client", "httpx2.AsyncClient"})


class ClientOptionsRule(Rule):
    code = "MC007"
    name = "client-options"
    fix_safety = FixSafety.SAFE
    summary = "client.with_options()/copy() URL and key follow the client; http_client base_url reviewed"

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        edits: list[Edit] = []
        for call in module.analysis.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in _COPIES and call.keywords:
                edits += self._copy(call, func, module, report)
            elif module.qualify(func).names & CLIENT_NAMES:
                self._http_client(call, module, report)
        return edits

    @staticmethod
    def _copy(call: ast.Call, func: ast.Attribute, module: ModuleInfo, report: Recorder) -> list[Edit]:
        origin = resolve_client(func.value, module)
        if origin is None or origin.kind == "module" or not origin.moves:
            return []
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        label = f"{func.attr}()"
        edits: list[Edit] = []
        notes: list[str] = []
        if "base_url" in keywords:
            url = decide_base_url(keywords["base_url"], module)
            if url.leaves_alone:
                report.review(call, f"{label}: {url.reason}")
                return []
            edits += url.edits
            notes += [url.note] if url.action == "edit" else []
        if "api_key" in keywords:
            # A copy with an unproven key keeps its client where it is (clients.unproven_copies), so
            # a client that moves has copies whose keys are proven; the check stays for safety.
            key = decide_api_key(keywords["api_key"], module, report, call)
            if key.leaves_alone:
                report.review(call, f"{label}: {key.reason}")
                return []
            edits += key.edits
            notes += [key.note] if key.action == "edit" else []
        if notes:
            report.change(call, f"{label}: " + "; ".join(notes))
        return edits

    @staticmethod
    def _http_client(call: ast.Call, module: ModuleInfo, report: Recorder) -> None:
        http_client = next((k.value for k in call.keywords if k.arg == "http_client"), None)
        if not isinstance(http_client, ast.Call) or not module.qualify(http_client.func).names & _HTTPX_CLIENTS:
            return
        url = next((k.value for k in http_client.keywords if k.arg == "base_url"), None)
        literal = string_value(url)
        if url is None or (literal is not None and module.target.same_url(literal)):
            return
        report.review(
            call,
            f"http_client={module.segment(http_client.func)}(base_url={module.segment(url)}): the SDK sends API calls "
            "to the client's own base_url, not to this one; remove it, or check what the author meant it for",
        )
