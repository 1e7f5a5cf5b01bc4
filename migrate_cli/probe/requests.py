"""Pure: which requests probe a feature. Each asks for a few tokens; nothing here sends anything.

Every chat request carries a token budget (`ProbeSettings.budget`) under the name the target's
preset says it accepts (`max_completion_tokens` where the preset says so, else `max_tokens`: the
same choice `migrate rewrite` makes for the code, rule MC005), so a probe never runs away on a
model that does not stop by itself. The two token-limit probes carry only their own parameter.

Where a single answer cannot show whether a feature was honoured, the feature gets a *control*: the
same request without the feature (stop, tools), or pairs that separate the feature's effect from
the model's own randomness (seed). judge.py reads the requests back by `role`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from migrate_cli.features import FEATURES, Api, FeatureName

TokenParam = Literal["max_tokens", "max_completion_tokens"]
TOKEN_PARAMS: tuple[TokenParam, TokenParam] = ("max_tokens", "max_completion_tokens")

#: Tokens each probe answer may use: enough for "pong", a short JSON object or a tool call.
DEFAULT_BUDGET = 48
#: The limit the token-limit probes ask for, far below what their prompt would take.
PROBE_LIMIT = 5
#: The Responses API refuses a `max_output_tokens` below 16.
MIN_RESPONSES_TOKENS = 16
SEED = 424242
STOP_SEQUENCE = "5"

PATHS: Mapping[Api, str] = {
    "chat.completions": "/chat/completions",
    "embeddings": "/embeddings",
    "responses": "/responses",
}

PONG = "Reply with the single word: pong"
COUNT = "Count from 1 to 9, separated by spaces."
STORY = "Write a long story about a lighthouse keeper."
RANDOM_WORDS = "Write eight random made-up words."
WEATHER = "What is the weather in Paris right now?"
TWO_CITIES = "What is the weather in Paris and in Tokyo right now? Check both cities."
JSON_SYSTEM = "Reply in JSON."
JSON_USER = "Describe the sea in one short sentence."
SCHEMA_USER = "Name one large city and its population."

WEATHER_TOOL: Mapping[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TIME_TOOL: Mapping[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current local time in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
#: The tool `tool_choice_named` forces: not the one the question calls for, so obeying is visible.
FORCED_TOOL = "get_time"
CITY_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["city", "population"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ProbeSettings:
    model: str
    #: None: the embeddings probe uses `model`, and a "no such model" answer is not a verdict.
    embedding_model: str | None = None
    budget: int = DEFAULT_BUDGET
    budget_param: TokenParam = "max_tokens"

    @property
    def embeddings_model(self) -> str:
        return self.embedding_model or self.model


@dataclass(frozen=True)
class ProbeRequest:
    feature: FeatureName
    #: What the request is for within its feature ("probe", "control", "seeded", ...).
    role: str
    api: Api
    body: Mapping[str, Any]
    #: False for a control request, which leaves the feature out: its errors are not the feature's.
    uses_feature: bool = True
    #: Sent instead when this request is refused with a 400/422: the same probe without the part
    #: the refusal may be about (the other token-limit name; no streaming).
    fallback: ProbeRequest | None = None
    #: Streaming only: stop reading once more content chunks than this have come (each carries at
    #: least one token), so a provider that ignores a token limit cannot run on.
    read_limit: int | None = None

    @property
    def path(self) -> str:
        return PATHS[self.api]

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))


def other_token_param(param: TokenParam) -> TokenParam:
    return TOKEN_PARAMS[1] if param == TOKEN_PARAMS[0] else TOKEN_PARAMS[0]


def gate_request(settings: ProbeSettings) -> ProbeRequest:
    """The plain chat request every other chat probe depends on (the `chat` feature's probe).

    Refused, it is sent again with the other token-limit name: OpenAI's reasoning models refuse
    `max_tokens`, and some compatible servers refuse `max_completion_tokens`.
    """
    other = replace(settings, budget_param=other_token_param(settings.budget_param))
    retry = _chat(other, "chat", "retry", _user(PONG), {})
    return replace(_chat(settings, "chat", "probe", _user(PONG), {}), fallback=retry)


def feature_requests(feature: FeatureName, settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    """The requests that probe `feature`, in the order they are sent (one after another)."""
    if feature == "chat":
        return (gate_request(settings),)
    if feature == "embeddings":
        body: dict[str, Any] = {"model": settings.embeddings_model, "input": "pong"}
        return (ProbeRequest(feature, "probe", "embeddings", body),)
    if feature == "responses":
        tokens = max(settings.budget, MIN_RESPONSES_TOKENS)
        body = {"model": settings.model, "input": PONG, "max_output_tokens": tokens}
        return (ProbeRequest(feature, "probe", "responses", body),)
    return _CHAT_PROBES[feature](settings)


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def _chat(
    settings: ProbeSettings,
    feature: FeatureName,
    role: str,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
    *,
    uses_feature: bool = True,
    budget: bool = True,
) -> ProbeRequest:
    body: dict[str, Any] = {"model": settings.model, "messages": messages}
    if budget:
        body[settings.budget_param] = settings.budget
    body.update(params)
    return ProbeRequest(feature, role, "chat.completions", body, uses_feature)


def _stream(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    return (_chat(settings, "stream", "probe", _user(COUNT), {"stream": True}),)


def _stream_usage(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    options = {"include_usage": True}
    return (_chat(settings, "stream_usage", "probe", _user(COUNT), {"stream": True, "stream_options": options}),)


def _tools(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # The control shows whether the tool definitions reached the model at all: a provider that drops
    # them reports the same prompt tokens with and without them.
    return (
        _chat(settings, "tools", "probe", _user(WEATHER), {"tools": [WEATHER_TOOL]}),
        _chat(settings, "tools", "control", _user(WEATHER), {}, uses_feature=False),
    )


def _tool_choice_required(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # A greeting gives the model no reason to call a tool: only the forcing can make it.
    messages = _user("Say hello.")
    return (
        _chat(
            settings, "tool_choice_required", "probe", messages, {"tools": [WEATHER_TOOL], "tool_choice": "required"}
        ),
    )


def _tool_choice_named(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    choice = {"type": "function", "function": {"name": FORCED_TOOL}}
    tools = [WEATHER_TOOL, TIME_TOOL]
    return (_chat(settings, "tool_choice_named", "probe", _user(WEATHER), {"tools": tools, "tool_choice": choice}),)


def _parallel_tool_calls(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # Two cities invite two calls: `false` must bring it down to one, `true` shows the model makes two.
    tools = [WEATHER_TOOL]
    return (
        _chat(
            settings, "parallel_tool_calls", "off", _user(TWO_CITIES), {"tools": tools, "parallel_tool_calls": False}
        ),
        _chat(settings, "parallel_tool_calls", "on", _user(TWO_CITIES), {"tools": tools, "parallel_tool_calls": True}),
    )


def _json_object(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # OpenAI requires the word JSON in the messages; the user's question still invites prose.
    messages = [{"role": "system", "content": JSON_SYSTEM}, {"role": "user", "content": JSON_USER}]
    return (_chat(settings, "json_object", "probe", messages, {"response_format": {"type": "json_object"}}),)


def _json_schema(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # The question names no keys: only a provider that passes the schema on can produce them.
    response_format = {"type": "json_schema", "json_schema": {"name": "city", "strict": True, "schema": CITY_SCHEMA}}
    return (_chat(settings, "json_schema", "probe", _user(SCHEMA_USER), {"response_format": response_format}),)


def _seed(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # seeded twice: the feature. unseeded twice: does the model vary at all without it (else a
    # repeat proves nothing)? temperature 0 twice: can the provider repeat itself at all (else a
    # difference under the seed proves nothing either)?
    messages = _user(RANDOM_WORDS)
    seeded = _chat(settings, "seed", "seeded", messages, {"seed": SEED, "temperature": 1})
    unseeded = _chat(settings, "seed", "unseeded", messages, {"temperature": 1}, uses_feature=False)
    greedy = _chat(settings, "seed", "greedy", messages, {"temperature": 0}, uses_feature=False)
    return (seeded, seeded, unseeded, unseeded, greedy, greedy)


def _n(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    return (_chat(settings, "n", "probe", _user(RANDOM_WORDS), {"n": 2}),)


def _logprobs(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    return (_chat(settings, "logprobs", "probe", _user(PONG), {"logprobs": True}),)


def _stop(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
    # The control shows the model writes the stop sequence when nothing stops it.
    return (
        _chat(settings, "stop", "probe", _user(COUNT), {"stop": [STOP_SEQUENCE]}),
        _chat(settings, "stop", "control", _user(COUNT), {}, uses_feature=False),
    )


def _token_limit(param: TokenParam) -> Callable[[ProbeSettings], tuple[ProbeRequest, ...]]:
    # Streamed, so that a provider ignoring the limit is seen after a few chunks and cut off there,
    # instead of generating until its context is full (llama.cpp's server stops when the client
    # goes away from a stream, not from a plain request). Refused, it is sent plain.
    def requests(settings: ProbeSettings) -> tuple[ProbeRequest, ...]:
        plain = _chat(settings, param, "plain", _user(STORY), {param: PROBE_LIMIT}, budget=False)
        streamed = _chat(settings, param, "probe", _user(STORY), {param: PROBE_LIMIT, "stream": True}, budget=False)
        return (replace(streamed, fallback=plain, read_limit=PROBE_LIMIT),)

    return requests


_CHAT_PROBES: Mapping[str, Callable[[ProbeSettings], tuple[ProbeRequest, ...]]] = {
    "stream": _stream,
    "stream_usage": _stream_usage,
    "tools": _tools,
    "tool_choice_required": _tool_choice_required,
    "tool_choice_named": _tool_choice_named,
    "parallel_tool_calls": _parallel_tool_calls,
    "json_object": _json_object,
    "json_schema": _json_schema,
    "seed": _seed,
    "n": _n,
    "logprobs": _logprobs,
    "stop": _stop,
    "max_tokens": _token_limit("max_tokens"),
    "max_completion_tokens": _token_limit("max_completion_tokens"),
}
assert set(_CHAT_PROBES) | {"chat"} == {f.name for f in FEATURES.values() if f.api == "chat.completions"}
