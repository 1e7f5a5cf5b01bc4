"""Pure: streaming figures per side (`--stream`) and stream/non-stream parity (`--stream-check K`).

- Time to first token is measured by calls.py (the first delta with content or a tool call).
- Output tokens per second = completion tokens / (end-to-end time - time to first token): the rate
  once the answer has started. Completion tokens come from the stream's usage chunk; without one,
  from tiktoken's count of the text, and the figure says it is estimated.
- Parity: the same case asked both streamed and not, on the same side. The answers should agree
  (at temperature 0) and so should the usage; a stream without usage is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrate_cli.smoke.compare import normalise
from migrate_cli.smoke.records import SideName, SideResult, StreamParity

#: Parity disagreements listed by name in the summary (the report has each case's).
MAX_LISTED = 20


def output_rate(result: SideResult) -> tuple[float | None, bool]:
    """(output tokens per second, estimated?) for a streamed answer; (None, False) if not measurable."""
    if not result.ok or result.ttft_s is None or result.latency_s is None:
        return None, False
    generating = result.latency_s - result.ttft_s
    usage = result.usage
    tokens: int | None = usage.completion_tokens if usage is not None else None
    estimated = tokens is None
    if tokens is None and result.estimated_tokens is not None:
        tokens = result.estimated_tokens.completion
    if not tokens or generating <= 0:
        return None, estimated
    return tokens / generating, estimated


def stream_parity(side: SideName, first: SideResult, second: SideResult) -> StreamParity:
    """Compare one side's streamed and non-streamed answers to the same case."""
    streamed, plain = (first, second) if first.request.get("stream") else (second, first)
    usage_in_stream = streamed.ok and streamed.usage is not None
    if not (streamed.ok and plain.ok):
        failed = "streamed" if not streamed.ok else "non-streamed"
        return StreamParity(side, None, None, usage_in_stream, note=f"the {failed} call failed")
    content = normalise(streamed.output or "") == normalise(plain.output or "") and _calls(streamed) == _calls(plain)
    usage_agrees = None
    notes = []
    if streamed.usage is not None and plain.usage is not None:
        usage_agrees = _token_counts(streamed) == _token_counts(plain)
        if not usage_agrees:
            notes.append(f"usage streamed {_pair(streamed)} vs not {_pair(plain)} (prompt→completion)")
    elif streamed.usage is None:
        notes.append("the stream carried no usage")
    if not content:
        notes.append("the streamed answer differs from the non-streamed one")
    return StreamParity(side, content, usage_agrees, usage_in_stream, note="; ".join(notes))


def _token_counts(side: SideResult) -> tuple[int | None, int | None]:
    usage = side.usage
    assert usage is not None
    return usage.prompt_tokens, usage.completion_tokens


def _pair(side: SideResult) -> str:
    prompt, completion = _token_counts(side)
    return f"{prompt}→{completion}"


def _calls(side: SideResult) -> list[Any]:
    return [call.get("function") for call in side.tool_calls]


@dataclass
class StreamStats:
    """Per side: streams, how many carried usage, the output rate, stream_options retries."""

    streams: int = 0
    usage_arrived: int = 0
    rate_total: float = 0.0
    rate_count: int = 0
    rate_estimated: int = 0
    notes: dict[str, int] = field(default_factory=dict)

    def add(self, result: SideResult) -> None:
        for note in result.notes:
            self.notes[note.split(" (", 1)[0]] = self.notes.get(note.split(" (", 1)[0], 0) + 1
        if not result.request.get("stream") or not result.ok:
            return
        self.streams += 1
        self.usage_arrived += result.usage is not None
        rate, estimated = output_rate(result)
        if rate is not None:
            self.rate_total += rate
            self.rate_count += 1
            self.rate_estimated += estimated

    def to_dict(self) -> dict[str, Any]:
        return {
            "streams": self.streams,
            "usage_arrived": self.usage_arrived,
            "mean_output_tokens_per_s": None if not self.rate_count else round(self.rate_total / self.rate_count, 1),
            "output_rate_estimated": self.rate_estimated,
            "notes": [f"{note} ({count}×)" for note, count in sorted(self.notes.items())],  # noqa: RUF001 - the sentence is read, not parsed
        }


@dataclass
class ParityStats:
    checked: int = 0
    content_agrees: int = 0
    usage_agrees: int = 0
    usage_compared: int = 0
    usage_in_stream: int = 0
    disagreements: list[str] = field(default_factory=list)

    def add(self, case_id: str, parity: StreamParity) -> None:
        self.checked += 1
        self.content_agrees += parity.content_agrees is True
        self.usage_agrees += parity.usage_agrees is True
        self.usage_compared += parity.usage_agrees is not None
        self.usage_in_stream += parity.usage_in_stream
        if parity.note and len(self.disagreements) < MAX_LISTED:
            self.disagreements.append(f"{case_id}: {parity.note}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.checked,
            "content_agrees": self.content_agrees,
            "usage_agrees": self.usage_agrees,
            "usage_compared": self.usage_compared,
            "usage_in_stream": self.usage_in_stream,
            "disagreements": list(self.disagreements),
        }
