"""An OpenAI-compatible HTTP server on 127.0.0.1 for the smoke tests and benchmarks.

The real `openai` SDK talks to it over real HTTP (openai 3.x sends through httpx2, so patching
httpx would not see its calls). It serves:

- `POST /v1/chat/completions`: JSON, or SSE when `stream` is set (`data: {...}` chunks, a final
  usage chunk with `choices: []` when `stream_options.include_usage` is set, then `data: [DONE]`);
- `GET /v1/models`.

Replies are scripted per model (`Reply`, a plain string, or a callable taking the request body).
Failures are injected with `fail(...)`: any status (401/403/404/429/500...), with an OpenAI-style
`{"error": {...}}` or a vMira-style `{"detail": "..."}` body, `Retry-After` headers, a delay, for one
model or all, for the next N requests or forever. Broken answers (connection resets, cut streams,
malformed or hostile bodies, slow drips, redirects, huge answers: see faults.py) are injected with
`inject(mode, ...)` the same way. Every request is logged (method, path, headers, JSON body) for
tests to assert on, and every scripted answer sent in full is counted in `answered` (what a
provider would bill). The `Authorization: Bearer` header is checked against `api_key`;
a wrong key gets a 401 whose message echoes the key it received, as some providers do, so tests can
prove that the tool redacts it.

asyncio, not http.server: the benchmarks need thousands of requests per second and a hundred
concurrent slow responses. Run it in a thread (`FakeProvider().start()`) or, so that it does not
share a GIL with the code under test, as a process: `python tests/smoke/server.py --delay 0.1`
prints the port on its first line and serves until stdin closes (`--log FILE` appends a JSON line
per answer sent in full, `--fault MODE --fault-every N` breaks every Nth answer).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).parent))  # run as a script by the benchmarks

from fake_wire import ErrorStyle, error_body, send_json, send_stream
from faults import MOVED_PATH, Fault, FaultMode, send_fault


@dataclass
class Reply:
    """What the server answers for a model."""

    text: str | None = "ok"
    #: The usage object sent as is (extra keys like vMira's `thinking_tokens` included);
    #: None derives one from word counts.
    usage: dict[str, Any] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    #: Defaults to "tool_calls" when there are tool calls, else "stop".
    finish_reason: str | None = None
    #: Seconds before the response (streaming: before the first chunk).
    delay: float = 0.0
    #: Streaming only: seconds between content chunks.
    chunk_delay: float = 0.0
    #: Streaming only: False never sends the usage chunk, even when the request asks for it.
    stream_usage: bool = True
    #: Sent as `system_fingerprint` (None: left out).
    system_fingerprint: str | None = "fp_fake"


ReplySpec = Reply | str | Callable[[dict[str, Any]], Reply | str]


@dataclass
class Failure:
    """An injected error response."""

    status: int
    message: str = "injected failure"
    style: ErrorStyle = "openai"
    #: Only requests for this model fail (None: every chat request).
    model: str | None = None
    #: How many requests fail before the failure is used up (None: forever).
    times: int | None = 1
    retry_after: str | None = None
    retry_after_ms: str | None = None
    delay: float = 0.0
    #: OpenAI-style error `type`/`code` (e.g. "rate_limit_exceeded").
    code: str | None = None


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    #: Lower-cased header names.
    headers: Mapping[str, str]
    body: Any
    received_at: float

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def retry_count(self) -> int:
        """The SDK numbers its attempts in `x-stainless-retry-count` (0 for the first)."""
        return int(self.headers.get("x-stainless-retry-count", "0"))


@dataclass
class _Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeProvider:
    """One OpenAI-compatible provider. Configure before or while it runs; read `requests` after."""

    def __init__(
        self,
        *,
        api_key: str = "sk-test-fake-provider-key-0000000000",
        replies: Mapping[str, ReplySpec] | None = None,
        default: ReplySpec | None = None,
        auth_style: ErrorStyle = "openai",
        reject_params: tuple[str, ...] = (),
        delay: float = 0.0,
        log_requests: bool = True,
        serve_models: bool = True,
        usage_counter: Callable[[dict[str, Any], Reply], dict[str, Any]] | None = None,
    ) -> None:
        self.api_key = api_key
        self.replies: dict[str, ReplySpec] = dict(replies or {})
        #: Reply for a model not in `replies`; None answers 404 "model not found".
        self.default = default
        self.auth_style = auth_style
        #: Request keys answered with 400 "unrecognized argument", like a provider that rejects them.
        self.reject_params = set(reject_params)
        #: Seconds added before every chat response.
        self.delay = delay
        self.log_requests = log_requests
        #: False answers GET /v1/models with 404, like providers that only serve chat.
        self.serve_models = serve_models
        #: Counts the usage of replies without a scripted one (default: word counts), so tests can
        #: stand up providers whose tokenizers count differently.
        self.usage_counter = usage_counter or _default_usage
        #: Sent as the 200 body of GET /v1/models instead of the model list (a page that is not one).
        self.models_body: Any = None
        self.failures: list[Failure] = []
        self.faults: list[Fault] = []
        #: Chat requests whose scripted answer was sent in full.
        self.answered = 0
        #: Called with each such request's body (the process mode logs them for the chaos benchmark).
        self.on_answered: Callable[[dict[str, Any]], None] | None = None
        self._log: list[LoggedRequest] = []
        self._fault_counts: dict[int, int] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0
        #: Requests being answered right now, and the most at any moment (the client's concurrency).
        self.in_flight = 0
        self.max_in_flight = 0
        #: Hold each chat answer until this many requests are in flight (at most `hold_limit` s),
        #: so a test can see a client's concurrency without depending on timing.
        self.hold_until_in_flight: int | None = None
        self.hold_limit = 5.0

    # --- configuration and inspection (any thread) ---------------------------------------------

    def fail(self, status: int, **options: Any) -> Failure:
        failure = Failure(status, **options)
        with self._lock:
            self.failures.append(failure)
        return failure

    def inject(self, mode: FaultMode, **options: Any) -> Fault:
        """Arm a broken answer (see faults.py) for the next matching chat request(s)."""
        fault = Fault(mode, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def chat_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path in CHAT_PATHS]

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        """Serve from a daemon thread with its own event loop; returns once the port is bound."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-provider", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.aclose(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def serve(self, port: int = 0) -> None:
        """Bind 127.0.0.1:`port` in the running loop (the thread's, or a process's main loop)."""
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    # --- HTTP ----------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # the client went away (a cancelled run): nothing to answer
        except asyncio.CancelledError:
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # keep-alive connection closed between requests
        request_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        raw = await reader.readexactly(length) if length else b""
        path = target.split("?", 1)[0]
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        if self.log_requests:
            with self._lock:
                self._log.append(LoggedRequest(method, path, headers, body, time.monotonic()))

        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            fault = self._take_fault(body) if method == "POST" and path in CHAT_PATHS else None
            if fault is not None:
                # In front of the provider, like a proxy: no key check, the fault is the answer.
                request = body if isinstance(body, dict) else {}
                usage = _default_usage(request, Reply("a broken answer"))
                return await send_fault(
                    fault, writer, method=method, path=path, headers=headers, body=request, usage=usage
                )
            response = self._route(method, path, headers, body)
            if response is None:  # a chat completion: scripted reply
                assert isinstance(body, dict)  # _route answers any other body with a 400
                await self._chat(writer, body)
            else:
                if response.delay:
                    await asyncio.sleep(response.delay)
                await send_json(writer, response.status, response.body, response.headers)
        finally:
            self.in_flight -= 1
        return headers.get("connection", "").lower() != "close"

    def _route(self, method: str, path: str, headers: Mapping[str, str], body: Any) -> _Response | None:
        presented = headers.get("authorization", "")
        if presented != f"Bearer {self.api_key}":
            received = presented.removeprefix("Bearer ").strip() or "(none)"
            # Echo the key, as some providers do: the tool must redact what it prints.
            return _error(401, f"Incorrect API key provided: {received}.", self.auth_style, "invalid_api_key")
        if method == "GET" and path == "/v1/models" and self.models_body is not None:
            return _Response(200, self.models_body)
        if method == "GET" and path == "/v1/models" and self.serve_models:
            models = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.replies]
            return _Response(200, {"object": "list", "data": models})
        if method != "POST" or path not in CHAT_PATHS:
            return _error(404, f"no route for {method} {path}", "openai")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            return _error(400, "the request body must be a JSON object with a model", "openai")
        failure = self._take_failure(body["model"])
        if failure is not None:
            return _failure_response(failure)
        for key in body:
            if key in self.reject_params:
                return _error(400, f"Unrecognized request argument supplied: {key}", "openai", param=key)
        if self._reply_spec(body["model"]) is None:
            message = f"The model `{body['model']}` does not exist or you do not have access to it."
            return _error(404, message, "openai", "model_not_found")
        return None

    def _take_failure(self, model: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.times == 0 or failure.model not in (None, model):
                    continue
                if failure.times is not None:
                    failure.times -= 1
                return failure
        return None

    def _take_fault(self, body: Any) -> Fault | None:
        model = body.get("model") if isinstance(body, dict) else None
        with self._lock:
            for fault in self.faults:
                if fault.times == 0 or fault.model not in (None, model):
                    continue
                seen = self._fault_counts[id(fault)] = self._fault_counts.get(id(fault), 0) + 1
                if seen % fault.every:
                    return None
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _reply_spec(self, model: str) -> ReplySpec | None:
        return self.replies.get(model, self.default)

    def _reply(self, body: dict[str, Any]) -> Reply:
        spec = self._reply_spec(body["model"])
        if callable(spec):
            spec = spec(body)
        assert spec is not None  # _route answers a model without a reply with a 404
        return Reply(text=spec) if isinstance(spec, str) else spec

    async def _chat(self, writer: asyncio.StreamWriter, body: dict[str, Any]) -> None:
        reply = self._reply(body)
        if self.hold_until_in_flight is not None:
            deadline = time.monotonic() + self.hold_limit
            while self.in_flight < self.hold_until_in_flight and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
        if self.delay or reply.delay:
            await asyncio.sleep(self.delay + reply.delay)
        completion_id = f"chatcmpl-{next(self._ids)}"
        usage = reply.usage if reply.usage is not None else self.usage_counter(body, reply)
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        if body.get("stream"):
            wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            await send_stream(
                writer,
                completion_id,
                body["model"],
                reply.text or "",
                reply.tool_calls,
                finish,
                usage if wants_usage and reply.stream_usage else None,
                reply.chunk_delay,
                reply.system_fingerprint,
            )
            self._answered(body)
            return
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if reply.tool_calls:
            message["tool_calls"] = reply.tool_calls
        completion = {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": usage,
        }
        if reply.system_fingerprint is not None:
            completion["system_fingerprint"] = reply.system_fingerprint
        await send_json(writer, 200, completion, {})
        self._answered(body)

    def _answered(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.answered += 1
        if self.on_answered is not None:
            self.on_answered(body)


CHAT_PATHS = ("/v1/chat/completions", MOVED_PATH)


def _default_usage(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    """Word counts stand in for a tokenizer: deterministic, and different from tiktoken's."""
    messages = body.get("messages") or []
    prompt = 3 + sum(4 + len(str(m.get("content") or "").split()) for m in messages if isinstance(m, dict))
    completion = len((reply.text or "").split()) + 10 * len(reply.tool_calls or [])
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _error(
    status: int, message: str, style: ErrorStyle, code: str | None = None, *, param: str | None = None
) -> _Response:
    return _Response(status, error_body(status, message, style, code, param=param))


def _failure_response(failure: Failure) -> _Response:
    response = _error(failure.status, failure.message, failure.style, failure.code)
    if failure.retry_after is not None:
        response.headers["Retry-After"] = failure.retry_after
    if failure.retry_after_ms is not None:
        response.headers["retry-after-ms"] = failure.retry_after_ms
    response.delay = failure.delay
    return response


# --- as a process (benchmarks) --------------------------------------------------------------------


async def _serve_forever(args: argparse.Namespace) -> None:
    provider = FakeProvider(api_key=args.key, default=Reply(text=args.text), delay=args.delay, log_requests=False)
    if args.fault:
        provider.inject(args.fault, times=None, every=args.fault_every)
    if args.log:
        log = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 - open while the server runs

        def record(body: dict[str, Any]) -> None:
            messages = body.get("messages") or [{}]
            line = {"t": time.time(), "model": body.get("model"), "content": messages[-1].get("content")}
            log.write(json.dumps(line) + "\n")
            log.flush()

        provider.on_answered = record
    await provider.serve(args.port)
    print(provider.port, flush=True)
    loop = asyncio.get_running_loop()
    # Serve until the parent closes our stdin (it exited or is done with us).
    await loop.run_in_executor(None, sys.stdin.read)
    await provider.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake OpenAI-compatible API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default="sk-test-fake-provider-key-0000000000")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each chat response")
    parser.add_argument("--text", default="The quick brown fox jumps over the lazy dog.")
    parser.add_argument("--log", help="append one JSON line per answer sent in full (time, model, last message)")
    parser.add_argument("--fault", help="a fault mode of faults.py for every --fault-every'th chat request")
    parser.add_argument("--fault-every", type=int, default=1)
    asyncio.run(_serve_forever(parser.parse_args()))


if __name__ == "__main__":
    main()
