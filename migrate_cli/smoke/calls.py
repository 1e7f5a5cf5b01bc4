"""One chat-completions call on one side, turned into a `SideResult`; the one place clients are built.

The real `openai` SDK makes the call, so retries are the SDK's: with `max_retries=N` it retries
connection errors, timeouts, 408/409/429 and 5xx up to N times, waiting what `retry-after-ms` or
`Retry-After` asks (when 0 < wait <= 120 s), else 0.5 s doubling up to 8 s with jitter. A
`Retry-After` above 120 s (a daily quota) means no retry at all, and the error is recorded. It never
retries 400/401/403/404. A streamed answer that breaks off after it started is retried here, on the
same schedule (the SDK has returned by then). Every failure becomes a `CallError` of records.py's
`ErrorKind` with the provider's own message, redacted of key values.

The SDK's raw responses are used, and the body is read by answers.py, not parsed by the SDK: an
answer that is not a chat completion (cut JSON, an HTML page, JSON too deep to read) is then this
case's `bad_response`, not an exception that ends the run. `--timeout` bounds each attempt's
whole answer (deadline.py), not each read.

Imports the SDK lazily: this module is loaded by `migrate --help` through the command.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migrate_cli.errors import UsageError
from migrate_cli.smoke.answers import Answer, MalformedAnswer, StreamAnswer, one_line, parse_completion, sse_data
from migrate_cli.smoke.records import CallError, Case, Endpoint, ErrorKind, SideResult, Usage

if TYPE_CHECKING:
    from openai import AsyncOpenAI

#: The note on an answer whose stream_options were refused and retried without.
STREAM_OPTIONS_NOTE = "stream_options rejected; sent again without it, so this stream carries no usage"
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
    #: Seconds one attempt may take to deliver the whole answer, streamed or not.
    timeout: float = 60.0
    #: Retries on 429/5xx/timeouts/connection errors (by the SDK) and on broken-off streams.
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

    from migrate_cli.smoke.deadline import DeadlineHttpClient
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
        http_client=DeadlineHttpClient(settings.timeout, timeout=settings.timeout),
    )


async def preflight(client: AsyncOpenAI, endpoint: Endpoint, secrets: Sequence[str] = ()) -> CallError | None:
    """`GET /models` (free) before any paid call: a rejected key or a dead host stops the run here.

    Only a 401 and a connection failure count: a provider without /models (404), or a key allowed
    to chat but not to list models (403), is left for the chat calls to judge, and so is a 200 that
    is not a model list (its body is not read: a web page there must not end the run). As a side
    effect the SDK finishes its lazy set-up (imports, platform probe, first connection) here, so
    that time is not counted in the first cases' latency.
    """
    try:
        return (await list_models(client, secrets, read_ids=False)).fatal
    finally:
        # After the probe is out: the chat resources are imported now, not in the first timed call.
        client.chat.completions  # noqa: B018 - the access itself is the point: it imports the resource


@dataclass(frozen=True)
class ModelListing:
    """What `GET /models` said: the ids, or why there are none (`fatal` stops a run)."""

    ids: tuple[str, ...] | None = None
    #: A rejected key or an unreachable host.
    fatal: CallError | None = None
    #: Any other failure (no /models route, a key not allowed to list models, a timeout).
    error: CallError | None = None


async def list_models(client: AsyncOpenAI, secrets: Sequence[str] = (), *, read_ids: bool = True) -> ModelListing:
    """`GET /models`, as `preflight` judges it: only a 401 or a connection failure is fatal.

    With `read_ids`, the ids of an OpenAI-style list; any other 200 (a web page) is an `error`.
    """
    import openai

    try:
        raw = await client.models.with_raw_response.list()
    except openai.APITimeoutError as exc:
        return ModelListing(error=classify(exc, secrets))
    except (openai.AuthenticationError, openai.APIConnectionError) as exc:
        return ModelListing(fatal=classify(exc, secrets))
    except openai.APIError as exc:
        return ModelListing(error=classify(exc, secrets))
    if not read_ids:
        return ModelListing()
    ids = _model_ids(raw.http_response.content)
    if ids is None:
        return ModelListing(error=CallError("other", "the answer to GET /models is not a model list"))
    return ModelListing(ids=ids)


def _model_ids(body: bytes) -> tuple[str, ...] | None:
    """The ids in an OpenAI-style `{"data": [{"id": ...}]}`; None for any other body (a web page)."""
    try:
        data = json.loads(body).get("data")
    except (ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(data, list):
        return None
    return tuple(str(model["id"]) for model in data if isinstance(model, dict) and model.get("id"))


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
    max_retries: int | None = None,
) -> SideResult:
    """Send `request` and describe what came back; never raises for a provider's failure.

    A streamed request whose `stream_options` the provider rejects is sent once more without it,
    with a note on the result: the answer is still measured, only the stream's usage is missing.
    """
    result = await _call(client, endpoint, request, secrets=secrets, max_retries=max_retries)
    rejected = result.error
    if request.get("stream_options") is not None and rejected is not None and rejects_stream_options(rejected):
        retry = {key: value for key, value in request.items() if key != "stream_options"}
        result = await _call(client, endpoint, retry, secrets=secrets, max_retries=max_retries)
        note = f"{STREAM_OPTIONS_NOTE} (HTTP {rejected.status}: {rejected.message})"
        return replace(result, notes=(*result.notes, note))
    return result


async def _call(
    client: AsyncOpenAI,
    endpoint: Endpoint,
    request: Mapping[str, Any],
    *,
    secrets: Sequence[str] = (),
    max_retries: int | None = None,
) -> SideResult:
    """One request, answered or failed. A streamed answer that breaks off (the stream ends before a
    finish_reason, the connection drops, or the deadline passes while it is read) is sent again, up
    to `max_retries` times, like a dropped connection: the SDK retries only what fails before the
    body starts.
    `max_retries` defaults to the client's.
    """
    retries = client.max_retries if max_retries is None else max_retries
    model = request["model"]
    started = time.perf_counter()
    attempt = 0
    while True:
        if request.get("stream"):
            answer, ttft, error, broke_off = await _streamed(client, request, secrets, started)
        else:
            (answer, ttft, error), broke_off = await _whole(client, request, secrets), False
        if not broke_off or attempt >= retries:
            break
        await asyncio.sleep(_backoff(attempt))
        attempt += 1
    latency = time.perf_counter() - started
    if error is not None:
        return SideResult(endpoint.side, model, dict(request), latency_s=latency, error=error)
    assert answer is not None
    return SideResult(
        side=endpoint.side,
        model=model,
        request=dict(request),
        output=answer.output,
        tool_calls=answer.tool_calls,
        finish_reason=answer.finish_reason,
        usage=Usage.from_raw(answer.usage),
        latency_s=latency,
        ttft_s=ttft,
        stream_usage_missing=bool(request.get("stream")) and answer.usage is None,
        system_fingerprint=answer.system_fingerprint,
    )


Attempt = tuple[Answer | None, float | None, CallError | None]


def _body_params(request: Mapping[str, Any]) -> dict[str, Any]:
    # Everything but the fields the SDK must see goes in extra_body, so a parameter the SDK does
    # not know (a provider extension) is sent as written instead of raising TypeError.
    return {k: v for k, v in request.items() if k not in ("model", "messages", "stream", "stream_options")}


async def _whole(client: AsyncOpenAI, request: Mapping[str, Any], secrets: Sequence[str]) -> Attempt:
    """One non-streamed call (the SDK's retries included). The body is read here, not by the SDK,
    so an answer that is not a chat completion fails this case only."""
    import openai

    try:
        raw = await client.chat.completions.with_raw_response.create(
            model=request["model"], messages=request["messages"], extra_body=_body_params(request)
        )
    except openai.APIError as exc:
        return None, None, classify(exc, secrets)
    response = raw.http_response
    try:
        return parse_completion(response.content, response.headers.get("content-type", ""), secrets), None, None
    except MalformedAnswer as exc:
        return None, None, CallError("bad_response", one_line(str(exc), secrets))


async def _streamed(
    client: AsyncOpenAI, request: Mapping[str, Any], secrets: Sequence[str], started: float
) -> tuple[Answer | None, float | None, CallError | None, bool]:
    """One streamed call, its events read here, and whether it broke off after the body started
    (what calls for another attempt: the SDK retried what failed before). TTFT is the first delta
    with content or a tool call (role-only, empty and reasoning deltas do not count: the answer
    has not started)."""
    import openai

    from migrate_cli.smoke.deadline import TIMEOUT_ERRORS, TRANSPORT_ERRORS

    assembled = StreamAnswer()
    ttft: float | None = None
    try:
        async with client.chat.completions.with_streaming_response.create(
            model=request["model"],
            messages=request["messages"],
            stream=True,
            # Left out (not null) when a provider refused it: openai.omit sends no key.
            stream_options=request.get("stream_options", openai.omit),
            extra_body=_body_params(request),
        ) as raw:
            response = raw.http_response
            content_type = response.headers.get("content-type", "")
            if not content_type.startswith("text/event-stream"):
                # Not a stream: a server that ignores `stream` (its answer is then read whole,
                # without a TTFT), or a page that is not an answer at all (bad_response).
                return parse_completion(await response.aread(), content_type, secrets), None, None, False
            async for data in sse_data(response.aiter_lines()):
                if assembled.add(data) and ttft is None:
                    ttft = time.perf_counter() - started
                if assembled.done:
                    break
    except openai.APIError as exc:
        return None, None, classify(exc, secrets), False
    except MalformedAnswer as exc:
        return None, None, CallError("bad_response", one_line(str(exc), secrets)), False
    except TIMEOUT_ERRORS:
        message = "the answer did not arrive in full within the timeout (--timeout)"
        return None, None, CallError("timeout", message), True
    except TRANSPORT_ERRORS as exc:
        detail = one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, secrets, 120)
        message = f"the stream broke off after {assembled.chunks} chunk(s) ({detail})"
        return None, None, CallError("stream_cut", message), True
    if not assembled.complete:
        how = "ended ([DONE])" if assembled.done else "ended"
        message = (
            f"the stream {how} after {assembled.chunks} chunk(s) without a finish_reason: the answer is incomplete"
        )
        return None, None, CallError("stream_cut", message), True
    return assembled.answer(secrets), ttft, None, False


def _backoff(attempt: int) -> float:
    """The SDK's schedule: 0.5 s doubling up to 8 s, less up to 25 % jitter."""
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())


def classify(exc: Exception, secrets: Sequence[str] = ()) -> CallError:
    """An SDK exception as a `CallError` with the provider's own words, key values redacted."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return CallError("timeout", "no complete answer within the timeout (--timeout), after retries")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        detail = f" ({type(cause).__name__}: {cause})" if cause is not None and str(cause) else ""
        return CallError("connection", one_line(f"cannot connect{detail}", secrets))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        kind = _STATUS_KINDS.get(status, "server" if status >= 500 else "other")
        return CallError(kind, one_line(_provider_message(exc), secrets), status)
    return CallError("other", one_line(str(getattr(exc, "message", exc)), secrets))


def _provider_message(exc: Any) -> str:
    """OpenAI style `{"error": {"message"}}` (the SDK hands over the inner dict), vMira style
    `{"detail": "..."}` (or FastAPI's list of details), or whatever text the body had. Whole:
    `one_line` redacts it before cutting it short."""
    body = exc.body
    if isinstance(body, Mapping):
        for key in ("message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
            if value:
                return json.dumps(value, ensure_ascii=False)
    if isinstance(body, str) and body.strip():
        return body
    return str(exc.message)
