"""Shared by the judges: how a judge says what it found, and how it reads its exchanges.

A judge returns `(verdict, evidence)` when the answers decide; deep inside, where they cannot (a
failed control, a cut stream, a budget spent before any answer), it raises `Found` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from migrate_cli.features import Verdict
from migrate_cli.probe import answers as read
from migrate_cli.probe.answers import quote
from migrate_cli.probe.records import Answer, Exchange, StreamRecord
from migrate_cli.probe.requests import ProbeSettings
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


def unknown(evidence: str) -> Found:
    return Found("unknown", evidence)


def ignored(evidence: str) -> Found:
    return Found("ignored", evidence)


def answer_of(exchange: Exchange) -> Answer:
    if exchange.error is not None:
        error = exchange.error
        raise unknown(f"the {exchange.request.role} request failed: {read.error_evidence(error)}")
    assert exchange.answer is not None
    answer = exchange.answer
    if exchange.request.api == "chat.completions" and not exchange.request.stream and read.choices(answer) is None:
        raise unknown(f"the answer is not a chat completion: {quote(answer, 120)}")
    return answer


def text_of(answer: Answer, settings: ProbeSettings) -> str:
    if read.cut_before_answer(answer):
        raise unknown(
            f"the token budget ({settings.budget}) ran out before any answer: "
            "raise --max-tokens (a reasoning model thinks first)"
        )
    return read.content(answer)


def by_role(exchanges: Sequence[Exchange], role: str) -> list[Exchange]:
    return [exchange for exchange in exchanges if exchange.request.role == role]


def stream_record(exchange: Exchange) -> StreamRecord:
    answer = answer_of(exchange)
    assert isinstance(answer, StreamRecord)
    if answer.error is not None:
        raise unknown(f"the stream carried an error: {answer.error}")
    if isinstance(answer.body, Mapping) and answer.body.get("error"):
        raise unknown(f"the provider answered 200 with an error: {quote(answer.body['error'], 120)}")
    return answer


def cut_stream(record: StreamRecord) -> Found:
    return unknown(
        f"the stream was cut after {record.chunks} chunk(s), before finish_reason and [DONE]; a cut stream "
        "is not evidence (a server that serves one request at a time may cut it for another request)"
    )


def rejects_feature(error: CallError) -> bool:
    """An error status the provider gave *this* request: a 4xx, or a 500/501 (the plain chat worked)."""
    status = error.status
    return status is not None and status not in _PASSING_STATUSES and (400 <= status < 500 or status in (500, 501))
