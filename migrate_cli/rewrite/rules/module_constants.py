"""MC006 module-constants: a constant or local variable used as a client's URL or key is rewritten where it is assigned.

    BASE_URL = "https://api.openai.com/v1"          ->  BASE_URL = "https://api.vmira.ai/v1"
    API_KEY = os.getenv("OPENAI_API_KEY")           ->  API_KEY = os.environ["MIRA_API_KEY"]
    client = OpenAI(base_url=BASE_URL, api_key=API_KEY)     (unchanged: it reads the constants)

The same holds for a function's local variable (`key = os.environ["AZURE_OPENAI_API_KEY"]` then
`AzureOpenAI(api_key=key, ...)`): rewriting the call instead would leave the old read behind.

Config modules often name the URL and key once and pass the names around (reference/codemod.md,
pattern 23 of the ranked list; E1). Rewriting the call instead (`base_url="https://api.vmira.ai/v1"`)
would leave a stale, misleading constant behind; rewriting the constant is what a person would do.
It is safe only when the name is assigned exactly once (in the module or in one function) and every
read of it is a URL (or every read a key) of a client this run migrates: OpenAI(), AzureOpenAI(),
the framework constructors of the other construction rules, the openai module client. The values
follow the same policy as every other rule (policy.py); the analysis lives in constants.py, which the
policy also uses so that each construction keeps the constant's name instead of calling it "not
OpenAI's URL".

A name that cannot be rewritten (read elsewhere too, assigned twice, passed both as URL and key,
shared with a client pointed at a local server or given a key that is not proven) leaves its
clients alone: they are reviewed, and so is the assignment when a client would otherwise move; a
constant imported from another module is reviewed at the client, with that module named.
"""

from __future__ import annotations

from collections.abc import Iterable

from migrate_cli.rewrite.api.constants import Constant, module_constants
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.key_sources import key_source
from migrate_cli.rewrite.api.policy import decide_api_key, decide_base_url, report_kept_secrets
from migrate_cli.rewrite.api.rule import FixSafety, Rule


class ModuleConstantRule(Rule):
    code = "MC006"
    name = "module-constants"
    fix_safety = FixSafety.SAFE
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
                f"{constant.name} is OpenAI's URL and is the base URL of {constant.describe_uses(module)}, but it is "
                "not rewritten: "
                f"{constant.blocked}; give those clients their own constant, or point them at {url} by hand",
            )
            return []
        report.change(
            constant.assignment, f"{constant.name} -> {url} (the base URL of {constant.describe_uses(module)})"
        )
        return decision.edits

    @staticmethod
    def _key(constant: Constant, module: ModuleInfo, report: Recorder) -> list[Edit]:
        assert constant.assignment is not None and constant.value is not None
        value, env = constant.value, module.target.api_key_env
        if key_source(value, module).kind != "rewritable":
            return []  # already the target's variable, or not proven (each client reviews that)
        if constant.blocked is not None:
            report_kept_secrets(value, module, report, constant.name)
            if not constant.feeds_movable_client:
                return []  # its clients stay where they are for other reasons, which they report
            report.review(
                constant.assignment,
                f"{constant.name} is the API key of {constant.describe_uses(module)}, but it is not rewritten: "
                f"{constant.blocked}; those clients are left as is: make them read ${env} by hand",
            )
            return []
        decision = decide_api_key(value, module, report, constant.assignment, constant.name, follow_constants=False)
        if decision.leaves_alone:  # `os` is rebound where the assignment is
            report.review(constant.assignment, decision.reason)
        elif decision.action == "edit":
            report.change(constant.assignment, f"{decision.note} (the API key of {constant.describe_uses(module)})")
        return decision.edits
