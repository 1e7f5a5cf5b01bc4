"""Which features (features.py) a call uses, from its endpoint and the arguments it sends.

The parameters are OpenAI's chat-completions parameters
(https://platform.openai.com/docs/api-reference/chat/create); framework wrappers that pass them
through under another name map here too (LangChain's `streaming=`, `stop_sequences=`,
`stream_usage=`, `use_responses_api=`: langchain-openai `chat_models/base.py`).

A value that turns a feature off (`stream=False`, `n=1`, `logprobs=None`, ...) does not count; a
value the code does not prove (`stream=streaming`, a parameter) counts as used: the code may send
it. A value whose meaning decides *which* feature it is (`response_format=fmt`, `tool_choice=c`)
and cannot be read is listed as unread, and the call gets the UNKNOWN pseudo-feature.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Literal

from migrate_cli.features import FEATURE_NAMES
from migrate_cli.scan.arguments import Arguments, resolve
from migrate_cli.scan.engine_api import ModuleInfo, string_items, string_value
from migrate_cli.scan.records import UNKNOWN

#: What an endpoint is, for the features it can carry.
Kind = Literal["chat", "completions", "embeddings", "responses", "other"]

#: Framework spellings of the same parameters.
# openai-python's `NOT_GIVEN` / `omit` (src/openai/_types.py): the parameter is not sent.
_NOT_GIVEN = frozenset({"openai.NOT_GIVEN", "openai.not_given", "openai.omit", "openai.Omit"})
_ALIASES = {"streaming": "stream", "stop_sequences": "stop", "functions": "tools", "top_logprobs": "logprobs"}


def call_features(
    kind: Kind, arguments: Arguments, module: ModuleInfo, *, parse: bool = False, stream: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(features, unread) of one call. `parse`: a `.parse()` helper (a class as `response_format`
    is a JSON schema); `stream`: a `.stream()` helper (it always streams)."""
    used: set[str] = set()
    unread = list(arguments.unread)
    if kind == "chat":
        used.add("chat")
    elif kind in ("embeddings", "responses"):
        used.add(kind)
    if kind in ("chat", "completions"):
        if stream:
            used.add("stream")
        for name, value in arguments.keywords:
            name = _ALIASES.get(name, name)
            judge = _JUDGES.get(name)
            if judge is None:
                continue
            found = judge(value, module, parse)
            if found is None:
                unread.append(name)
            elif found:
                used.add(found)
    if kind == "responses" or any(n == "use_responses_api" and _on(v, module) for n, v in arguments.keywords):
        used.add("responses")
    features = tuple(name for name in FEATURE_NAMES if name in used)
    unread_names = tuple(dict.fromkeys(unread))
    return (features + ((UNKNOWN,) if unread_names else ())), unread_names


def _on(value: ast.expr, module: ModuleInfo) -> bool:
    """Whether a value may turn something on: anything but a proven False or None, or the SDK's
    "not given" sentinels (`seed=0` is a seed)."""
    resolved = resolve(value, module)
    if isinstance(resolved, ast.Constant):
        return resolved.value is not False and resolved.value is not None
    return not _is_sentinel(value, module)


def _is_sentinel(value: ast.expr, module: ModuleInfo) -> bool:
    return bool(module.qualify(value).names & _NOT_GIVEN)


# A judge answers the feature a keyword's value uses, "" for none, None for "cannot tell which".
Judge = Callable[[ast.expr, ModuleInfo, bool], str | None]


def _flag(feature: str) -> Judge:
    return lambda value, module, parse: feature if _on(value, module) else ""


def _n(value: ast.expr, module: ModuleInfo, parse: bool) -> str:
    resolved = resolve(value, module)
    if isinstance(resolved, ast.Constant) and (resolved.value is None or resolved.value == 1):
        return ""
    return "" if _is_sentinel(value, module) else "n"


def _present(feature: str) -> Judge:
    """Any value but None: `parallel_tool_calls=True` is a choice as much as False is."""

    def judge(value: ast.expr, module: ModuleInfo, parse: bool) -> str:
        resolved = resolve(value, module)
        off = isinstance(resolved, ast.Constant) and resolved.value is None
        return "" if off or _is_sentinel(value, module) else feature

    return judge


def _entries(value: ast.expr, module: ModuleInfo) -> dict[str, ast.expr] | None:
    resolved = resolve(value, module)
    items = string_items(resolved) if isinstance(resolved, ast.Dict) else None
    return dict(items) if items is not None else None


def _stream_options(value: ast.expr, module: ModuleInfo, parse: bool) -> str | None:
    resolved = resolve(value, module)
    if isinstance(resolved, ast.Constant) and resolved.value is None:
        return ""
    entries = _entries(value, module)
    if entries is None:
        return None
    usage = entries.get("include_usage")
    return "stream_usage" if usage is not None and _on(usage, module) else ""


def _tool_choice(value: ast.expr, module: ModuleInfo, parse: bool) -> str | None:
    resolved = resolve(value, module)
    if isinstance(resolved, ast.Dict):
        return "tool_choice_named"
    if isinstance(resolved, ast.Constant):
        return "tool_choice_required" if resolved.value == "required" else ""
    return None


def _response_format(value: ast.expr, module: ModuleInfo, parse: bool) -> str | None:
    resolved = resolve(value, module)
    if isinstance(resolved, ast.Constant) and resolved.value is None:
        return ""
    entries = _entries(value, module)
    if entries is not None:
        kind = string_value(resolve(entries["type"], module)) if "type" in entries else None
        if kind in ("json_object", "json_schema"):
            return kind
        return "" if kind == "text" else None
    if parse:
        return "json_schema"  # `.parse(response_format=Model)`: the SDK sends the model's JSON schema
    return None


_JUDGES: dict[str, Judge] = {
    "stream": _flag("stream"),
    "stream_options": _stream_options,
    "stream_usage": _flag("stream_usage"),
    "tools": _flag("tools"),
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _present("parallel_tool_calls"),
    "response_format": _response_format,
    "seed": _flag("seed"),
    "n": _n,
    "logprobs": _flag("logprobs"),
    "stop": _flag("stop"),
    "max_tokens": _flag("max_tokens"),
    "max_completion_tokens": _flag("max_completion_tokens"),
}
