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

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from migrate_cli.features import FeatureName, Verdict
from migrate_cli.probe import answers as read
from migrate_cli.probe.answers import quote
from migrate_cli.probe.records import Answer, Exchange, Finding, StreamRecord
from migrate_cli.probe.requests import CITY_SCHEMA, FORCED_TOOL, STOP_SEQUENCE, TOKEN_PARAMS, ProbeSettings
from migrate_cli.smoke.records import CallError

#: Statuses that say nothing about the feature: the same request may well succeed later.
_PASSING_STATUSES = frozenset({408, 429, 502, 503, 504})

Judgement = tuple[Verdict, str]


class Found(Exception):
    """Raised from deep inside a judge once the answers decide (or cannot decide) the verdict."""

    def __init__(self, verdict: Verdict, evidence: str) -> None:
        super().__init__(evidence)
        self.verdict = verdict
        self.evidence = evidence


def _unknown(evidence: str) -> Found:
    return Found("unknown", evidence)


def _ignored(evidence: str) -> Found:
    return Found("ignored", evidence)


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


def rejects_feature(error: CallError) -> bool:
    """An error status the provider gave *this* request: a 4xx, or a 500/501 (the plain chat worked)."""
    status = error.status
    return status is not None and status not in _PASSING_STATUSES and (400 <= status < 500 or status in (500, 501))


def _raise_first_error(feature: FeatureName, exchanges: Sequence[Exchange], settings: ProbeSettings) -> None:
    """A failed request that carries the feature decides the verdict; a failed control only matters
    if the judge needs its answer (`_answer` raises then)."""
    for exchange in exchanges:
        error = exchange.error
        if error is None or not exchange.request.uses_feature:
            continue
        evidence = read.error_evidence(error)
        if not rejects_feature(error):
            passing = error.kind in ("rate_limit", "server", "timeout", "connection")
            raise _unknown(f"{evidence} (a passing failure, not the feature's; probe again)" if passing else evidence)
        if feature == "embeddings" and settings.embedding_model is None and error.status in (400, 404, 422):
            raise _unknown(
                f"{evidence} (probed with the chat model {settings.model}; "
                "give --embedding-model NAME to probe an embedding model)"
            )
        raise Found("rejected", evidence)


def _answer(exchange: Exchange) -> Answer:
    if exchange.error is not None:
        error = exchange.error
        raise _unknown(f"the {exchange.request.role} request failed: {read.error_evidence(error)}")
    assert exchange.answer is not None
    answer = exchange.answer
    if exchange.request.api == "chat.completions" and not exchange.request.stream and read.choices(answer) is None:
        raise _unknown(f"the answer is not a chat completion: {quote(answer, 120)}")
    return answer


def _text(answer: Answer, settings: ProbeSettings) -> str:
    if read.cut_before_answer(answer):
        raise _unknown(
            f"the token budget ({settings.budget}) ran out before any answer: "
            "raise --max-tokens (a reasoning model thinks first)"
        )
    return read.content(answer)


def _role(exchanges: Sequence[Exchange], role: str) -> list[Exchange]:
    return [exchange for exchange in exchanges if exchange.request.role == role]


# --- the judges, one per feature --------------------------------------------------------------


def _chat(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    """The gate: the plain request, sent again with the other token-limit name if the first was refused."""
    last, first = exchanges[-1], exchanges[0]
    if last.error is not None:
        error = first.error or last.error
        evidence = read.error_evidence(error)
        return ("rejected" if rejects_feature(error) else "unknown"), evidence
    answer = _answer(last)
    evidence = f"answered {quote(read.content(answer))} (finish_reason {read.finish_reason(answer)})"
    if first is not last and first.error is not None:
        refused, sent = (_token_param(exchange) for exchange in (first, last))
        evidence += f", with {sent}: {refused} was refused ({read.error_evidence(first.error)})"
    return "accepted", evidence


def _token_param(exchange: Exchange) -> str:
    return next((name for name in TOKEN_PARAMS if name in exchange.request.body), "?")


def _stream_record(exchange: Exchange) -> StreamRecord:
    answer = _answer(exchange)
    assert isinstance(answer, StreamRecord)
    if answer.error is not None:
        raise _unknown(f"the stream carried an error: {answer.error}")
    if isinstance(answer.body, Mapping) and answer.body.get("error"):
        raise _unknown(f"the provider answered 200 with an error: {quote(answer.body['error'], 120)}")
    return answer


def _cut(record: StreamRecord) -> Found:
    return _unknown(
        f"the stream was cut after {record.chunks} chunk(s), before finish_reason and [DONE]; a cut stream "
        "is not evidence (a server that serves one request at a time may cut it for another request)"
    )


def _stream(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    record = _stream_record(exchanges[0])
    if not record.streamed:
        kind = record.content_type.split(";")[0] or "body"
        return "ignored", f"answered with one {kind} instead of a stream: {quote(record.body)}"
    if not record.done and record.finish_reason is None:
        raise _cut(record)
    end = "ended with [DONE]" if record.done else "no [DONE] marker"
    return "accepted", f"{record.chunks} chunks, finish_reason {record.finish_reason}, {end}: {quote(record.content)}"


def _stream_usage(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    record = _stream_record(exchanges[0])
    if not record.streamed:
        raise _unknown("the provider did not stream at all (see stream)")
    if record.usage is not None:
        prompt, completion = (read.usage_count(record, k) for k in ("prompt_tokens", "completion_tokens"))
        return "accepted", f"the stream carried usage: {prompt} prompt + {completion} completion tokens"
    if record.done:
        return "ignored", f"the stream ended with [DONE] after {record.chunks} chunks and carried no usage"
    if record.finish_reason is not None:
        raise _unknown("the stream ended after finish_reason without [DONE]: a usage chunk may have been cut")
    raise _cut(record)


def _tools(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    probe = _answer(_role(exchanges, "probe")[0])
    calls = read.tool_calls(probe)
    if calls:
        return "accepted", f"called {read.describe_call(calls[0])}"
    text = _text(probe, settings)
    control = _answer(_role(exchanges, "control")[0])
    with_tools, without = read.usage_count(probe, "prompt_tokens"), read.usage_count(control, "prompt_tokens")
    if not with_tools or not without:  # no usage, or a provider that reports zeros
        raise _unknown(
            f"no tool call (tool_choice auto), the model answered {quote(text)}; "
            "no usage to tell whether the tool definition reached it"
        )
    if with_tools <= without:
        return "ignored", (
            f"no tool call, and the tool definition added no prompt tokens ({with_tools} with it, "
            f"{without} without): the provider dropped it; the model answered {quote(text)}"
        )
    raise _unknown(
        f"no tool call (tool_choice auto, which allows that): the model answered {quote(text)}; the tool "
        f"definition did reach it ({with_tools} prompt tokens with it, {without} without)"
    )


def _tool_choice_required(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _answer(exchanges[0])
    calls = read.tool_calls(answer)
    if calls:
        return "accepted", f"called {read.describe_call(calls[0])}"
    return "ignored", f'tool_choice "required", but no tool call: {quote(_text(answer, settings))}'


def _tool_choice_named(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _answer(exchanges[0])
    calls = read.tool_calls(answer)
    names = read.tool_names(answer)
    if calls and names[0] == FORCED_TOOL:
        return "accepted", f"called the forced tool: {read.describe_call(calls[0])}"
    if calls:
        return "ignored", f"forced {FORCED_TOOL}, but the model called {', '.join(names)}"
    return "ignored", f"forced {FORCED_TOOL}, but no tool call: {quote(_text(answer, settings))}"


def _parallel_tool_calls(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    off = _answer(_role(exchanges, "off")[0])
    on = _answer(_role(exchanges, "on")[0])
    off_calls, on_calls = len(read.tool_calls(off)), len(read.tool_calls(on))
    if off_calls > 1:
        names = ", ".join(read.tool_names(off))
        return "ignored", f"parallel_tool_calls false still gave {off_calls} tool calls ({names})"
    if on_calls >= 2:
        return "accepted", f"{on_calls} tool calls when allowed, {off_calls} with parallel_tool_calls false"
    if on_calls == 0:
        raise _unknown("no tool call at all, so the switch could not be seen (see tools)")
    raise _unknown("the model made one tool call even with parallel calls allowed, so the switch could not be seen")


def _json_value(answer: Answer, settings: ProbeSettings) -> object:
    text = _text(answer, settings)
    parsed = read.read_json(text)
    if not parsed.parsed and read.finish_reason(answer) == "length":
        raise _unknown(f"cut at the token limit before the JSON ended: {quote(text)}")
    if not parsed.parsed:
        raise _ignored(f"not JSON: {quote(text)}")
    if parsed.fenced:
        raise _ignored(f"JSON inside a Markdown code fence, as a model writes it when asked in words: {quote(text)}")
    if not isinstance(parsed.value, dict):
        raise _ignored(f"JSON, but not an object: {quote(text)}")
    return parsed.value


def _json_object(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    value = _json_value(_answer(exchanges[0]), settings)
    return "accepted", f"a bare JSON object: {quote(value)}"


_JSON_TYPES = {"string": str, "integer": int}


def _json_schema(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    value = _json_value(_answer(exchanges[0]), settings)
    assert isinstance(value, dict)
    properties = CITY_SCHEMA["properties"]
    problems = [f"{key} missing" for key in CITY_SCHEMA["required"] if key not in value]
    problems += [
        f"{key} is not {properties[key]['type']}"
        for key in properties
        if key in value and not _is_type(value[key], properties[key]["type"])
    ]
    problems += [f"{key} is not in the schema" for key in value if key not in properties]
    if problems:
        return "ignored", f"does not match the schema ({'; '.join(problems)}): {quote(value)}"
    return "accepted", f"matches the schema: {quote(value)}"


def _is_type(value: object, name: str) -> bool:
    return isinstance(value, _JSON_TYPES[name]) and not isinstance(value, bool)


def _seed(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    def pair(role: str) -> tuple[str, str]:
        texts = [_text(_answer(exchange), settings).strip() for exchange in _role(exchanges, role)]
        if not all(texts):
            raise _unknown(f"an empty answer ({role}) cannot show whether answers differ")
        return texts[0], texts[1]

    first, second = pair("seeded")
    if first == second:
        unseeded = pair("unseeded")
        if unseeded[0] == unseeded[1]:
            raise _unknown(
                f"the answers repeat without a seed too (temperature 1: {quote(unseeded[0])}), "
                "so what the seed does cannot be seen"
            )
        return "accepted", f"the same seed gave the same answer twice ({quote(first)}); without a seed they differed"
    greedy = pair("greedy")
    if greedy[0] != greedy[1]:
        raise _unknown(
            "the same seed gave different answers, but the provider does not repeat itself even at "
            "temperature 0, so the seed cannot be judged"
        )
    return "ignored", (
        f"the same seed gave different answers ({quote(first, 40)} / {quote(second, 40)}), "
        "though the provider repeats itself at temperature 0"
    )


def _n(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    found = read.choices(_answer(exchanges[0])) or []
    if len(found) >= 2:
        return "accepted", f"{len(found)} choices"
    if not found:
        raise _unknown("the answer has no choices at all")
    return "ignored", f"asked for n=2, got 1 choice: {quote(read.content(_answer(exchanges[0])))}"


def _logprobs(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _answer(exchanges[0])
    tokens = read.logprob_tokens(answer)
    if tokens:
        token, logprob = tokens[0].get("token"), tokens[0].get("logprob")
        return "accepted", f"{len(tokens)} token logprob(s), the first {quote(token)}: {logprob}"
    text = _text(answer, settings)
    return "ignored", f"asked for logprobs, the answer has none: {quote(text)}"


def _stop(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    stopped = _text(_answer(_role(exchanges, "probe")[0]), settings)
    if STOP_SEQUENCE in stopped:
        return "ignored", f"the answer goes past the stop sequence {quote(STOP_SEQUENCE)}: {quote(stopped)}"
    free = _text(_answer(_role(exchanges, "control")[0]), settings)
    if STOP_SEQUENCE not in free:
        raise _unknown(
            f"the model did not write {quote(STOP_SEQUENCE)} even without stop ({quote(free)}), "
            "so stopping could not be seen"
        )
    return "accepted", f"stopped before {quote(STOP_SEQUENCE)}: {quote(stopped)} (without stop: {quote(free)})"


def _token_limit(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    """Streamed (the runner stops reading past the limit); sent plain if streaming it was refused."""
    exchange = exchanges[-1]
    limit = exchange.request.body[exchange.request.feature]
    answer = _answer(exchange)
    if isinstance(answer, StreamRecord) and answer.streamed:
        return _streamed_limit(_stream_record(exchange), limit)
    if isinstance(answer, StreamRecord):  # a JSON answer to a streamed request: judge it as one
        if not isinstance(answer.body, Mapping) or read.choices(answer.body) is None:
            raise _unknown(f"the answer is not a chat completion: {quote(answer.body, 120)}")
        answer = answer.body
    verdict, evidence = _plain_limit(answer, limit)
    if exchange.request.role == "plain" and exchanges[0].error is not None:
        evidence += f" (sent without streaming: streamed, it was refused: {read.error_evidence(exchanges[0].error)})"
    return verdict, evidence


def _streamed_limit(record: StreamRecord, limit: int) -> Judgement:
    text = record.content
    # Each chunk of text, and each word, is at least one token: either count bounds the tokens.
    pieces = max(record.content_chunks, len(text.split()))
    if record.stopped or pieces > limit:
        stopped = ", and the probe stopped reading" if record.stopped else ""
        return "ignored", (
            f"more than {limit} tokens came back: {record.content_chunks} chunks of text{stopped}: {quote(text)}"
        )
    if not record.done and record.finish_reason is None:
        raise _cut(record)
    if record.finish_reason == "length":
        return "accepted", f"finish_reason length after {record.content_chunks} chunk(s) of text: {quote(text)}"
    raise _unknown(
        f"the answer ended by itself ({record.finish_reason}) after {pieces} chunk(s) of text, "
        "so the limit was not tested"
    )


def _plain_limit(answer: Answer, limit: int) -> Judgement:
    text, finish = read.content(answer), read.finish_reason(answer)
    used = read.usage_count(answer, "completion_tokens")
    if used is not None:
        if used > limit:
            return "ignored", f"asked for at most {limit} tokens, the provider counted {used} ({finish}): {quote(text)}"
        if finish == "length":
            return "accepted", f"cut at {used} tokens (finish_reason length): {quote(text)}"
    else:
        words = len(text.split())
        if words > limit:
            return "ignored", f"no usage reported, but {words} words came back, more than {limit} tokens hold"
        if finish == "length":
            return "accepted", f"finish_reason length after {words} word(s) (no usage reported): {quote(text)}"
    raise _unknown(f"the answer ended by itself ({finish}) within {limit} tokens, so the limit was not tested")


def _document(exchange: Exchange) -> Mapping[str, Any]:
    answer = _answer(exchange)
    assert not isinstance(answer, StreamRecord), "only chat requests stream"
    return answer


def _embeddings(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _document(exchanges[0])
    data = answer.get("data")
    vector = data[0].get("embedding") if isinstance(data, list) and data and isinstance(data[0], dict) else None
    if isinstance(vector, list) and vector and all(isinstance(x, int | float) for x in vector):
        return "accepted", f"a vector of {len(vector)} numbers (model {answer.get('model') or '?'})"
    raise _unknown(f"the answer holds no embedding vector: {quote(answer, 120)}")


def _responses(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _document(exchanges[0])
    output = answer.get("output")
    if not isinstance(output, list):
        raise _unknown(f"the answer is not a Responses API object: {quote(answer, 120)}")
    texts = [
        part.get("text", "")
        for item in output
        if isinstance(item, dict)
        for part in item.get("content") or ()
        if isinstance(part, dict) and part.get("type") == "output_text"
    ]
    return "accepted", f"answered {quote(''.join(texts))} (status {answer.get('status')})"


_JUDGES: dict[FeatureName, Callable[[Sequence[Exchange], ProbeSettings], Judgement]] = {
    "chat": _chat,
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
    "max_tokens": _token_limit,
    "max_completion_tokens": _token_limit,
    "embeddings": _embeddings,
    "responses": _responses,
}
