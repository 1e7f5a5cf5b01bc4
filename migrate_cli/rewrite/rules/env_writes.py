"""MC015 env-writes: code that sets OPENAI_* env vars for the libraries that read them.

Tutorials and notebooks configure LangChain, litellm, CrewAI and the openai SDK itself by writing
the environment before those libraries read it: `os.environ["OPENAI_API_BASE"] = "http://..."`,
`os.environ["OPENAI_API_KEY"] = "sk-..."` (codemod.md E2; e.g. wanlinainai/Learning,
l3s-learnweb/interweb). Forms: `os.environ[...] = v`, `os.environ.setdefault(...)`,
`os.environ.update({...})` / `update(NAME=v)` and `os.putenv(...)`.

OPENAI_BASE_URL and OPENAI_API_BASE follow the base_url policy (policy.py): OpenAI's URL -> the
target; a proxy or local server -> review, and then nothing in the file is touched (those libraries
talk to that server, with whatever key it wants).

OPENAI_API_KEY is read by the same libraries *together with* the URL, so the two must move as a
pair: the target key sent to OpenAI, or an OpenAI key sent to the target, both fail, and the second
hands the key to a third party. So:
- a hard-coded key is replaced by a read of the target's env var (`os.environ["MIRA_API_KEY"]`)
  and reported as a security finding (revoke it); a read of OPENAI_API_KEY reads the target's var;
  anything else (`getpass()`, `userdata.get(...)`) is kept and reviewed;
- when the file moves the key but writes no URL, `os.environ["OPENAI_BASE_URL"] = "<target>"` is
  added after the key line; when it moves the URL but writes no key, the key line
  `os.environ["OPENAI_API_KEY"] = os.environ["<TARGET_ENV>"]` is added after the URL line. A key
  that is reviewed gets no URL line: the pair stays on OpenAI until a person decides;
- `setdefault` keeps a value the environment already has (the user's real OpenAI key, which
  `migrate smoke` needs there): its key write is rewritten and reviewed for that reason.
A write of OPENAI_MODEL_NAME / OPENAI_MODEL naming an OpenAI model (CrewAI's default model) is
reviewed: the target serves other ids.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from migrate_cli.rewrite.analysis.model_ids import is_openai_model_id
from migrate_cli.rewrite.analysis.values import OPENAI_KEY_ENV, OPENAI_URL_ENVS, string_value
from migrate_cli.rewrite.api.clients import uses_sdk_v0
from migrate_cli.rewrite.api.context import Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit, InsertAfter
from migrate_cli.rewrite.api.key_sources import key_source
from migrate_cli.rewrite.api.policy import (
    Decision,
    decide_api_key,
    decide_base_url,
    key_unproven_reason,
    report_kept_secrets,
)
from migrate_cli.rewrite.api.rule import FixSafety, Rule

_MODEL_ENVS = frozenset({"OPENAI_MODEL_NAME", "OPENAI_MODEL"})
_WATCHED = OPENAI_URL_ENVS | {OPENAI_KEY_ENV} | _MODEL_ENVS
# The URL variable an added line writes: read by the openai SDK, litellm and (through the SDK)
# LangChain; a file on the openai<1 SDK gets OPENAI_API_BASE, the only one that SDK reads.
_URL_ENV_WRITTEN = "OPENAI_BASE_URL"
_URL_ENV_WRITTEN_V0 = "OPENAI_API_BASE"


@dataclass(frozen=True)
class EnvWrite:
    var: str
    value: ast.expr
    #: "assign" | "setdefault" | "update" | "putenv"
    form: str
    #: The write itself (an Assign statement, or the call).
    node: ast.AST
    #: Source that reaches `os.environ` at the write ("os.environ", "environ", "_os.environ"); None
    #: when the write does not spell it (`from os import putenv`).
    environ: str | None


class EnvWritesRule(Rule):
    code = "MC015"
    name = "env-writes"
    fix_safety = FixSafety.SAFE
    summary = (
        'os.environ["OPENAI_BASE_URL"/"OPENAI_API_BASE"/"OPENAI_API_KEY"] writes: '
        "the URL and key move to the target together"
    )
    needles = (b"openai_base_url", b"openai_api_base", b"openai_api_key", b"openai_model")

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return []
        writes = list(_writes(module))
        if not writes:
            return []
        self._review_models(writes, module, report)
        urls = [w for w in writes if w.var in OPENAI_URL_ENVS]
        keys = [w for w in writes if w.var == OPENAI_KEY_ENV]
        if not urls and not keys:
            return []
        url_decisions = [(w, decide_base_url(w.value, module, _label(w))) for w in urls]
        foreign = [(w, d) for w, d in url_decisions if d.leaves_alone]
        if foreign:
            for write, decision in foreign:
                report.review(
                    write.node,
                    f"{decision.reason} (libraries that read {write.var} talk to that server, so the OpenAI env vars "
                    "of this file are left alone)",
                )
            return []
        # Every key must be proven, and every scope that moves one half must be able to get the
        # other half, before anything is written: the pairs move together, in every scope, or none does.
        problems = [
            (w, reason) for w in keys if (reason := key_unproven_reason(w.value, module, _label(w))) is not None
        ]
        pairs = [] if problems else _pairs(urls, keys, module)
        problems += [(pair.anchor, pair.problem) for pair in pairs if pair.problem is not None]
        if problems:
            self._leave_alone(writes, problems, module, report)
            return []

        edits: list[Edit] = []
        for write, decision in [*url_decisions, *((w, self._decide_key(w, module, report)) for w in keys)]:
            if decision.action == "edit":
                report.change(write.node, decision.note)
                edits += decision.edits
        for pair in pairs:
            assert pair.statement is not None and pair.code is not None
            if pair.reads_os:
                module.os_module_name(pair.statement, report)  # asks for `import os` where it is needed
            report.change(pair.anchor.node, f"added {pair.code} ({pair.why})")
            edits.append(InsertAfter(pair.statement, pair.code))
        return edits

    @staticmethod
    def _leave_alone(
        writes: list[EnvWrite], problems: list[tuple[EnvWrite, str]], module: ModuleInfo, report: Recorder
    ) -> None:
        url = module.target.base_url
        for write, problem in problems:
            report.review(
                write.node,
                f"{problem}; libraries read {OPENAI_KEY_ENV} together with OPENAI_BASE_URL: point both at {url} "
                "or neither, so the OpenAI env vars of this file are left alone",
            )
        flagged = {id(write) for write, _ in problems}
        first = problems[0][0]
        for write in writes:
            if write.var in _MODEL_ENVS or id(write) in flagged:
                continue
            report.review(
                write.node,
                f"{_label(write)} is left as is, like every OpenAI env var of this file, because of "
                f"{_label(first)} at {module.where(first.node)} (see that item)",
            )
            report_kept_secrets(write.value, module, report, _label(write))

    @staticmethod
    def _review_models(writes: list[EnvWrite], module: ModuleInfo, report: Recorder) -> None:
        for write in writes:
            model = string_value(write.value)
            if write.var in _MODEL_ENVS and model is not None and is_openai_model_id(model.removeprefix("openai/")):
                report.review(
                    write.node,
                    f"{_label(write)} = {model!r} names an OpenAI model, which libraries such as CrewAI use by "
                    f"default: set it to a model {module.target.base_url} serves",
                )

    def _decide_key(self, write: EnvWrite, module: ModuleInfo, report: Recorder) -> Decision:
        environ, env = write.environ, module.target.api_key_env

        def key_code(placeholder: str | None) -> str:
            return f'{environ}.get("{env}", {placeholder})' if placeholder else f'{environ}["{env}"]'

        decision = decide_api_key(write.value, module, report, write.node, _label(write), key_code if environ else None)
        if write.form == "setdefault" and decision.action in ("edit", "insert"):
            report.review(
                write.node,
                f"{_label(write)}: setdefault keeps an {OPENAI_KEY_ENV} already in the environment (an OpenAI key "
                f"would then be sent to {module.target.base_url}): assign it instead",
            )
        return decision


@dataclass(frozen=True)
class _Pair:
    """The other half a scope needs: the URL line after its key write, or the key line after its URL write."""

    anchor: EnvWrite
    statement: ast.stmt | None
    code: str | None
    why: str
    problem: str | None = None
    #: The added line reaches `os.environ` through the `os` module, which may need importing.
    reads_os: bool = False


def _pairs(urls: list[EnvWrite], keys: list[EnvWrite], module: ModuleInfo) -> list[_Pair]:
    """Per scope (module level, each function): the line to add when it writes one half of the pair only.

    A key or URL written inside a function reaches the libraries only when that function runs, so
    each scope carries its own pair; a write whose partner cannot be placed (no line of its own)
    is a problem: nothing in the file then moves.
    """
    target = module.target
    by_scope: dict[int, tuple[list[EnvWrite], list[EnvWrite]]] = {}
    for write in [*urls, *keys]:
        scope_urls, scope_keys = by_scope.setdefault(id(module.scope_at(write.node)), ([], []))
        (scope_urls if write in urls else scope_keys).append(write)
    pairs = []
    for scope_urls, scope_keys in by_scope.values():
        if scope_keys and not scope_urls:
            anchor = scope_keys[0]
            if _already_target(anchor, module):
                continue
            url_env = _URL_ENV_WRITTEN_V0 if uses_sdk_v0(module) else _URL_ENV_WRITTEN
            line = f'{{environ}}["{url_env}"] = {json.dumps(target.base_url)}'
            why = f"libraries that read {OPENAI_KEY_ENV} would otherwise send the ${target.api_key_env} key to OpenAI"
        elif scope_urls and not scope_keys:
            anchor = scope_urls[-1]
            if decide_base_url(anchor.value, module, _label(anchor)).action == "keep":
                continue
            line = f'{{environ}}["{OPENAI_KEY_ENV}"] = {{environ}}["{target.api_key_env}"]'
            why = f"libraries that read {anchor.var} would otherwise send your OpenAI key to {target.base_url}"
        else:
            continue
        pairs.append(_pair(anchor, line, why, module))
    return pairs


def _pair(anchor: EnvWrite, line: str, why: str, module: ModuleInfo) -> _Pair:
    statement = _own_statement(anchor, module)
    environ = anchor.environ
    if environ is None and statement is not None:  # `from os import putenv`: reach os.environ another way
        os_name = module.os_module_name(statement, Recorder("probe", Findings()))
        environ = f"{os_name}.environ" if os_name is not None else None
    code = line.format(environ=environ or "os.environ")
    if statement is None or environ is None:
        return _Pair(
            anchor, None, None, why, problem=f"{_label(anchor)}: add `{code}` next to this line by hand ({why})"
        )
    return _Pair(anchor, statement, code, why, reads_os=anchor.environ is None)


def _already_target(write: EnvWrite, module: ModuleInfo) -> bool:
    source = key_source(write.value, module)
    return source.kind == "target"


def _label(write: EnvWrite) -> str:
    return f'os.environ["{write.var}"]'


def _watched(expr: ast.expr | None) -> str | None:
    """The env var a write's key names, when it is one this rule watches."""
    var = string_value(expr)
    return var if var in _WATCHED else None


def _writes(module: ModuleInfo) -> Iterator[EnvWrite]:
    analysis = module.analysis
    # Cheap syntactic checks first: qualifying every call of a large module is what costs.
    for stmt in analysis.assignments:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and (var := _watched(target.slice))
                and analysis.qualify(target.value).single == "os.environ"
            ):
                yield EnvWrite(var, stmt.value, "assign", stmt, module.segment(target.value))
    for call in analysis.calls:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        first = _watched(call.args[0]) if call.args else None
        if name not in ("setdefault", "update", "putenv") and not (isinstance(func, ast.Name) and first):
            continue
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("setdefault", "update")
            and analysis.qualify(func.value).single == "os.environ"
        ):
            environ = module.segment(func.value)
            if func.attr == "setdefault" and len(call.args) == 2 and first:
                yield EnvWrite(first, call.args[1], "setdefault", call, environ)
            elif func.attr == "update":
                yield from _update_writes(call, environ)
        elif analysis.qualify(func).single == "os.putenv" and len(call.args) == 2 and first:
            putenv_environ = f"{module.segment(func.value)}.environ" if isinstance(func, ast.Attribute) else None
            yield EnvWrite(first, call.args[1], "putenv", call, putenv_environ)


def _update_writes(call: ast.Call, environ: str) -> Iterator[EnvWrite]:
    if len(call.args) == 1 and isinstance(call.args[0], ast.Dict):
        for key, value in zip(call.args[0].keys, call.args[0].values, strict=True):
            if var := _watched(key):
                yield EnvWrite(var, value, "update", call, environ)
    for keyword in call.keywords:
        if keyword.arg in _WATCHED:
            yield EnvWrite(keyword.arg, keyword.value, "update", call, environ)


def _own_statement(write: EnvWrite, module: ModuleInfo) -> ast.stmt | None:
    """The statement a line can be added after: the write itself, alone at the start of its line."""
    statement: ast.stmt | None = write.node if isinstance(write.node, ast.stmt) else None
    if statement is None:
        statement = next(
            (n for n in ast.walk(module.tree) if isinstance(n, ast.Expr) and n.value is write.node),
            None,
        )
    if statement is None:
        return None
    line = module.lines[statement.lineno - 1]
    if line[: statement.col_offset].strip() or statement.end_lineno is None:
        return None  # `if x: os.environ[...] = ...`: no line of its own to add after
    return statement
