"""Pure: a streamed chat completion, line by line off the wire, into a `StreamRecord`.

The probe reads the server-sent events itself (the SDK's stream iterator stops quietly at the end
of the body, so it cannot tell a finished stream from a cut one): `data:` lines joined until a
blank line make one event (https://html.spec.whatwg.org/multipage/server-sent-events.html), `[DONE]`
ends the stream, and each other event is a `chat.completion.chunk`
(https://platform.openai.com/docs/api-reference/chat-streaming).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.probe.records import StreamRecord


@dataclass
class StreamAssembler:
    content_type: str = ""
    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _parts: list[str] = field(default_factory=list)
    _calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    _chunks: int = 0
    content_chunks: int = 0
    _finish: str | None = None
    _usage: dict[str, Any] | None = None
    _done: bool = False
    _error: str | None = None
    _other: list[str] = field(default_factory=list)

    def feed(self, line: str) -> None:
        if not line:
            self._dispatch()
        elif line.startswith("data:"):
            self._data.append(line[5:].removeprefix(" "))
        elif line.startswith("event:"):
            self._event = line[6:].strip()
        elif not line.startswith(":"):
            self._other.append(line)  # not SSE at all: kept in case the whole body is JSON

    def finish(self, *, stopped: bool = False) -> StreamRecord:
        self._dispatch()
        if not self._chunks and not self._done and self._other:
            return StreamRecord(content_type=self.content_type, body=_json_or_text("\n".join(self._other)))
        return StreamRecord(
            content_type=self.content_type,
            chunks=self._chunks,
            content_chunks=self.content_chunks,
            stopped=stopped,
            content="".join(self._parts),
            tool_calls=tuple(self._calls[index] for index in sorted(self._calls)),
            finish_reason=self._finish,
            usage=self._usage,
            done=self._done,
            error=self._error,
        )

    def _dispatch(self) -> None:
        if not self._data:
            return
        data, event = "\n".join(self._data), self._event
        self._data, self._event = [], ""
        if self._done:
            return
        if data.strip() == "[DONE]":
            self._done = True
            return
        chunk = _json_or_text(data)
        if not isinstance(chunk, dict):
            self._error = self._error or f"an event that is not JSON: {data[:120]}"
            return
        if event == "error" or chunk.get("error"):
            self._error = self._error or _error_text(chunk.get("error", chunk))
            return
        self._chunks += 1
        self._take(chunk)

    def _take(self, chunk: dict[str, Any]) -> None:
        if isinstance(chunk.get("usage"), dict) and self._usage is None:
            self._usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str) and delta["content"]:
                self._parts.append(delta["content"])
                self.content_chunks += 1
            for piece in delta.get("tool_calls") or ():
                if isinstance(piece, dict):
                    _merge_tool_call(self._calls, piece)
            if choice.get("finish_reason"):
                self._finish = str(choice["finish_reason"])


def _merge_tool_call(calls: dict[int, dict[str, Any]], piece: dict[str, Any]) -> None:
    """Tool calls arrive in pieces keyed by index: id and name once, arguments in fragments."""
    entry = calls.setdefault(
        int(piece.get("index") or 0), {"id": None, "type": "function", "function": {"name": "", "arguments": ""}}
    )
    entry["id"] = piece.get("id") or entry["id"]
    function = piece.get("function") or {}
    entry["function"]["name"] += function.get("name") or ""
    entry["function"]["arguments"] += function.get("arguments") or ""


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _error_text(error: Any) -> str:
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    return json.dumps(error)[:300]
