"""MC006 module-constants: a module constant used as a client's URL or key is rewritten where it is assigned.

    BASE_URL = "https://api.openai.com/v1"          ->  BASE_URL = "https://api.vmira.ai/v1"
    API_KEY = os.getenv("OPENAI_API_KEY")           ->  API_KEY = os.getenv("MIRA_API_KEY")
    client = OpenAI(base_url=BASE_URL, api_key=API_KEY)     (unchanged: it reads the constants)

Config modules often name the URL and key once and pass the names around (reference/codemod.md,
pattern 23 of the ranked list; E1). Rewriting the call instead (`base_url="https://api.vmira.ai/v1"`)
would leave a stale, misleading constant behind; rewriting the constant is what a person would do.
It is safe only when the constant is assigned exactly once at module level and every read of it is
a URL (or every read a key) of a client this run migrates: OpenAI(), the framework constructors of
the other construction rules, the openai module client. The values follow the same policy as every
other rule (policy.py); the analysis lives in constants.py, which the policy also uses so that each
construction keeps the constant's name instead of calling it "not OpenAI's URL".

A constant that cannot be rewritten (read elsewhere too, assigned twice, passed both as URL and key,
shared with a client pointed at a local server) is reviewed here, at its assignment; a constant
imported from another module is reviewed at the client, with that module named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.constants import Constant, module_constants
from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit
from migrate_cli.rewrite.policy import decide_api_key, decide_base_url, key_is_rewritable
from migrate_cli.rewrite.rules.base import Rule
from migrate_cli.rewrite.values import looks_like_key, string_value


class ModuleConstantRule(Rule):
    code = "MC006"
    name = "module-constants"
    summary = "module constants passed as base_url/api_key: the constant's one assignment points at the target"

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        edits: list[Edit] = []
        for constant in module_constants(module):
            if constant.assignment is None or constant.value is None:
                continue  # assigned twice or not by a plain assignment: each client reports it
            if constant.kind == "url":
                edits += self._url(constant, module, report)
            else:
                edits += self._key(constant, module, report)
        return edits

    @staticmethod
    def _url(constant: Constant, module: ModuleInfo, report: Recorder) -> list[Edit]:
        assert constant.assignment is not None and constant.value is not None
        decision = decide_base_url(constant.value, module, constant.name, follow_constants=False)
        if decision.action != "edit":
            return []  # already the target, or not OpenAI's URL (each client reports that)
        url = module.target.base_url
        if constant.blocked is not None:
            if not constant.feeds_movable_client:
                return []  # its clients stay where they are for other reasons, which they report
            report.review(
                constant.assignment,
                f"{constant.name} is OpenAI's URL and is the base URL of {constant.describe_uses()}, but it is not rewritten: "
                f"{constant.blocked}; give those clients their own constant, or point them at {url} by hand",
            )
            return []
        report.change(constant.assignment, f"{constant.name} -> {url} (the base URL of {constant.describe_uses()})")
        return decision.edits

    @staticmethod
    def _key(constant: Constant, module: ModuleInfo, report: Recorder) -> list[Edit]:
        assert constant.assignment is not None and constant.value is not None
        value, env = constant.value, module.target.api_key_env
        if not key_is_rewritable(value, module):
            return []  # already the target's env var, or something each client reviews
        if constant.blocked is not None:
            _report_kept_literal(constant, value, report)
            if not constant.feeds_movable_client:
                return []  # its clients stay where they are for other reasons, which they report
            report.review(
                constant.assignment,
                f"{constant.name} is the API key of {constant.describe_uses()}, but it is not rewritten: "
                f"{constant.blocked}; make those clients read ${env} by hand",
            )
            return []
        decision = decide_api_key(value, module, report, constant.assignment, constant.name, follow_constants=False)
        if decision.action == "review":  # `os` is rebound at module level
            report.review(constant.assignment, decision.reason)
        elif decision.action == "edit":
            report.change(constant.assignment, f"{decision.note} (the API key of {constant.describe_uses()})")
        return decision.edits


def _report_kept_literal(constant: Constant, value: ast.expr, report: Recorder) -> None:
    """A hard-coded key that stays in the code is still a finding, and still never shown."""
    literal = string_value(value)
    if literal is None:
        return
    report.secret(literal)
    if looks_like_key(literal):
        report.security(
            value,
            f"hard-coded API key in {constant.name}, not rewritten (see the review item): revoke it and read it from the environment",
            literal,
        )
