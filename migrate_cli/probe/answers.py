"""Pure: read what came back (a chat completion as JSON, or a reassembled stream) and quote it.

Every reader is defensive: a compatible provider may leave out any field, or send the wrong type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrate_cli.probe.records import Answer, StreamRecord
from migrate_cli.smoke.records import CallError

QUOTE_LIMIT = 60
_FENCE = re.compile(r"\A\s*```[A-Za-z0-9_-]*\s*\n(?P<body>.*?)\n?```\s*\Z", re.DOTALL)


def choices(answer: Answer) -> list[Mapping[str, Any]] | None:
    """The completion's choices, or None when the answer is not a chat completion at all."""
    if isinstance(answer, StreamRecord):
        return None
    value = answer.get("choices")
    if not isinstance(value, list):
        return None
    return [choice for choice in value if isinstance(choice, Mapping)]


def _message(answer: Answer) -> Mapping[str, Any]:
    found = choices(answer) or [{}]
    message = found[0].get("message")
    return message if isinstance(message, Mapping) else {}


def content(answer: Answer) -> str:
    if isinstance(answer, StreamRecord):
        return answer.content
    text = _message(answer).get("content")
    return text if isinstance(text, str) else ""


def tool_calls(answer: Answer) -> list[Mapping[str, Any]]:
    calls = answer.tool_calls if isinstance(answer, StreamRecord) else _message(answer).get("tool_calls")
    return [call for call in calls or () if isinstance(call, Mapping)]


def tool_names(answer: Answer) -> list[str]:
    return [str((call.get("function") or {}).get("name") or "?") for call in tool_calls(answer)]


def finish_reason(answer: Answer) -> str | None:
    if isinstance(answer, StreamRecord):
        return answer.finish_reason
    found = choices(answer) or [{}]
    reason = found[0].get("finish_reason")
    return str(reason) if reason else None


def usage_count(answer: Answer, key: str) -> int | None:
    usage = answer.usage if isinstance(answer, StreamRecord) else answer.get("usage")
    value = usage.get(key) if isinstance(usage, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def logprob_tokens(answer: Answer) -> list[Mapping[str, Any]]:
    found = choices(answer) or [{}]
    logprobs = found[0].get("logprobs")
    tokens = logprobs.get("content") if isinstance(logprobs, Mapping) else None
    return [token for token in tokens or () if isinstance(token, Mapping)]


def cut_before_answer(answer: Answer) -> bool:
    """Nothing came back because the token budget ran out first (a reasoning model thinks first)."""
    return not content(answer).strip() and not tool_calls(answer) and finish_reason(answer) == "length"


def describe_call(call: Mapping[str, Any]) -> str:
    function = call.get("function") or {}
    return f"{function.get('name') or '?'}({function.get('arguments') or ''})"


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """A short, one-line, quoted rendering of text (or of a JSON value) for evidence."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    # Text is quoted so its edges show; a JSON value already reads as what it is.
    return json.dumps(text, ensure_ascii=False) if isinstance(value, str) else text


@dataclass(frozen=True)
class JsonAnswer:
    """An answer read as JSON mode would write it: bare JSON, and nothing else."""

    value: Any = None
    parsed: bool = False
    #: The JSON sat in a Markdown code fence: a model writing JSON because it was asked to in
    #: words, not a provider's JSON mode (which sends the bare value).
    fenced: bool = False


def read_json(text: str) -> JsonAnswer:
    try:
        return JsonAnswer(json.loads(text), parsed=True)
    except ValueError:
        pass
    match = _FENCE.match(text)
    if match:
        try:
            return JsonAnswer(json.loads(match.group("body")), parsed=True, fenced=True)
        except ValueError:
            pass
    return JsonAnswer()


def error_evidence(error: CallError) -> str:
    """The provider's own words, with the status they came with."""
    return f"HTTP {error.status}: {error.message}" if error.status else error.message
