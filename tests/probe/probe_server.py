"""A fake OpenAI-compatible provider whose behaviour is set per feature, for the probe tests.

It is the smoke tests' `FakeProvider` (tests/smoke/server.py: real HTTP on 127.0.0.1, the key check,
the request log, `fail(...)`) with a fake *model* on top, so the real openai SDK can be probed into
every verdict. `behaviour` maps a feature name to a mode; features not named are honoured:

- "accept": the feature works as OpenAI documents it;
- "ignore": the request succeeds and the feature is not honoured (one choice for n=2, prose for
  JSON mode, no usage chunk, a seed without effect, tool definitions dropped, no limit enforced...);
- "reject": any request carrying the feature gets a 400 naming the parameter;
- "rate_limit": any request carrying the feature gets a 429 with a day-long Retry-After;
- "slow": any request carrying the feature is answered after `slow_seconds`;
- quirks that leave a probe unable to decide: "cut" (streams end before finish_reason and [DONE],
  as llama.cpp's server cuts one; JSON and forced tool answers run out of tokens first), "repeat"
  and "noisy" (seed: the model always repeats itself / never does, even at temperature 0), "mute"
  (the model never writes the stop sequence, answers briefly under a token limit, or sees the tools
  and declines them), "one_call" (parallel_tool_calls: one call either way), "fence" (json_object:
  JSON in a Markdown fence), "malformed" (a 200 whose body is not the object asked for).

Tokens are words here: usage counts words, limits cut after N words.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import struct
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "smoke"))

from fake_wire import error_body, send_chunk, send_json, send_stream
from server import FakeProvider, Reply, _Response

MODEL = "probe-model"
KEY = "sk-probe-FAKEPROVIDERkey000000000000000"
COUNTING = "1 2 3 4 5 6 7 8 9"
_PARAMS = ("seed", "n", "logprobs", "stop", "max_tokens", "max_completion_tokens", "parallel_tool_calls")


def features_in(body: Mapping[str, Any]) -> list[str]:
    """The features a chat request uses, by the parameters it carries."""
    found = ["chat"]
    if body.get("stream"):
        found.append("stream")
    if "stream_options" in body:
        found.append("stream_usage")
    if "tools" in body:
        found.append("tools")
    choice = body.get("tool_choice")
    if choice == "required":
        found.append("tool_choice_required")
    elif isinstance(choice, dict):
        found.append("tool_choice_named")
    kind = (body.get("response_format") or {}).get("type")
    if kind in ("json_object", "json_schema"):
        found.append(kind)
    found += [param for param in _PARAMS if param in body]
    return found


class ProbeProvider(FakeProvider):
    def __init__(
        self,
        behaviour: Mapping[str, str] | None = None,
        *,
        api_key: str = KEY,
        models: tuple[str, ...] = (MODEL,),
        echo_key: bool = False,
        slow_seconds: float = 5.0,
        **options: Any,
    ) -> None:
        super().__init__(api_key=api_key, replies={model: Reply() for model in models}, **options)
        self.behaviour = dict(behaviour or {})
        #: Refusals quote the key the request came with, as a careless provider might.
        self.echo_key = echo_key
        self.slow_seconds = slow_seconds
        #: Answer GET /models with this 200 body instead of a model list (a proxy's page).
        self.models_page: Any = None
        #: Per chat request: (streamed, requests in flight when it arrived, itself included).
        self.arrivals: list[tuple[bool, int]] = []
        #: Requests using these features are held until `hold_until_in_flight` of them have come
        #: (at most `hold_limit` s), then answered together: a test sees the client's concurrency
        #: without timing anything.
        self.hold_features: set[str] = set()
        self._held: list[asyncio.Event] = []
        #: Streams only: answer this many words, like a model that does not stop by itself.
        self.stream_words: int | None = None
        #: Streams the client closed before their end.
        self.streams_cut_by_client = 0
        self._draws = itertools.count(1)

    def mode(self, feature: str) -> str:
        return self.behaviour.get(feature, "accept")

    # --- routing: refusals first, then the two endpoints the smoke server does not serve -----------

    def _route(self, method: str, path: str, headers: Mapping[str, str], body: Any) -> _Response | None:
        authorized = headers.get("authorization") == f"Bearer {self.api_key}"
        if path == "/v1/models" and authorized and self.models_page is not None:
            return _Response(200, self.models_page)
        extra = {"/v1/embeddings": "embeddings", "/v1/responses": "responses"}.get(path)
        if extra and authorized:
            return self._refusal([extra], headers) or self._endpoint(extra, body)
        response = super()._route(method, path, headers, body)
        if response is None:  # a chat request the smoke server would answer
            return self._refusal(features_in(body), headers)
        return response

    def _refusal(self, features: list[str], headers: Mapping[str, str]) -> _Response | None:
        for feature in features:
            mode = self.mode(feature)
            if mode == "reject":
                message = f"Unrecognized request argument supplied: {feature}"
                if self.echo_key:
                    message += f" (request made with {headers.get('authorization', '')})"
                return _Response(400, error_body(400, message, "openai", param=feature))
            if mode == "rate_limit":
                body = error_body(429, "Rate limit reached for requests", "openai", "rate_limit_exceeded")
                return _Response(429, body, {"Retry-After": "86400"})
        return None

    def _endpoint(self, feature: str, body: Any) -> _Response:
        delay = self.slow_seconds if self.mode(feature) == "slow" else 0.0
        if self.mode(feature) == "malformed":
            return _Response(200, {"object": "list", "data": []}, delay=delay)
        if feature == "embeddings":
            vector = [0.25, -0.5, 0.125, 1.0]
            encoded: Any = vector
            if body.get("encoding_format") == "base64":
                encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data = [{"object": "embedding", "index": 0, "embedding": encoded}]
            usage = {"prompt_tokens": 1, "total_tokens": 1}
            return _Response(200, {"object": "list", "data": data, "model": body["model"], "usage": usage}, delay=delay)
        text = {"type": "output_text", "text": "pong", "annotations": []}
        output = [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant", "content": [text]}]
        answer = {
            "id": "resp_1",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": body["model"],
            "output": output,
            "usage": {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6},
        }
        return _Response(200, answer, delay=delay)

    # --- chat completions: the fake model ----------------------------------------------------------

    async def _chat(self, writer: asyncio.StreamWriter, body: dict[str, Any]) -> None:
        self.arrivals.append((bool(body.get("stream")), self.in_flight))
        features = features_in(body)
        if self.hold_features.intersection(features) and self.hold_until_in_flight is not None:
            await self._hold()
        if any(self.mode(feature) == "slow" for feature in features):
            await asyncio.sleep(self.slow_seconds)
        if self.mode("chat") == "malformed":
            await send_json(writer, 200, {"object": "not.a.completion"}, {})
            return
        choices = self._choices(body, features)
        usage = self._usage(body, choices)
        if body.get("stream") and self.mode("stream") != "ignore":
            first = choices[0]
            if "cut" in (self.mode("stream"), self.mode("stream_usage")):
                await _send_cut_stream(writer, body["model"], first["message"]["content"] or "")
                return
            wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            send_usage = usage if wants_usage and self.mode("stream_usage") != "ignore" else None
            message = first["message"]
            text = message["content"] or ""
            if self.stream_words is not None:
                text = " ".join(f"w{i}" for i in range(self.stream_words))
            try:
                await send_stream(
                    writer, "chatcmpl-p", body["model"], text, message.get("tool_calls"), first["finish_reason"],
                    send_usage,
                )  # fmt: skip
            except ConnectionError:
                self.streams_cut_by_client += 1
                raise
            return
        completion = {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": choices,
            "usage": usage,
        }
        await send_json(writer, 200, completion, {})

    async def _hold(self) -> None:
        """Wait for the rest of a batch of `hold_until_in_flight` held requests (runs on the server's loop)."""
        released = asyncio.Event()
        self._held.append(released)
        if len(self._held) >= (self.hold_until_in_flight or 1):
            for event in self._held:
                event.set()
            self._held = []
        with contextlib.suppress(TimeoutError):  # a batch that never fills is answered anyway
            await asyncio.wait_for(released.wait(), self.hold_limit)

    def _choices(self, body: dict[str, Any], features: list[str]) -> list[dict[str, Any]]:
        text, calls, finish = self._answer(body, features)
        text, finish = self._limit(body, text, finish)
        count = body.get("n", 1) if self.mode("n") == "accept" else 1
        if "n" in body and self.mode("n") == "malformed":
            return []
        choices = []
        for index in range(count):
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if calls:
                message["tool_calls"] = calls
            logprobs = None
            if body.get("logprobs") and self.mode("logprobs") == "accept":
                logprobs = {"content": [{"token": word, "logprob": -0.5, "top_logprobs": []} for word in text.split()]}
            choices.append({"index": index, "message": message, "finish_reason": finish, "logprobs": logprobs})
        return choices

    def _answer(self, body: dict[str, Any], features: list[str]) -> tuple[str, list[dict[str, Any]], str]:
        """What the model says, before token limits: (text, tool calls, finish_reason)."""
        if "tools" in body and self.mode("tools") != "ignore":
            calls = self._tool_calls(body, features)
            if calls is not None:
                return ("", calls, "tool_calls") if calls else ("", [], "length")
        if "json_object" in features:
            return _json_object_answer(self.mode("json_object"))
        if "json_schema" in features:
            return _json_schema_answer(self.mode("json_schema"))
        if "logprobs" in features and self.mode("logprobs") == "cut":
            return "", [], "length"
        if "tools" in body:
            return "I cannot check the weather.", [], "stop"
        text = COUNTING
        if self.mode("stop") == "mute":
            text = "one two three four six seven"
        if any(self.mode(p) == "mute" and p in body for p in ("max_tokens", "max_completion_tokens")):
            text = "Done."
        suffix = self._randomness(body)
        text = f"{text} {suffix}" if suffix else text
        if "stop" in body and self.mode("stop") == "accept":
            for sequence in body["stop"]:
                text = text.split(sequence, 1)[0]
        return text, [], "stop"

    def _tool_calls(self, body: dict[str, Any], features: list[str]) -> list[dict[str, Any]] | None:
        """The tool calls made; [] for a forced call cut by the token limit; None for a text answer."""
        tools = [tool["function"]["name"] for tool in body["tools"]]
        if "tool_choice_named" in features:
            mode = self.mode("tool_choice_named")
            name = body["tool_choice"]["function"]["name"] if mode == "accept" else tools[0]
            return [] if mode == "cut" else [_call(name, "Paris")]
        if "tool_choice_required" in features:
            mode = self.mode("tool_choice_required")
            return {"accept": [_call(tools[0], "Paris")], "cut": []}.get(mode)
        if "parallel_tool_calls" in features:
            mode = self.mode("parallel_tool_calls")
            both = [_call(tools[0], "Paris"), _call(tools[0], "Tokyo", 2)]
            if mode == "one_call" or (mode == "accept" and body["parallel_tool_calls"] is False):
                return both[:1]
            return both
        return [_call(tools[0], "Paris")] if self.mode("tools") == "accept" else None

    def _randomness(self, body: dict[str, Any]) -> str:
        """A sampled word: fixed by an honoured seed, fixed at temperature 0, else a new draw."""
        mode = self.mode("seed")
        if mode == "repeat":
            return ""
        if mode == "noisy" or body.get("temperature", 0) > 0:
            if "seed" in body and mode == "accept":
                return f"draw{body['seed']}"
            return f"draw{next(self._draws)}"
        return ""

    def _limit(self, body: dict[str, Any], text: str, finish: str) -> tuple[str, str]:
        for param in ("max_tokens", "max_completion_tokens"):
            limit = body.get(param)
            words = text.split()
            if limit is not None and self.mode(param) == "accept" and len(words) > limit:
                return " ".join(words[:limit]), "length"
        return text, finish

    def _usage(self, body: dict[str, Any], choices: list[dict[str, Any]]) -> dict[str, int]:
        prompt = sum(len(str(message.get("content", "")).split()) for message in body.get("messages", []))
        if "tools" in body and self.mode("tools") != "ignore":
            prompt += len(json.dumps(body["tools"]).split())  # the definitions reach the model
        completion = sum(len((c["message"]["content"] or "").split()) for c in choices)
        completion += 10 * sum(len(c["message"].get("tool_calls") or ()) for c in choices)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _call(name: str, city: str, index: int = 1) -> dict[str, Any]:
    arguments = json.dumps({"city": city})
    return {"id": f"call_{index}", "type": "function", "function": {"name": name, "arguments": arguments}}


def _json_object_answer(mode: str) -> tuple[str, list[dict[str, Any]], str]:
    return {
        "accept": ('{"sea": "calm and blue"}', [], "stop"),
        "ignore": ("The sea is calm and blue today.", [], "stop"),
        "fence": ('```json\n{"sea": "calm"}\n```', [], "stop"),
        "cut": ('{"sea": "calm', [], "length"),
    }[mode]


def _json_schema_answer(mode: str) -> tuple[str, list[dict[str, Any]], str]:
    return {
        "accept": ('{"city": "Tokyo", "population": 37400000}', [], "stop"),
        "ignore": ('{"name": "Tokyo"}', [], "stop"),
        "cut": ('{"city": "To', [], "length"),
    }[mode]


async def _send_cut_stream(writer: asyncio.StreamWriter, model: str, text: str) -> None:
    """Two content chunks, then the body ends: no finish_reason, no [DONE] (as llama.cpp cuts one)."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    for piece in text.split()[:2]:
        chunk = {
            "id": "chatcmpl-cut",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": {"content": piece + " "}, "finish_reason": None}],
        }
        await send_chunk(writer, f"data: {json.dumps(chunk)}\n\n".encode())
    writer.write(b"0\r\n\r\n")
    await writer.drain()
