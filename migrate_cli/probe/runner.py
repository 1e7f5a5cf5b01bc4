"""Send the probes with the real openai SDK and judge each feature. No rendering, no files.

Order, so a server that serves one request at a time (llama.cpp's) never sees a stream overlap
another request, which it answers by cutting the stream:

1. `GET /models` with smoke's check: a rejected key or an unreachable host stops here (exit 3);
2. the plain chat request (the gate), alone. If it is refused with a 400 it is sent once more with
   the other token-limit name (`max_tokens` <-> `max_completion_tokens`), and the name that worked
   is the one every later probe carries. If it fails, no other chat feature is probed: their
   failures would say nothing about the features themselves;
3. the features that do not stream, `concurrency` at a time, each feature's requests in turn;
4. the streaming features (the token limits among them), one at a time, after everything else.

Each feature has one deadline for all its requests: `timeout` seconds per request. Past it, the
feature is "unknown". Provider messages are redacted of key values in `classify`, the evidence as
a whole (answers are quoted in it) in `_Run.finding`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migrate_cli.features import FEATURES, FeatureName
from migrate_cli.probe.answers import error_evidence
from migrate_cli.probe.judge import judge
from migrate_cli.probe.records import Answer, Exchange, Finding, ModelsSeen, ProbeRun
from migrate_cli.probe.requests import ProbeRequest, ProbeSettings, feature_requests, gate_request, other_token_param
from migrate_cli.probe.stream_read import StreamAssembler
from migrate_cli.redact import redact
from migrate_cli.smoke.calls import CallSettings, classify, list_models, open_client
from migrate_cli.smoke.records import CallError, Endpoint
from migrate_cli.smoke.runner import Stop

if TYPE_CHECKING:
    from openai import AsyncOpenAI

DEFAULT_TIMEOUT = 60.0
DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class RunSettings:
    #: Seconds per request: the SDK's timeout, and a feature's deadline is this times its requests.
    timeout: float = DEFAULT_TIMEOUT
    concurrency: int = DEFAULT_CONCURRENCY
    #: The SDK's retries of 429/5xx/timeouts; one is enough to ride out a blip, not a quota.
    max_retries: int = 1


@dataclass
class _Run:
    client: AsyncOpenAI
    settings: ProbeSettings
    run: RunSettings
    secrets: Sequence[str]
    #: A 401 on any request, or a refusal of the plain chat request: the key cannot be used.
    auth: CallError | None = None

    async def send(self, request: ProbeRequest) -> Exchange:
        import openai

        try:
            answer = await _send(self.client, request)
        except openai.APIError as exc:
            error = classify(exc, self.secrets)
            if error.status == 401 and self.auth is None:
                self.auth = error
            return Exchange(request, error=error)
        except ValueError as exc:  # a 200 whose body the SDK could not read as the object it expects
            return Exchange(request, error=CallError("other", redact(f"an unreadable answer: {exc}", self.secrets)))
        return Exchange(request, answer=answer)

    async def send_all(self, requests: Sequence[ProbeRequest]) -> list[Exchange]:
        """In turn, under the feature's deadline (`timeout` per request); a refused request is sent
        again as its fallback, if it has one; after a failed feature request the rest are moot."""
        exchanges: list[Exchange] = []
        deadline = self.run.timeout * len(requests)
        sent = 0
        try:
            async with asyncio.timeout(deadline):
                for request in requests:
                    exchange = await self.send(request)
                    exchanges.append(exchange)
                    if exchange.error is not None and exchange.error.status in (400, 422) and request.fallback:
                        exchange = await self.send(request.fallback)
                        exchanges.append(exchange)
                    sent += 1
                    if exchange.error is not None and request.uses_feature:
                        break
        except TimeoutError:
            late = CallError(
                "timeout", f"no complete answer within {deadline:g} s (--timeout {self.run.timeout:g} per request)"
            )
            exchanges.append(Exchange(requests[sent], error=late))
            sent += 1
        unsent = CallError("other", "not sent: an earlier request of this feature failed")
        exchanges += [Exchange(request, error=unsent) for request in requests[sent:]]
        return exchanges

    async def gate(self) -> list[Exchange]:
        """The plain chat request. If only its fallback (the other token-limit name) was answered,
        every later probe carries that name."""
        exchanges = await self.send_all([gate_request(self.settings)])
        last = exchanges[-1]
        if last.error is None and last.request.role == "retry":
            self.settings = replace(self.settings, budget_param=other_token_param(self.settings.budget_param))
        if last.error is not None and last.error.status == 403 and self.auth is None:
            self.auth = last.error
        return exchanges

    def finding(self, feature: FeatureName, exchanges: Sequence[Exchange]) -> Finding:
        found = judge(feature, exchanges, self.settings)
        return Finding(found.feature, found.verdict, redact(found.evidence, self.secrets))


async def probe_target(
    endpoint: Endpoint,
    settings: ProbeSettings,
    features: Sequence[FeatureName],
    run_settings: RunSettings,
    secrets: Sequence[str] = (),
) -> ProbeRun | Stop:
    """Probe `features` (in that order in the result); a `Stop` when the key or host cannot be used."""
    if run_settings.concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    client = open_client(endpoint, CallSettings(timeout=run_settings.timeout, max_retries=run_settings.max_retries))
    run = _Run(client, settings, run_settings, secrets)
    try:
        listing = await list_models(client, secrets)
        if listing.fatal is not None:
            return Stop(endpoint.side, endpoint, listing.fatal)
        result = ProbeRun(models=_models_seen(listing.ids, listing.error, settings.model, secrets))
        findings: dict[FeatureName, Finding] = {}
        chat_features = [f for f in features if FEATURES[f].api == "chat.completions"]
        if chat_features:
            gate = run.finding("chat", await run.gate())
            if run.auth is not None:
                return Stop(endpoint.side, endpoint, run.auth)
            if "chat" in features:
                findings["chat"] = gate
            if gate.verdict != "accepted":
                result.gate_error = gate.evidence
                skipped = f"not probed: the plain chat request failed ({gate.evidence})"
                findings.update({f: Finding(f, "unknown", skipped) for f in chat_features if f != "chat"})
        todo = [f for f in features if f not in findings]
        findings.update(await _probe_all(run, [f for f in todo if not _streams(f, run.settings)]))
        for feature in [f for f in todo if _streams(f, run.settings)]:
            findings[feature] = run.finding(feature, await run.send_all(feature_requests(feature, run.settings)))
        if run.auth is not None:
            return Stop(endpoint.side, endpoint, run.auth)
        result.findings = [findings[f] for f in features]
        result.token_param = run.settings.budget_param
        return result
    finally:
        await client.close()


async def _probe_all(run: _Run, features: Iterable[FeatureName]) -> dict[FeatureName, Finding]:
    slots = asyncio.Semaphore(run.run.concurrency)

    async def one(feature: FeatureName) -> Finding:
        async with slots:
            return run.finding(feature, await run.send_all(feature_requests(feature, run.settings)))

    found = await asyncio.gather(*(one(feature) for feature in features))
    return {finding.feature: finding for finding in found}


def _streams(feature: FeatureName, settings: ProbeSettings) -> bool:
    return any(request.stream for request in feature_requests(feature, settings))


def _models_seen(
    ids: tuple[str, ...] | None, error: CallError | None, model: str, secrets: Sequence[str]
) -> ModelsSeen:
    if ids is None:
        reason = "the provider did not list its models" + (f": {error_evidence(error)}" if error else "")
        return ModelsSeen(error=redact(reason, secrets))
    return ModelsSeen(available=tuple(redact(i, secrets) for i in ids), requested_found=model in ids)


# --- one request through the SDK ---------------------------------------------------------------


async def _send(client: AsyncOpenAI, request: ProbeRequest) -> Answer:
    body = dict(request.body)
    if request.api == "embeddings":
        return (
            await client.embeddings.create(model=body.pop("model"), input=body.pop("input"), extra_body=body)
        ).to_dict()
    if request.api == "responses":
        return (await client.responses.create(model=body.pop("model"), extra_body=body)).to_dict()
    model, messages = body.pop("model"), body.pop("messages")
    if request.stream:
        # Everything but the fields the SDK must see goes in extra_body, as smoke sends it: a
        # parameter is sent as written even if this SDK version does not know it.
        body.pop("stream")
        streaming = client.chat.completions.with_streaming_response
        async with streaming.create(model=model, messages=messages, stream=True, extra_body=body) as response:
            return await _read_stream(response, request.read_limit)
    completion = await client.chat.completions.create(model=model, messages=messages, extra_body=body)
    return completion.to_dict()


async def _read_stream(response: Any, read_limit: int | None) -> Answer:
    """The raw lines of the body: only they show whether `[DONE]` came (see stream_read.py).

    Past `read_limit` content chunks it stops reading; leaving the `async with` then closes the
    connection, which is how a client tells a server to stop generating.
    """
    http = response.http_response
    assembler = StreamAssembler(content_type=http.headers.get("content-type", ""))
    # httpx (openai 1.x-2.x) or httpx2 (3.x): whichever the SDK runs on raises its own errors.
    transport: Any = sys.modules[type(http).__module__.partition(".")[0]]
    try:
        async for line in response.iter_lines():
            assembler.feed(line)
            if read_limit is not None and assembler.content_chunks > read_limit:
                return assembler.finish(stopped=True)
    except transport.TimeoutException:
        import openai

        raise openai.APITimeoutError(request=http.request) from None
    except transport.TransportError:
        pass  # the connection broke mid-stream: what arrived shows a cut stream, and is judged so
    return assembler.finish()
