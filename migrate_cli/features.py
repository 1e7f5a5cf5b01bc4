"""The feature vocabulary that `scan`, `probe` and `plan` share, and the probe's verdicts.

Pure data, imported by every layer that talks about features: the names are a contract (scripts
read them in `--json` output and saved probe files), so a name here is never renamed or removed.
A feature is something a request can use that OpenAI documents and a compatible provider may
reject or silently ignore. Sources: the chat-completions, embeddings and responses references
(https://platform.openai.com/docs/api-reference/chat/create,
https://platform.openai.com/docs/api-reference/embeddings/create,
https://platform.openai.com/docs/api-reference/responses/create).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeGuard, get_args

#: What the provider did with a feature, judged from its behaviour.
Verdict = Literal["accepted", "ignored", "rejected", "unknown"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
VERDICT_MEANINGS: Mapping[Verdict, str] = MappingProxyType(
    {
        "accepted": "the request succeeded and the feature did what OpenAI documents",
        "ignored": "the request succeeded but the feature was not honoured",
        "rejected": "the provider answered the request with an error",
        "unknown": "the probe could not decide (the evidence says why)",
    }
)

FeatureName = Literal[
    "chat",
    "stream",
    "stream_usage",
    "tools",
    "tool_choice_required",
    "tool_choice_named",
    "parallel_tool_calls",
    "json_object",
    "json_schema",
    "seed",
    "n",
    "logprobs",
    "stop",
    "max_tokens",
    "max_completion_tokens",
    "embeddings",
    "responses",
]
FEATURE_NAMES: tuple[FeatureName, ...] = get_args(FeatureName)

#: The API a feature's requests go to.
Api = Literal["chat.completions", "embeddings", "responses"]


@dataclass(frozen=True)
class Feature:
    name: FeatureName
    api: Api
    #: What in a request uses the feature, as code would write it.
    marker: str
    #: One line: what a provider that honours the feature does.
    description: str


_FEATURES = (
    Feature("chat", "chat.completions", "chat.completions.create(...)", "a plain chat completion answers"),
    Feature("stream", "chat.completions", "stream=True", "the answer arrives as server-sent chunks ending in [DONE]"),
    Feature(
        "stream_usage",
        "chat.completions",
        'stream_options={"include_usage": True}',
        "a streamed answer ends with a chunk carrying the token usage",
    ),
    Feature("tools", "chat.completions", "tools=[...]", "the model can call a function the request defines"),
    Feature(
        "tool_choice_required",
        "chat.completions",
        'tool_choice="required"',
        "the model must call one of the tools instead of answering in text",
    ),
    Feature(
        "tool_choice_named",
        "chat.completions",
        'tool_choice={"type": "function", "function": {"name": ...}}',
        "the model must call the named tool",
    ),
    Feature(
        "parallel_tool_calls",
        "chat.completions",
        "parallel_tool_calls=False",
        "the switch between several tool calls per answer and at most one",
    ),
    Feature(
        "json_object",
        "chat.completions",
        'response_format={"type": "json_object"}',
        "JSON mode: the answer is one JSON object",
    ),
    Feature(
        "json_schema",
        "chat.completions",
        'response_format={"type": "json_schema", ...}, or .parse(response_format=Model)',
        "structured outputs: the answer is JSON that matches the given schema",
    ),
    Feature("seed", "chat.completions", "seed=N", "the same seed and request give the same answer again"),
    Feature("n", "chat.completions", "n=2", "one request returns n alternative choices"),
    Feature("logprobs", "chat.completions", "logprobs=True", "the answer carries each token's log probability"),
    Feature("stop", "chat.completions", 'stop=["..."]', "generation stops before a stop sequence"),
    Feature("max_tokens", "chat.completions", "max_tokens=N", "the answer is cut after N tokens"),
    Feature(
        "max_completion_tokens",
        "chat.completions",
        "max_completion_tokens=N",
        "the answer (reasoning included) is cut after N tokens",
    ),
    Feature("embeddings", "embeddings", "embeddings.create(...)", "the embeddings endpoint returns vectors"),
    Feature("responses", "responses", "responses.create(...)", "the Responses API answers"),
)

FEATURES: Mapping[FeatureName, Feature] = MappingProxyType({feature.name: feature for feature in _FEATURES})
assert tuple(FEATURES) == FEATURE_NAMES, "every feature name has exactly one description, in order"


def is_feature(name: str) -> TypeGuard[FeatureName]:
    return name in FEATURES


def is_verdict(name: str) -> TypeGuard[Verdict]:
    return name in VERDICTS
