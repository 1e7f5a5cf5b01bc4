"""A provider's answer, read defensively: the body of a completion or the events of a stream ->
the text, tool calls, finish_reason and raw usage that smoke records. No I/O, no SDK.

Whatever a provider sends, one answer can only fail its own case: a body that is not JSON (an
HTML page), cut JSON, JSON nested too deeply to read, or JSON that is not a chat completion raises
`MalformedAnswer`, which calls.py records as that case's `bad_response` error.

Everything kept is made safe to write and show: key values (and key-shaped runs) are redacted from
every string, texts and keys included, before anything is compared, cut short or written (a
provider or proxy may echo the Authorization header into an answer, a usage object or an error
page); lone UTF-16 surrogates (`"\\ud800"` is valid JSON) become U+FFFD, which UTF-8 can encode;
non-finite numbers (`NaN`, `1e400`) become null, which JSON can hold.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.redact import redact

#: Longest provider text kept in an error message (a 502 can carry a whole HTML page).
MAX_ERROR_MESSAGE = 300
#: A chat completion nests about 6 levels (choices[0].message.tool_calls[0].function); deeper
#: answers are refused before anything walks them.
MAX_ANSWER_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


class MalformedAnswer(Exception):
    """The provider answered 200 with something that is not a (readable) chat completion."""


@dataclass(frozen=True)
class Answer:
    output: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    finish_reason: str | None = None
    #: The usage object as received (cleaned), or None when there was none.
    usage: dict[str, Any] | None = None
    #: The provider's `system_fingerprint` (its backend configuration), when it sent one.
    system_fingerprint: str | None = None


def one_line(text: str, secrets: Sequence[str] = (), limit: int = MAX_ERROR_MESSAGE) -> str:
    """Redacted, on one line, at most `limit` characters. Redacted first: cutting first could
    leave the start of a key that no longer matches the key's whole value."""
    text = " ".join(redact(text, secrets).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_text(text: str, secrets: Sequence[str]) -> str:
    text = redact(text, secrets)
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def clean_json(value: Any, secrets: Sequence[str]) -> Any:
    """A parsed JSON value, every string cleaned (`MAX_ANSWER_DEPTH` bounds the recursion)."""
    if isinstance(value, str):
        return clean_text(value, secrets)
    if isinstance(value, dict):
        return {clean_text(str(k), secrets): clean_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(item, secrets) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def load_json(data: str | bytes) -> Any:
    """json.loads that keeps what JSON can write back: NaN/Infinity and overflowing floats -> None."""
    return json.loads(data, parse_constant=lambda _name: None, parse_float=_finite_float)


def _finite_float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def parse_completion(body: bytes, content_type: str, secrets: Sequence[str]) -> Answer:
    """A non-streamed 200 body -> its `Answer`, or `MalformedAnswer` saying what was wrong."""
    try:
        data = load_json(body)
    except RecursionError:
        raise MalformedAnswer("the answer is JSON nested too deeply to read") from None
    except ValueError as exc:
        raise MalformedAnswer(_unreadable(body, content_type, exc, secrets)) from None
    _check_depth(data)
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        error = data.get("error") if isinstance(data, dict) else None
        if error:
            raise MalformedAnswer(f"the answer is an error, not a completion: {_quote(error, secrets)}")
        raise MalformedAnswer(f"the answer is not a chat completion (no 'choices' list): {_quote(data, secrets)}")
    choices = data["choices"]
    choice = choices[0] if choices else {}
    if not isinstance(choice, dict):
        raise MalformedAnswer("the answer's choices[0] is not an object")
    message = choice.get("message") or {}
    if not isinstance(message, dict):
        raise MalformedAnswer("the answer's choices[0].message is not an object")
    tool_calls = message.get("tool_calls") or []
    if not isinstance(tool_calls, list) or not all(isinstance(call, dict) for call in tool_calls):
        raise MalformedAnswer("the answer's tool_calls is not a list of objects")
    answer = Answer(
        output=_content_text(message.get("content")),
        tool_calls=tuple(tool_calls),
        finish_reason=_optional_text(choice.get("finish_reason"), "finish_reason"),
        usage=data["usage"] if isinstance(data.get("usage"), dict) else None,
        system_fingerprint=_fingerprint(data),
    )
    return clean_answer(answer, secrets)


def _fingerprint(data: dict[str, Any]) -> str | None:
    value = data.get("system_fingerprint")
    return value if isinstance(value, str) and value else None


def clean_answer(answer: Answer, secrets: Sequence[str]) -> Answer:
    return Answer(
        output=None if answer.output is None else clean_text(answer.output, secrets),
        tool_calls=tuple(clean_json(call, secrets) for call in answer.tool_calls),
        finish_reason=None if answer.finish_reason is None else clean_text(answer.finish_reason, secrets),
        usage=None if answer.usage is None else clean_json(answer.usage, secrets),
        system_fingerprint=None
        if answer.system_fingerprint is None
        else clean_text(answer.system_fingerprint, secrets),
    )


def _content_text(content: Any) -> str | None:
    """`content` as text: a string, null, or a list of parts whose text parts are joined (as
    Mistral's reasoning models send it; other parts, such as thinking, are not the answer)."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        texts = [part.get("text") for part in content if part.get("type") == "text"]
        if all(isinstance(text, str) for text in texts):
            return "".join(str(text) for text in texts)
    raise MalformedAnswer(f"the answer's message.content is {_kind(content)}, not text")


def _optional_text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MalformedAnswer(f"the answer's {name} is {_kind(value)}, not text")


def _unreadable(body: bytes, content_type: str, exc: ValueError, secrets: Sequence[str]) -> str:
    text = body.decode("utf-8", "replace")
    shown = one_line(text, secrets, 160) or "(empty)"
    if text.lstrip()[:1] in ("{", "["):
        detail = f"{exc.msg} at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return f"the answer is not complete JSON ({one_line(detail, secrets, 80)}): {shown}"
    kind = content_type.split(";")[0].strip() or "no content type"
    return f"the answer is not a chat completion (HTTP 200, {kind}): {shown}"


def _quote(value: Any, secrets: Sequence[str]) -> str:
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        value = value["message"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return one_line(text, secrets, 160)


def _check_depth(value: Any) -> None:
    """Refuse an answer nested deeper than `MAX_ANSWER_DEPTH` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_ANSWER_DEPTH:
            raise MalformedAnswer(f"the answer nests deeper than {MAX_ANSWER_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__


# --- streams ------------------------------------------------------------------------------------


async def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The `data` of each server-sent event (https://html.spec.whatwg.org/multipage/server-sent-events.html)."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


@dataclass
class StreamAnswer:
    """A streamed answer put back together from its chunks (the first choice's deltas)."""

    parts: list[str] = field(default_factory=list)
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    #: The stream's `data: [DONE]` arrived.
    done: bool = False
    #: Chunks read: after a cut, says how far the stream got.
    chunks: int = 0
    system_fingerprint: str | None = None

    def add(self, data: str) -> bool:
        """Read one event's data; True when it carried the first content or tool call."""
        if data.strip() == "[DONE]":
            self.done = True
            return False
        try:
            chunk = load_json(data)
        except RecursionError:
            raise MalformedAnswer("a stream chunk is JSON nested too deeply to read") from None
        except ValueError:
            raise MalformedAnswer(f"a stream chunk is not valid JSON: {one_line(data, (), 120)}") from None
        _check_depth(chunk)
        if not isinstance(chunk, dict):
            raise MalformedAnswer("a stream chunk is not a JSON object")
        if chunk.get("error"):
            raise MalformedAnswer(f"the stream ended with an error: {_quote(chunk['error'], ())}")
        self.chunks += 1
        self.system_fingerprint = _fingerprint(chunk) or self.system_fingerprint
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        started = False
        choices = chunk.get("choices") or []
        if not isinstance(choices, list):
            raise MalformedAnswer("a stream chunk's choices is not a list")
        for choice in choices:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if not isinstance(delta, dict):
                raise MalformedAnswer("a stream chunk's delta is not an object")
            content = delta.get("content")
            if content:
                self.parts.append(_content_text(content) or "")
                started = True
            pieces = delta.get("tool_calls") or []
            if not isinstance(pieces, list):
                raise MalformedAnswer("a stream chunk's tool_calls is not a list")
            for position, piece in enumerate(pieces):
                self._merge_tool_call(piece, position)
                started = True
            if choice.get("finish_reason"):
                self.finish_reason = _optional_text(choice["finish_reason"], "finish_reason")
        return started

    def _merge_tool_call(self, piece: Any, position: int) -> None:
        """Tool calls arrive in pieces keyed by index: id and name once, arguments in fragments."""
        if not isinstance(piece, dict):
            raise MalformedAnswer("a stream chunk's tool call is not an object")
        index = piece.get("index")
        entry = self.calls.setdefault(
            index if isinstance(index, int) else position,
            {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
        )
        if isinstance(piece.get("id"), str):
            entry["id"] = piece["id"]
        if isinstance(piece.get("type"), str):
            entry["type"] = piece["type"]
        function = piece.get("function")
        if isinstance(function, dict):
            for key in ("name", "arguments"):
                if isinstance(function.get(key), str):
                    entry["function"][key] += function[key]

    @property
    def complete(self) -> bool:
        """The model said why it stopped: without a finish_reason the stream was cut, whatever
        else arrived ([DONE] included)."""
        return self.finish_reason is not None

    def answer(self, secrets: Sequence[str]) -> Answer:
        calls = tuple(self.calls[index] for index in sorted(self.calls))
        output = "".join(self.parts) if self.parts or not calls else None
        answer = Answer(output, calls, self.finish_reason, self.usage, self.system_fingerprint)
        return clean_answer(answer, secrets)
