"""Shape checks for what a prompts-file line may send: chat messages and common parameters.

Each check returns what is wrong in words a user can act on (without the file/line prefix, which
cases.py adds), or None. Only the shape is checked: whether a provider accepts a value is what the
smoke run itself finds out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

ROLES = ("system", "developer", "user", "assistant", "tool")
#: Deepest nesting a line may have. Real requests nest about 10 levels (a tool's JSON schema a few
#: more); Python's JSON encoder gives up near 1,000, at a depth that depends on the call stack it
#: runs in, so the limit stays far below that.
MAX_NESTING = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
MESSAGES_SHAPE = "'messages' must be a list of {role, content} objects"
_KIND_NAMES: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}


def describe(value: Any) -> str:
    """A JSON value's kind, as a user reads it ("a string", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return _KIND_NAMES.get(type(value), type(value).__name__)


def attach(subject: str, problem: str) -> str:
    """Join a subject and a problem that may start with an index: "content" + "[0] ..."."""
    return subject + problem if problem.startswith("[") else f"{subject} {problem}"


def unsendable_problem(value: Any) -> str | None:
    """What in a parsed line cannot be sent, or None: nesting deeper than `MAX_NESTING`, or a lone
    UTF-16 surrogate (the JSON escape `\\ud800` parses, but UTF-8 cannot encode it). Non-finite
    numbers never get this far: the parser refuses them. Checked without recursion."""
    cannot = "UTF-8 cannot encode it, so it cannot be sent"
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        where = path.lstrip(".") or "the line"
        if depth > MAX_NESTING:
            return f"nested deeper than {MAX_NESTING} levels: such a request cannot be sent"
        if isinstance(item, str) and _SURROGATE.search(item):
            return f"{where} holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair): {cannot}"
        if isinstance(item, dict):
            for key, child in item.items():
                if _SURROGATE.search(key):
                    return f"a key of {where} holds a lone UTF-16 surrogate: {cannot}"
                stack.append((child, f"{path}.{key}", depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item))
    return None


def messages_problem(value: Any) -> str | None:
    """What is wrong with a `messages` value, or None."""
    if not isinstance(value, list) or not value:
        return MESSAGES_SHAPE + (" (the list is empty)" if value == [] else "")
    for index, message in enumerate(value):
        if (problem := _message_problem(message, f"messages[{index}]")) is not None:
            return problem
    return None


def _message_problem(message: Any, at: str) -> str | None:
    if not isinstance(message, dict):
        return f"{MESSAGES_SHAPE}; {at} is {describe(message)}"
    role = message.get("role")
    if role not in ROLES:
        shown = f"'{role}'" if isinstance(role, str) else "missing" if role is None else describe(role)
        return f"{at}.role must be one of {', '.join(ROLES)} ({shown} given)"
    if message.get("content") is None:
        # The API allows a null content only where the message carries tool calls instead.
        if not (role == "assistant" and message.get("tool_calls")):
            return f"{at}.content is missing (only an assistant message with tool_calls may omit it)"
    elif (problem := _content_problem(message["content"])) is not None:
        return attach(f"{at}.content", problem)
    if "name" in message and not isinstance(message["name"], str):
        return f"{at}.name must be a string"
    if "tool_calls" in message:
        if role != "assistant":
            return f"{at}.tool_calls is only allowed on an assistant message"
        if (problem := _tool_calls_problem(message["tool_calls"])) is not None:
            return attach(f"{at}.tool_calls", problem)
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        return f"{at} is a tool message and needs a string 'tool_call_id'"
    return None


def _content_problem(content: Any) -> str | None:
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return f"must be a string or a list of content parts, got {describe(content)}"
    for index, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            return f"[{index}] must be an object with a string 'type'"
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            return f"[{index}] is a text part and needs a string 'text'"
    return None


def _tool_calls_problem(calls: Any) -> str | None:
    if not isinstance(calls, list):
        return "must be a list"
    for index, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            return f"[{index}] must be an object with function.name"
        if not isinstance(function.get("arguments", ""), str):
            return f"[{index}].function.arguments must be a JSON string"
    return None


# --- per-parameter checks ---------------------------------------------------------------------


def _number(low: float, high: float) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not low <= value <= high:
            return f"must be a number from {low:g} to {high:g}"
        return None

    return check


def _integer(low: int, high: int | None = None) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            return f"must be an integer of at least {low}"
        if high is not None and value > high:
            return f"must be an integer from {low} to {high}"
        return None

    return check


def _of_type(kind: type, name: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) and kind is not bool:
            return f"must be {name}"
        return None if isinstance(value, kind) else f"must be {name}"

    return check


def _stop(value: Any) -> str | None:
    if isinstance(value, str):
        return None
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return None
    return "must be a string or a list of strings"


def _response_format(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return 'must be an object with a string "type" (e.g. {"type": "json_object"})'
    return None


def _tools(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list of tool objects"
    for index, tool in enumerate(value):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            return f"[{index}] must be an object with a string 'type'"
        if tool["type"] == "function":
            function = tool.get("function")
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                return f"[{index}] is a function tool and needs function.name"
            if "parameters" in function and not isinstance(function["parameters"], dict):
                return f"[{index}].function.parameters must be an object (a JSON schema)"
    return None


def _tool_choice(value: Any) -> str | None:
    if isinstance(value, (str, dict)):
        return None
    return 'must be "none", "auto", "required" or an object naming a tool'


PARAM_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "max_tokens": _integer(1),
    "max_completion_tokens": _integer(1),
    "n": _integer(1),
    "seed": _of_type(int, "an integer"),
    "top_logprobs": _integer(0, 20),
    "logprobs": _of_type(bool, "true or false"),
    "parallel_tool_calls": _of_type(bool, "true or false"),
    "store": _of_type(bool, "true or false"),
    "user": _of_type(str, "a string"),
    "reasoning_effort": _of_type(str, "a string"),
    "service_tier": _of_type(str, "a string"),
    "logit_bias": _of_type(dict, "an object"),
    "metadata": _of_type(dict, "an object"),
    "stop": _stop,
    "response_format": _response_format,
    "tools": _tools,
    "tool_choice": _tool_choice,
}
