"""Judges of what the answer itself holds: plain chat, JSON, seeds, choices, logprobs, stops, and the
embeddings and Responses endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from migrate_cli.probe import answers as read
from migrate_cli.probe.answers import quote
from migrate_cli.probe.judging import Judgement, answer_of, by_role, ignored, rejects_feature, text_of, unknown
from migrate_cli.probe.records import Answer, Exchange, StreamRecord
from migrate_cli.probe.requests import CITY_SCHEMA, STOP_SEQUENCE, TOKEN_PARAMS, ProbeSettings


def chat(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    """The gate: the plain request, sent again with the other token-limit name if the first was refused."""
    last, first = exchanges[-1], exchanges[0]
    if last.error is not None:
        error = first.error or last.error
        evidence = read.error_evidence(error)
        return ("rejected" if rejects_feature(error) else "unknown"), evidence
    answer = answer_of(last)
    evidence = f"answered {quote(read.content(answer))} (finish_reason {read.finish_reason(answer)})"
    if first is not last and first.error is not None:
        refused, sent = (_token_param(exchange) for exchange in (first, last))
        evidence += f", with {sent}: {refused} was refused ({read.error_evidence(first.error)})"
    return "accepted", evidence


def _token_param(exchange: Exchange) -> str:
    return next((name for name in TOKEN_PARAMS if name in exchange.request.body), "?")


def _json_value(answer: Answer, settings: ProbeSettings) -> object:
    text = text_of(answer, settings)
    parsed = read.read_json(text)
    if not parsed.parsed and read.finish_reason(answer) == "length":
        raise unknown(f"cut at the token limit before the JSON ended: {quote(text)}")
    if not parsed.parsed:
        raise ignored(f"not JSON: {quote(text)}")
    if parsed.fenced:
        raise ignored(f"JSON inside a Markdown code fence, as a model writes it when asked in words: {quote(text)}")
    if not isinstance(parsed.value, dict):
        raise ignored(f"JSON, but not an object: {quote(text)}")
    return parsed.value


def json_object(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    value = _json_value(answer_of(exchanges[0]), settings)
    return "accepted", f"a bare JSON object: {quote(value)}"


_JSON_TYPES = {"string": str, "integer": int}


def json_schema(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    value = _json_value(answer_of(exchanges[0]), settings)
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


def seed(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    def pair(role: str) -> tuple[str, str]:
        texts = [text_of(answer_of(exchange), settings).strip() for exchange in by_role(exchanges, role)]
        if not all(texts):
            raise unknown(f"an empty answer ({role}) cannot show whether answers differ")
        return texts[0], texts[1]

    first, second = pair("seeded")
    if first == second:
        unseeded = pair("unseeded")
        if unseeded[0] == unseeded[1]:
            raise unknown(
                f"the answers repeat without a seed too (temperature 1: {quote(unseeded[0])}), "
                "so what the seed does cannot be seen"
            )
        return "accepted", f"the same seed gave the same answer twice ({quote(first)}); without a seed they differed"
    greedy = pair("greedy")
    if greedy[0] != greedy[1]:
        raise unknown(
            "the same seed gave different answers, but the provider does not repeat itself even at "
            "temperature 0, so the seed cannot be judged"
        )
    return "ignored", (
        f"the same seed gave different answers ({quote(first, 40)} / {quote(second, 40)}), "
        "though the provider repeats itself at temperature 0"
    )


def n(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    found = read.choices(answer_of(exchanges[0])) or []
    if len(found) >= 2:
        return "accepted", f"{len(found)} choices"
    if not found:
        raise unknown("the answer has no choices at all")
    return "ignored", f"asked for n=2, got 1 choice: {quote(read.content(answer_of(exchanges[0])))}"


def logprobs(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = answer_of(exchanges[0])
    tokens = read.logprob_tokens(answer)
    if tokens:
        token, logprob = tokens[0].get("token"), tokens[0].get("logprob")
        return "accepted", f"{len(tokens)} token logprob(s), the first {quote(token)}: {logprob}"
    text = text_of(answer, settings)
    return "ignored", f"asked for logprobs, the answer has none: {quote(text)}"


def stop(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    stopped = text_of(answer_of(by_role(exchanges, "probe")[0]), settings)
    if STOP_SEQUENCE in stopped:
        return "ignored", f"the answer goes past the stop sequence {quote(STOP_SEQUENCE)}: {quote(stopped)}"
    free = text_of(answer_of(by_role(exchanges, "control")[0]), settings)
    if STOP_SEQUENCE not in free:
        raise unknown(
            f"the model did not write {quote(STOP_SEQUENCE)} even without stop ({quote(free)}), "
            "so stopping could not be seen"
        )
    return "accepted", f"stopped before {quote(STOP_SEQUENCE)}: {quote(stopped)} (without stop: {quote(free)})"


def _document(exchange: Exchange) -> Mapping[str, Any]:
    answer = answer_of(exchange)
    assert not isinstance(answer, StreamRecord), "only chat requests stream"
    return answer


def embeddings(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _document(exchanges[0])
    data = answer.get("data")
    vector = data[0].get("embedding") if isinstance(data, list) and data and isinstance(data[0], dict) else None
    if isinstance(vector, list) and vector and all(isinstance(x, int | float) for x in vector):
        return "accepted", f"a vector of {len(vector)} numbers (model {answer.get('model') or '?'})"
    raise unknown(f"the answer holds no embedding vector: {quote(answer, 120)}")


def responses(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    answer = _document(exchanges[0])
    output = answer.get("output")
    if not isinstance(output, list):
        raise unknown(f"the answer is not a Responses API object: {quote(answer, 120)}")
    texts = [
        part.get("text", "")
        for item in output
        if isinstance(item, dict)
        for part in item.get("content") or ()
        if isinstance(part, dict) and part.get("type") == "output_text"
    ]
    return "accepted", f"answered {quote(''.join(texts))} (status {answer.get('status')})"
