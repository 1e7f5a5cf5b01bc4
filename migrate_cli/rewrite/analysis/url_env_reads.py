"""Which of OPENAI_BASE_URL / OPENAI_API_BASE a piece of code reads, before and after its rewrite.

The env-file rewrite (envfiles.py) points those variables at the target only where the code of the
same run read them for clients the rewrite moved. The rewrite's base-URL policy (policy.py) replaces
every read of them that feeds a client it moves by the target URL, so comparing the reads before and
after the rewrite tells the two apart: a read that is gone was a moved client's; a read that is
still there belongs to code the rewrite left alone (a client it only reviewed, a log line, a
helper it could not follow), which would still send OPENAI_API_KEY — the OpenAI key, kept for
`migrate smoke` — wherever the variable points.

The match is syntactic and generous on purpose (any `environ[...]`, `environ.get/setdefault/pop(...)`,
`getenv(...)` of the name, whatever `os` is called): counting one read too many only keeps an env
line as it is and lists it for review; missing one could move a client that was not moved.
Writes (`os.environ["OPENAI_BASE_URL"] = ...`) are not reads: code that sets the variable itself does
not take it from an env file.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from migrate_cli.rewrite.analysis import positions
from migrate_cli.rewrite.analysis.python_syntax import parse_module
from migrate_cli.rewrite.analysis.values import OPENAI_URL_ENVS
from migrate_cli.rewrite.model import UrlEnvRead

_READ_METHODS = frozenset({"get", "setdefault", "pop"})


def mentions_url_env(code: str) -> bool:
    """The cheap test first: nearly every file names neither variable."""
    return any(var in code for var in OPENAI_URL_ENVS)


def url_env_reads(code: str) -> tuple[tuple[str, int], ...]:
    """(variable, line) of every read of OPENAI_BASE_URL / OPENAI_API_BASE, in source order."""
    if not mentions_url_env(code):
        return ()
    try:
        tree = parse_module(code)  # a file in newer syntax than ours must not look like one without reads
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    reads = []
    for node in ast.walk(tree):
        var = _read_var(node)
        if var is not None:
            reads.append((var, positions.line(node)))
    return tuple(sorted(reads, key=lambda read: read[1]))


def _read_var(node: ast.AST) -> str | None:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
        return _url_var(node.slice)
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _READ_METHODS and _is_environ(func.value):
            return _url_var(node.args[0])
        if (isinstance(func, ast.Name) and func.id == "getenv") or (
            isinstance(func, ast.Attribute) and func.attr == "getenv"
        ):
            return _url_var(node.args[0])
    return None


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _url_var(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and node.value in OPENAI_URL_ENVS:
        return node.value
    return None


def before_and_after(before: str, after: str) -> tuple[UrlEnvRead, ...]:
    """The reads of a file's code as it was (`after=False`) and as the rewrite left it (`after=True`)."""
    old = [UrlEnvRead(var, line, after=False) for var, line in url_env_reads(before)]
    new = (
        [UrlEnvRead(var, line, after=True) for var, line in url_env_reads(after)]
        if after != before
        else [replace(read, after=True) for read in old]
    )
    return (*old, *new)
