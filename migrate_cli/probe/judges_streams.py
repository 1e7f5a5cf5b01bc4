"""Judges of the streaming features and of the token limits (which are probed streamed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from migrate_cli.probe import answers as read
from migrate_cli.probe.answers import quote
from migrate_cli.probe.judging import Judgement, answer_of, cut_stream, stream_record, unknown
from migrate_cli.probe.records import Answer, Exchange, StreamRecord
from migrate_cli.probe.requests import ProbeSettings


def stream(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    record = stream_record(exchanges[0])
    if not record.streamed:
        kind = record.content_type.split(";")[0] or "body"
        return "ignored", f"answered with one {kind} instead of a stream: {quote(record.body)}"
    if not record.done and record.finish_reason is None:
        raise cut_stream(record)
    end = "ended with [DONE]" if record.done else "no [DONE] marker"
    return "accepted", f"{record.chunks} chunks, finish_reason {record.finish_reason}, {end}: {quote(record.content)}"


def stream_usage(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    record = stream_record(exchanges[0])
    if not record.streamed:
        raise unknown("the provider did not stream at all (see stream)")
    if record.usage is not None:
        prompt, completion = (read.usage_count(record, k) for k in ("prompt_tokens", "completion_tokens"))
        return "accepted", f"the stream carried usage: {prompt} prompt + {completion} completion tokens"
    if record.done:
        return "ignored", f"the stream ended with [DONE] after {record.chunks} chunks and carried no usage"
    if record.finish_reason is not None:
        raise unknown("the stream ended after finish_reason without [DONE]: a usage chunk may have been cut")
    raise cut_stream(record)


def token_limit(exchanges: Sequence[Exchange], settings: ProbeSettings) -> Judgement:
    """Streamed (the runner stops reading past the limit); sent plain if streaming it was refused."""
    exchange = exchanges[-1]
    limit = exchange.request.body[exchange.request.feature]
    answer = answer_of(exchange)
    if isinstance(answer, StreamRecord) and answer.streamed:
        return _streamed_limit(stream_record(exchange), limit)
    if isinstance(answer, StreamRecord):  # a JSON answer to a streamed request: judge it as one
        if not isinstance(answer.body, Mapping) or read.choices(answer.body) is None:
            raise unknown(f"the answer is not a chat completion: {quote(answer.body, 120)}")
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
        raise cut_stream(record)
    if record.finish_reason == "length":
        return "accepted", f"finish_reason length after {record.content_chunks} chunk(s) of text: {quote(text)}"
    raise unknown(
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
    raise unknown(f"the answer ended by itself ({finish}) within {limit} tokens, so the limit was not tested")
