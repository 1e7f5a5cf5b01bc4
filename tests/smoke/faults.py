"""Broken answers for the fake provider (server.py): what real providers, proxies and networks do to
a chat-completions call. `FakeProvider.inject(mode, ...)` arms one; the next matching chat request
gets it instead of its scripted reply.

Modes (`FaultMode`):

- `reset_before`: the connection is reset (TCP RST) before any byte of the answer;
- `reset_mid_body`: headers and half of a JSON completion (with the full Content-Length), then a reset;
- `reset_mid_stream`: an SSE stream that breaks with a reset after a few content chunks;
- `stream_cut`: an SSE stream that ends cleanly (the chunked body is terminated) after a few
  content chunks: no `finish_reason`, no `data: [DONE]`, as llama.cpp's server does to a running
  stream when another request arrives;
- `truncated_json`: a 200 `application/json` body cut in half (Content-Length matches the cut body);
- `deep_json`: a 200 JSON body nested `depth` levels deep (default 100,000);
- `not_a_completion`: a 200 JSON object that is not a chat completion;
- `html`: a 200 `text/html` page, as a captive portal or a misrouted base URL answers;
- `html_echo`: the same page quoting the request it got: its headers (Authorization included) and body;
- `error_echo_auth`: an error status (`status`, default 400) whose JSON message quotes the
  Authorization header;
- `error_echo_auth_long`: an error status (default 502) with a long `text/plain` body in which the
  Authorization header straddles character 300 (where an error message used to be cut);
- `answer_echo_auth`: a normal completion whose content, tool-call arguments and usage object
  quote the Authorization header;
- `drip`: the answer (JSON or SSE) sent one byte every `interval` seconds (default 1);
- `redirect`: a `status` (default 307) redirect to `location` (default: this server's
  `/v1/moved/chat/completions`, which serves the answer);
- `huge`: an answer of `size` characters (default 2,000,000), JSON or SSE in 64 KB pieces;
- `no_usage`: a completion without a usage object (and a stream without the usage chunk);
- `ignores_stream`: a plain JSON completion even when a stream was asked for, as some servers do;
- `bad_chunk`: a stream one of whose events is not JSON.

A 429 with a huge `Retry-After` is an injected status: `provider.fail(429, retry_after="86400")`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fake_wire import REASONS, send_chunk

FaultMode = Literal[
    "reset_before",
    "reset_mid_body",
    "reset_mid_stream",
    "stream_cut",
    "truncated_json",
    "deep_json",
    "not_a_completion",
    "html",
    "html_echo",
    "error_echo_auth",
    "error_echo_auth_long",
    "answer_echo_auth",
    "drip",
    "redirect",
    "huge",
    "no_usage",
    "ignores_stream",
    "bad_chunk",
]
MOVED_PATH = "/v1/moved/chat/completions"
#: Where an error message used to be cut: the long echo puts the key across it.
OLD_MESSAGE_CUT = 300


@dataclass
class Fault:
    mode: FaultMode
    #: Only requests for this model get it (None: every chat request).
    model: str | None = None
    #: How many requests get it before it is used up (None: forever).
    times: int | None = 1
    #: `error_echo_auth*` and `redirect`: the status sent.
    status: int | None = None
    #: `drip`: seconds between two bytes.
    interval: float = 1.0
    #: `redirect`: the Location header.
    location: str | None = None
    #: `huge`: characters in the answer.
    size: int = 2_000_000
    #: `deep_json`: nesting levels.
    depth: int = 100_000
    #: Only every Nth matching request gets it (the others get their scripted reply).
    every: int = 1
    #: `reset_mid_stream` / `stream_cut`: content chunks sent before the break.
    chunks: int = 2


def completion(model: str, text: str, usage: Mapping[str, Any] | None, tool_calls: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    body: dict[str, Any] = {
        "id": f"chatcmpl-fault-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
    }
    if usage is not None:
        body["usage"] = dict(usage)
    return body


def chunk_event(model: str, delta: dict[str, Any] | None, finish: str | None = None, usage: Any = None) -> bytes:
    """One SSE event; `delta=None` is the final usage chunk (`choices: []`)."""
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    chunk = {
        "id": "chatcmpl-fault",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": usage,
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def sse_body(model: str, pieces: list[str], usage: Mapping[str, Any] | None, *, complete: bool = True) -> list[bytes]:
    """The events of a streamed answer; `complete=False` stops after the content pieces."""
    events = [chunk_event(model, {"role": "assistant", "content": ""})]
    events += [chunk_event(model, {"content": piece}) for piece in pieces]
    if complete:
        events.append(chunk_event(model, {}, "stop"))
        if usage is not None:
            events.append(chunk_event(model, None, usage=dict(usage)))
        events.append(b"data: [DONE]\n\n")
    return events


def head(status: int, content_type: str, *, length: int | None = None, extra: Mapping[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Content-Type: {content_type}"]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed proxy or a dropped NAT entry does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def echoed_request(method: str, path: str, headers: Mapping[str, str], body: Any) -> str:
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    return "\n".join(lines) + "\n\n" + (json.dumps(body) if not isinstance(body, str) else body)


async def send_fault(
    fault: Fault,
    writer: asyncio.StreamWriter,
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: dict[str, Any],
    usage: Mapping[str, Any],
) -> bool:
    """Answer with `fault`; returns whether the connection can serve another request."""
    model = str(body.get("model"))
    stream = bool(body.get("stream"))
    auth = headers.get("authorization", "")
    mode = fault.mode

    if mode == "reset_before":
        reset(writer)
        return False
    if mode == "reset_mid_body":
        payload = json.dumps(completion(model, "This answer is cut off in the middle.", usage)).encode()
        writer.write(head(200, "application/json", length=len(payload)) + payload[: len(payload) // 2])
        await writer.drain()
        reset(writer)
        return False
    if mode in ("reset_mid_stream", "stream_cut"):
        writer.write(head(200, "text/event-stream"))
        for event in sse_body(model, [f"part {i} " for i in range(fault.chunks)], usage, complete=False):
            await send_chunk(writer, event)
        if mode == "reset_mid_stream":
            reset(writer)
            return False
        writer.write(b"0\r\n\r\n")  # a clean end of the body: nothing tells the client it is cut
        await writer.drain()
        return True
    if mode == "truncated_json":
        payload = json.dumps(completion(model, "An answer whose JSON is cut.", usage)).encode()
        payload = payload[: len(payload) // 2]
        writer.write(head(200, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "deep_json":
        payload = b'{"choices": ' + b"[" * fault.depth + b"]" * fault.depth + b"}"
        writer.write(head(200, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "not_a_completion":
        payload = json.dumps({"object": "list", "data": [], "status": "ok"}).encode()
        writer.write(head(200, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode in ("html", "html_echo"):
        quoted = echoed_request(method, path, headers, body) if mode == "html_echo" else "Please sign in."
        page = f"<html><head><title>Proxy</title></head><body><h1>Access denied</h1><pre>{quoted}</pre></body></html>"
        payload = page.encode()
        writer.write(head(200, "text/html; charset=utf-8", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "error_echo_auth":
        status = fault.status or 400
        message = f"Malformed header 'Authorization: {auth}': expected a project key."
        payload = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
        writer.write(head(status, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "error_echo_auth_long":
        status = fault.status or 502
        lead = "upstream connect error or disconnect/reset before headers. request was: "
        header = " Authorization: Bearer "
        # The key starts 20 characters before the cut, so a key of more than 20 straddles it.
        filler = "x" * max(0, OLD_MESSAGE_CUT - 20 - len(lead) - len(header))
        text = f"{lead}{filler}{header}{auth.removeprefix('Bearer ')} " + "trailing diagnostic " * 20
        payload = text.encode()
        writer.write(head(status, "text/plain", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "answer_echo_auth":
        echoed_usage = {**usage, "debug": {"authorization": auth}}
        call = {"id": "call_1", "type": "function", "function": {"name": "echo", "arguments": json.dumps({"h": auth})}}
        if stream:
            writer.write(head(200, "text/event-stream"))
            events = [chunk_event(model, {"role": "assistant", "content": f"You sent {auth}. "})]
            events.append(chunk_event(model, {"tool_calls": [{"index": 0, **call}]}))
            events += [chunk_event(model, {}, "tool_calls"), chunk_event(model, None, usage=echoed_usage)]
            for event in [*events, b"data: [DONE]\n\n"]:
                await send_chunk(writer, event)
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        payload = json.dumps(completion(model, f"You sent {auth}.", echoed_usage, [call])).encode()
        writer.write(head(200, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "drip":
        if stream:
            payload = b"".join(sse_body(model, ["Slowly ", "dripping."], usage))
            writer.write(head(200, "text/event-stream", length=len(payload)))
        else:
            payload = json.dumps(completion(model, "Slowly dripping.", usage)).encode()
            writer.write(head(200, "application/json", length=len(payload)))
        for index in range(len(payload)):
            writer.write(payload[index : index + 1])
            await writer.drain()
            await asyncio.sleep(fault.interval)
        return True
    if mode == "redirect":
        location = fault.location or MOVED_PATH
        writer.write(head(fault.status or 307, "text/plain", length=0, extra={"Location": location}))
        await writer.drain()
        return True
    if mode in ("huge", "no_usage"):
        text = ("All work and no play makes a long answer. " * (fault.size // 42 + 1))[: fault.size]
        if mode == "no_usage":
            text = "An answer without usage."
        sent_usage = None if mode == "no_usage" else usage
        if stream:
            writer.write(head(200, "text/event-stream"))
            pieces = [text[i : i + 65536] for i in range(0, len(text), 65536)]
            for event in sse_body(model, pieces, sent_usage):
                await send_chunk(writer, event)
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        payload = json.dumps(completion(model, text, sent_usage)).encode()
        writer.write(head(200, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "ignores_stream":
        payload = json.dumps(completion(model, "A whole answer.", usage)).encode()
        writer.write(head(200, "application/json", length=len(payload)) + payload)
        await writer.drain()
        return True
    if mode == "bad_chunk":
        writer.write(head(200, "text/event-stream"))
        events = sse_body(model, ["fine "], usage, complete=False)
        for event in [*events, b'data: {"choices": [{"delta": {"content": "cut\n\n']:
            await send_chunk(writer, event)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
    raise ValueError(f"unknown fault mode {mode!r}")
