"""Values the probe passes between its parts: what was sent, what came back, what was found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.features import FeatureName, Verdict
from migrate_cli.probe.requests import ProbeRequest
from migrate_cli.smoke.records import CallError


@dataclass(frozen=True)
class StreamRecord:
    """A streamed answer as it came over the wire, reassembled (stream_read.py)."""

    content_type: str = ""
    #: JSON chunks received (`data: {...}` events).
    chunks: int = 0
    #: Chunks that carried some answer text: each holds at least one token.
    content_chunks: int = 0
    #: The probe stopped reading on purpose (`ProbeRequest.read_limit`), not the provider.
    stopped: bool = False
    content: str = ""
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    finish_reason: str | None = None
    #: The first non-null `usage` any chunk carried.
    usage: Mapping[str, Any] | None = None
    #: The `data: [DONE]` end marker arrived. Without it (and without a finish_reason) the stream
    #: was cut: llama.cpp's server, for one, ends a running stream when another request arrives.
    done: bool = False
    #: The whole body, parsed, when the provider answered with JSON instead of a stream.
    body: Any = None
    #: An error event inside the stream (OpenRouter sends errors after a 200 this way).
    error: str | None = None

    @property
    def streamed(self) -> bool:
        return self.body is None


#: A completion, embeddings or Responses object as plain JSON, or a reassembled stream.
Answer = Mapping[str, Any] | StreamRecord


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: an answer or an error, never both."""

    request: ProbeRequest
    answer: Answer | None = None
    error: CallError | None = None


@dataclass(frozen=True)
class Finding:
    feature: FeatureName
    verdict: Verdict
    evidence: str

    def to_dict(self) -> dict[str, str]:
        return {"feature": self.feature, "verdict": self.verdict, "evidence": self.evidence}


@dataclass(frozen=True)
class ModelsSeen:
    """`GET /models`: the ids listed, and whether the probed model is among them (None: no list)."""

    available: tuple[str, ...] = ()
    requested_found: bool | None = None
    #: Why there is no list (the provider's error), when there is none.
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {"available": list(self.available), "requested_found": self.requested_found}
        if self.error is not None:
            record["error"] = self.error
        return record


@dataclass
class ProbeRun:
    """What one probe found, feature by feature, in the order the features were asked for."""

    models: ModelsSeen = field(default_factory=ModelsSeen)
    findings: list[Finding] = field(default_factory=list)
    #: The token-limit name the chat probes carried (the gate may have switched it).
    token_param: str = "max_tokens"
    #: The plain chat request failed, so no chat feature could be probed (exit code 3).
    gate_error: str | None = None
