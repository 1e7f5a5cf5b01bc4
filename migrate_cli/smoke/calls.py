"""One chat-completions call on one side, turned into a `SideResult`; the one place clients are built.

The real `openai` SDK makes the call, so retries are the SDK's: with `max_retries=N` it retries
connection errors, timeouts, 408/409/429 and 5xx up to N times, waiting what `retry-after-ms` or
`Retry-After` asks (when 0 < wait <= 120 s), else 0.5 s doubling up to 8 s with jitter. A
`Retry-After` above 120 s (a daily quota) means no retry at all, and the error is recorded. It never
retries 400/401/403/404. Every failure becomes a `CallError` of records.py's `ErrorKind` with the
provider's own message, redacted of key values.

Imports the SDK lazily: this module is loaded by `migrate --help` through the command.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migrate_cli.errors import UsageError
from migrate_cli.redact import redact
from migrate_cli.smoke.records import CallError, Case, Endpoint, ErrorKind, SideResult, Usage

if TYPE_CHECKING:
    from openai import AsyncOpenAI

#: The note on an answer whose stream_options were refused and retried without.
STREAM_OPTIONS_NOTE = "stream_options rejected; sent again without it, so this stream carries no usage"
#: Longest provider message kept on an error (a 502 can carry a whole HTML page).
MAX_ERROR_MESSAGE = 300
_STATUS_KINDS: dict[int, ErrorKind] = {
    400: "bad_request",
    401: "auth",
    403: "auth",
    404: "unknown_model",
    422: "bad_request",
    429: "rate_limit",
}


@dataclass(frozen=True)
class CallSettings:
    #: Seconds per request (streaming: between two chunks); the SDK's timeout.
    timeout: float = 60.0
    #: Retries on 429/5xx/timeouts/connection errors, done by the SDK.
    max_retries: int = 2
    stream: bool = False


def require_keys(endpoints: Sequence[Endpoint]) -> None:
    """Refuse to start when a side's key env var is unset, naming the variable (never a value)."""
    for endpoint in endpoints:
        if not os.environ.get(endpoint.api_key_env):
            raise UsageError(
                f"${endpoint.api_key_env} is not set: the {endpoint.side} ({endpoint.base_url}) "
                "needs its API key there",
                hint=f"export {endpoint.api_key_env}=... or choose another variable with "
                + ("--baseline-api-key-env" if endpoint.side == "baseline" else "--api-key-env"),
            )


def open_client(endpoint: Endpoint, settings: CallSettings) -> AsyncOpenAI:
    """The SDK client for one side. The key is read from the env var here and nowhere else."""
    import openai

    from migrate_cli.smoke.pricing import is_openai_api

    headers: dict[str, Any] = {}
    if not is_openai_api(endpoint.base_url):
        # The SDK adds OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to every request;
        # they identify the user's OpenAI account and are not another provider's business.
        headers = {"OpenAI-Organization": openai.Omit(), "OpenAI-Project": openai.Omit()}
    return openai.AsyncOpenAI(
        base_url=endpoint.base_url,
        api_key=os.environ[endpoint.api_key_env],
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        default_headers=headers,
    )


async def preflight(client: AsyncOpenAI, endpoint: Endpoint, secrets: Sequence[str] = ()) -> CallError | None:
    """`GET /models` (free) before any paid call: a rejected key or a dead host stops the run here.

    Only a 401 and a connection failure count: a provider without /models (404), or a key allowed
    to chat but not to list models (403), is left for the chat calls to judge. As a side effect the
    SDK finishes its lazy set-up (imports, platform probe, first connection) here, so that time is
    not counted in the first cases' latency.
    """
    import openai

    try:
        await client.models.list()
    except openai.APITimeoutError:
        return None
    except (openai.AuthenticationError, openai.APIConnectionError) as exc:
        return classify(exc, secrets)
    except openai.APIError:
        return None
    finally:
        # After the probe is out: the chat resources are imported now, not in the first timed call.
        client.chat.completions  # noqa: B018
    return None


def build_request(case: Case, model: str, *, stream: bool, stream_options: bool = True) -> dict[str, Any]:
    """The canonical request body: the case's messages and parameters, with this side's model.

    `stream_options=False` leaves `stream_options` out, for a provider that rejected it."""
    request: dict[str, Any] = {"model": model, "messages": list(case.messages), **case.params}
    if stream:
        request["stream"] = True
        if stream_options:
            request["stream_options"] = {"include_usage": True}
    return request


def rejects_stream_options(error: CallError | None) -> bool:
    """A 400/422 that names `stream_options` (Azure-style endpoints refuse the parameter)."""
    if error is None or error.kind != "bad_request":
        return False
    message = error.message.lower()
    return "stream_options" in message or "include_usage" in message


async def call_side(
    client: AsyncOpenAI,
    endpoint: Endpoint,
    request: Mapping[str, Any],
    *,
    secrets: Sequence[str] = (),
) -> SideResult:
    """Send `request` and describe what came back; never raises for a provider's failure.

    A streamed request whose `stream_options` the provider rejects is sent once more without it,
    with a note on the result: the answer is still measured, only the stream's usage is missing.
    """
    result = await _call_once(client, endpoint, request, secrets=secrets)
    rejected = result.error
    if request.get("stream_options") is not None and rejected is not None and rejects_stream_options(rejected):
        retry = {key: value for key, value in request.items() if key != "stream_options"}
        result = await _call_once(client, endpoint, retry, secrets=secrets)
        note = f"{STREAM_OPTIONS_NOTE} (HTTP {rejected.status}: {rejected.message})"
        return replace(result, notes=(*result.notes, note))
    return result


async def _call_once(
    client: AsyncOpenAI,
    endpoint: Endpoint,
    request: Mapping[str, Any],
    *,
    secrets: Sequence[str] = (),
) -> SideResult:
    import openai

    model = request["model"]
    # Everything but the fields the SDK must see goes in extra_body, so a parameter the SDK does
    # not know (a provider extension) is sent as written instead of raising TypeError.
    extra = {k: v for k, v in request.items() if k not in ("model", "messages", "stream", "stream_options")}
    started = time.perf_counter()
    try:
        if request.get("stream"):
            stream = await client.chat.completions.create(
                model=model,
                messages=request["messages"],
                stream=True,
                # Left out (not null) when a provider refused it: openai.omit sends no key.
                stream_options=request.get("stream_options", openai.omit),
                extra_body=extra,
            )
            return await _read_stream(stream, endpoint, request, started)
        completion = await client.chat.completions.create(model=model, messages=request["messages"], extra_body=extra)
        return _from_completion(completion, endpoint, request, started)
    except openai.APIError as exc:
        return SideResult(
            side=endpoint.side,
            model=model,
            request=dict(request),
            latency_s=time.perf_counter() - started,
            error=classify(exc, secrets),
        )


def _from_completion(completion: Any, endpoint: Endpoint, request: Mapping[str, Any], started: float) -> SideResult:
    latency = time.perf_counter() - started
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list):
        # A 200 that is not a chat completion: a proxy page, or a base URL pointing elsewhere.
        error = CallError("other", f"the answer is not a chat completion: {_one_line(str(completion))}")
        return SideResult(endpoint.side, request["model"], dict(request), latency_s=latency, error=error)
    choice = choices[0] if choices else None
    message = getattr(choice, "message", None)
    tool_calls = tuple(call.to_dict() for call in (getattr(message, "tool_calls", None) or ()))
    raw_usage = completion.usage.to_dict() if getattr(completion, "usage", None) is not None else None
    return SideResult(
        side=endpoint.side,
        model=request["model"],
        request=dict(request),
        output=getattr(message, "content", None),
        tool_calls=tool_calls,
        finish_reason=getattr(choice, "finish_reason", None),
        usage=Usage.from_raw(raw_usage),
        latency_s=latency,
        system_fingerprint=_fingerprint(completion),
    )


async def _read_stream(stream: Any, endpoint: Endpoint, request: Mapping[str, Any], started: float) -> SideResult:
    """Reassemble a streamed answer. TTFT is the first delta with content or a tool call.

    Role-only and empty deltas do not count (the answer has not started); reasoning deltas do not
    either, since the answer a user waits for has not started yet.
    """
    parts: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    ttft: float | None = None
    finish: str | None = None
    raw_usage: dict[str, Any] | None = None
    fingerprint: str | None = None
    async with stream:
        async for chunk in stream:
            fingerprint = _fingerprint(chunk) or fingerprint
            if chunk.usage is not None:
                raw_usage = chunk.usage.to_dict()
            for choice in chunk.choices or ():
                delta = choice.delta
                if delta is not None and (delta.content or delta.tool_calls):
                    if ttft is None:
                        ttft = time.perf_counter() - started
                    if delta.content:
                        parts.append(delta.content)
                    for piece in delta.tool_calls or ():
                        _merge_tool_call(calls, piece)
                if choice.finish_reason:
                    finish = choice.finish_reason
    return SideResult(
        side=endpoint.side,
        model=request["model"],
        request=dict(request),
        output="".join(parts) if parts or not calls else None,
        tool_calls=tuple(calls[index] for index in sorted(calls)),
        finish_reason=finish,
        usage=Usage.from_raw(raw_usage),
        latency_s=time.perf_counter() - started,
        ttft_s=ttft,
        stream_usage_missing=raw_usage is None,
        system_fingerprint=fingerprint,
    )


def _fingerprint(payload: Any) -> str | None:
    value = getattr(payload, "system_fingerprint", None)
    return value if isinstance(value, str) and value else None


def _merge_tool_call(calls: dict[int, dict[str, Any]], piece: Any) -> None:
    """Tool calls arrive in pieces keyed by index: id and name once, arguments in fragments."""
    entry = calls.setdefault(piece.index, {"id": None, "type": "function", "function": {"name": "", "arguments": ""}})
    if piece.id:
        entry["id"] = piece.id
    if piece.type:
        entry["type"] = piece.type
    function = piece.function
    if function is not None:
        entry["function"]["name"] += function.name or ""
        entry["function"]["arguments"] += function.arguments or ""


def classify(exc: Exception, secrets: Sequence[str] = ()) -> CallError:
    """An SDK exception as a `CallError` with the provider's own words, key values redacted."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return CallError("timeout", "no answer within the timeout (--timeout), after retries")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        detail = f" ({type(cause).__name__}: {cause})" if cause is not None and str(cause) else ""
        return CallError("connection", redact(_one_line(f"cannot connect{detail}"), secrets))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        kind = _STATUS_KINDS.get(status, "server" if status >= 500 else "other")
        return CallError(kind, redact(_provider_message(exc), secrets), status)
    # A stream that ended in an error event, or an answer the SDK could not read.
    return CallError("other", redact(_one_line(str(getattr(exc, "message", exc))), secrets))


def _provider_message(exc: Any) -> str:
    """OpenAI style `{"error": {"message"}}` (the SDK hands over the inner dict), vMira style
    `{"detail": "..."}` (or FastAPI's list of details), or whatever text the body had."""
    body = exc.body
    if isinstance(body, Mapping):
        for key in ("message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return _one_line(value)
            if value:
                return _one_line(json.dumps(value, ensure_ascii=False))
    if isinstance(body, str) and body.strip():
        return _one_line(body)
    return _one_line(exc.message)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_MESSAGE else text[: MAX_ERROR_MESSAGE - 1] + "…"
