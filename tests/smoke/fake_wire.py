"""The HTTP/1.1 and SSE wire format of the fake provider (tests/smoke/server.py): status lines,
JSON bodies, OpenAI- and vMira-style error bodies, and chat-completion chunks as OpenAI streams them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any, Literal

ErrorStyle = Literal["openai", "vmira"]

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    429: "requests",
    500: "server_error",
}


def error_body(
    status: int, message: str, style: ErrorStyle, code: str | None = None, *, param: str | None = None
) -> dict[str, Any]:
    if style == "vmira":
        return {"detail": message}
    return {"error": {"message": message, "type": ERROR_TYPES.get(status, "api_error"), "param": param, "code": code}}


async def send_json(writer: asyncio.StreamWriter, status: int, body: Any, headers: Mapping[str, str]) -> None:
    payload = json.dumps(body).encode()
    head = [
        f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
    await writer.drain()


async def send_stream(
    writer: asyncio.StreamWriter,
    completion_id: str,
    model: str,
    text: str,
    tool_calls: list[dict[str, Any]] | None,
    finish: str,
    usage: dict[str, Any] | None,
    chunk_delay: float = 0.0,
    fingerprint: str | None = None,
) -> None:
    """SSE over chunked transfer encoding; `usage` (when given) goes in a final `choices: []` chunk."""
    head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    writer.write(head.encode())
    created = int(time.time())

    async def event(choices: list[dict[str, Any]], chunk_usage: dict[str, Any] | None = None) -> None:
        chunk = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": choices,
            "usage": chunk_usage,
        }
        if fingerprint is not None:
            chunk["system_fingerprint"] = fingerprint
        await send_chunk(writer, f"data: {json.dumps(chunk)}\n\n".encode())

    # Like OpenAI: a role-only first delta, then content pieces, then finish_reason.
    await event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
    for piece in pieces(text):
        if chunk_delay:
            await asyncio.sleep(chunk_delay)
        await event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
    if tool_calls:
        deltas = [{"index": i, **call} for i, call in enumerate(tool_calls)]
        await event([{"index": 0, "delta": {"tool_calls": deltas}, "finish_reason": None}])
    await event([{"index": 0, "delta": {}, "finish_reason": finish}])
    if usage is not None:
        await event([], usage)
    await send_chunk(writer, b"data: [DONE]\n\n")
    writer.write(b"0\r\n\r\n")
    await writer.drain()


def pieces(text: str) -> list[str]:
    """Split after each space, so the pieces join back to exactly `text`."""
    pieces, start = [], 0
    for index, char in enumerate(text):
        if char == " ":
            pieces.append(text[start : index + 1])
            start = index + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


async def send_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()
