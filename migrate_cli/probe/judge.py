"""Pure: a feature's exchanges -> a verdict, with the evidence it rests on.

The rule is to claim only what the answers show. "ignored" needs an answer that contradicts the
feature (n=2 and one choice; JSON mode and prose; a forced tool not called; the same seed giving
different answers from a provider that otherwise repeats itself; text past a stop sequence; a
stream without the usage it was asked for; more tokens than the limit). Where the answers cannot
tell (a model that never writes the stop sequence, a stream cut short, a budget spent before any
text, a rate limit), the verdict is "unknown" and the evidence says why. An error the provider
gives to a request carrying the feature is "rejected", except the ones that say nothing about the
feature (429, 408, 502-504, timeouts, connection failures): those are "unknown" too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from migrate_cli.features import FeatureName
from migrate_cli.probe import answers as read
from migrate_cli.probe import judges_answers, judges_streams, judges_tools
from migrate_cli.probe.judging import Found, Judgement, rejects_feature, unknown
from migrate_cli.probe.records import Exchange, Finding
from migrate_cli.probe.requests import ProbeSettings


def judge(feature: FeatureName, exchanges: Sequence[Exchange], settings: ProbeSettings) -> Finding:
    try:
        if feature != "chat":
            _raise_first_error(feature, settled(exchanges), settings)
        verdict, evidence = _JUDGES[feature](exchanges, settings)
    except Found as found:
        verdict, evidence = found.verdict, found.evidence
    return Finding(feature, verdict, evidence)


def settled(exchanges: Sequence[Exchange]) -> list[Exchange]:
    """The exchanges that count: a request answered by its fallback is replaced by it."""
    kept: list[Exchange] = []
    for exchange in exchanges:
        if kept and kept[-1].request.fallback is exchange.request:
            kept.pop()
        kept.append(exchange)
    return kept


def _raise_first_error(feature: FeatureName, exchanges: Sequence[Exchange], settings: ProbeSettings) -> None:
    """A failed request that carries the feature decides the verdict; a failed control only matters
    if the judge needs its answer (`answer_of` raises then)."""
    for exchange in exchanges:
        error = exchange.error
        if error is None or not exchange.request.uses_feature:
            continue
        evidence = read.error_evidence(error)
        if not rejects_feature(error):
            passing = error.kind in ("rate_limit", "server", "timeout", "connection")
            raise unknown(f"{evidence} (a passing failure, not the feature's; probe again)" if passing else evidence)
        if feature == "embeddings" and settings.embedding_model is None and error.status in (400, 404, 422):
            raise unknown(
                f"{evidence} (probed with the chat model {settings.model}; "
                "give --embedding-model NAME to probe an embedding model)"
            )
        raise Found("rejected", evidence)


_JUDGES: dict[FeatureName, Callable[[Sequence[Exchange], ProbeSettings], Judgement]] = {
    "chat": judges_answers.chat,
    "stream": judges_streams.stream,
    "stream_usage": judges_streams.stream_usage,
    "tools": judges_tools.tools,
    "tool_choice_required": judges_tools.tool_choice_required,
    "tool_choice_named": judges_tools.tool_choice_named,
    "parallel_tool_calls": judges_tools.parallel_tool_calls,
    "json_object": judges_answers.json_object,
    "json_schema": judges_answers.json_schema,
    "seed": judges_answers.seed,
    "n": judges_answers.n,
    "logprobs": judges_answers.logprobs,
    "stop": judges_answers.stop,
    "max_tokens": judges_streams.token_limit,
    "max_completion_tokens": judges_streams.token_limit,
    "embeddings": judges_answers.embeddings,
    "responses": judges_answers.responses,
}
