"""Values `smoke` passes between its parts. No behaviour lives here beyond (de)serialisation.

cases.py makes `Case`s, runner.py turns each (case, side) into a `SideResult`, tokens.py/pricing.py
fill in estimates and cost, compare.py makes a `Comparison`, report.py renders `CaseResult`s.
Results are complete and canonical (the exact request sent, the raw usage received) so a response
cache, repeated runs, calibration and other report formats can be added without reshaping them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, overload

SideName = Literal["baseline", "candidate"]
#: Both sides, in the order every table and report shows them.
SIDES: tuple[SideName, SideName] = ("baseline", "candidate")
#: Where an answer came from: asked now, the response cache (--cache), or a results file (--resume).
Origin = Literal["live", "cache", "resume"]
Verdict = Literal["same", "equivalent", "drift", "broken"]
CostStatus = Literal["computed", "estimated", "unpriced", "no_usage"]
ErrorKind = Literal[
    "auth",  # 401/403: stops the run
    "unknown_model",  # 404 on the model
    "bad_request",  # 400/422: a parameter the provider rejects
    "rate_limit",  # 429 after retries
    "server",  # 5xx after retries
    "timeout",
    "connection",
    "bad_response",  # a 200 that is not a readable chat completion (HTML, cut or too-deep JSON)
    "stream_cut",  # a stream that broke off before its finish_reason, after retries
    "other",
]


@dataclass(frozen=True)
class Case:
    """One line of the prompts file, validated."""

    id: str
    line: int
    messages: tuple[dict[str, Any], ...]
    #: Baseline model (from the line, else the config default).
    model: str
    #: Every other chat-completions parameter on the line, passed to both sides unchanged.
    params: dict[str, Any] = field(default_factory=dict)
    #: Relative request volume (the line's `weight`), for the monthly cost projection.
    weight: float = 1.0


@dataclass(frozen=True)
class Endpoint:
    """One side of the comparison. Holds the *name* of the key env var, never the key."""

    side: SideName
    base_url: str
    api_key_env: str
    label: str = ""


@dataclass(frozen=True)
class Usage:
    """Provider-reported usage. `raw` is the usage object exactly as received."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    #: vMira-style top-level `thinking_tokens` (billed as output; may or may not be inside
    #: completion_tokens, see pricing.py).
    thinking_tokens: int | None = None

    @overload
    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Usage: ...

    @overload
    @classmethod
    def from_raw(cls, raw: None) -> None: ...

    @classmethod
    def from_raw(cls, raw: dict[str, Any] | None) -> Usage | None:
        """Read a usage object as any OpenAI-compatible provider sends it (details optional)."""
        if not isinstance(raw, dict):
            return None
        prompt_details = _table(raw.get("prompt_tokens_details"))
        completion_details = _table(raw.get("completion_tokens_details"))
        cached = _count(prompt_details.get("cached_tokens"))
        if cached is None:  # DeepSeek reports cache hits at the top level
            cached = _count(raw.get("prompt_cache_hit_tokens"))
        reasoning = _count(completion_details.get("reasoning_tokens"))
        if reasoning is None:  # Perplexity-style top-level field
            reasoning = _count(raw.get("reasoning_tokens"))
        return cls(
            prompt_tokens=_count(raw.get("prompt_tokens")),
            completion_tokens=_count(raw.get("completion_tokens")),
            total_tokens=_count(raw.get("total_tokens")),
            cached_tokens=cached,
            reasoning_tokens=reasoning,
            raw=raw,
            thinking_tokens=_count(raw.get("thinking_tokens")),
        )


def _count(value: Any) -> int | None:
    """A token count as sent, or None when absent or not a whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class TokenEstimate:
    """Local tiktoken count. `exact` is False when the encoding was unavailable and this is a guess."""

    prompt: int
    completion: int | None
    encoding: str
    exact: bool
    #: Why the number may differ from a provider's count (approximate, reference ruler, ...).
    note: str = ""


@dataclass(frozen=True)
class Cost:
    """Cost of one response. `usd` is None when the model is unpriced: never guessed.

    `estimated` is a projection from a local token estimate (`--dry-run`), not from reported usage.
    """

    usd: float | None
    status: CostStatus
    input_usd: float | None = None
    output_usd: float | None = None
    note: str = ""


@dataclass(frozen=True)
class CallError:
    kind: ErrorKind
    message: str
    status: int | None = None


@dataclass(frozen=True)
class SideResult:
    """What one side answered for one case (or why it did not)."""

    side: SideName
    model: str
    #: The request body sent (model, messages, params), for replay and caching.
    request: dict[str, Any]
    output: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    finish_reason: str | None = None
    usage: Usage | None = None
    latency_s: float | None = None
    #: Time to first content token; only with --stream.
    ttft_s: float | None = None
    #: --stream only: the provider sent no usage chunk although include_usage was asked for.
    stream_usage_missing: bool = False
    error: CallError | None = None
    estimated_tokens: TokenEstimate | None = None
    cost: Cost | None = None
    #: The provider's `system_fingerprint` (backend configuration), when it sends one.
    system_fingerprint: str | None = None
    #: 0 for the first answer; 1..N-1 for the extra answers of --repeat N.
    repeat: int = 0
    origin: Origin = "live"
    #: What happened on the way that the reader should know (e.g. a parameter retried without).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Comparison:
    similarity: float | None
    verdict: Verdict
    reason: str
    diff: str = ""
    #: True/False when both outputs parse as JSON, else None.
    json_equal: bool | None = None


@dataclass(frozen=True)
class NoiseFloor:
    """--repeat N: how much each side differs from itself over its N answers to one case."""

    #: Lowest similarity between two of the baseline's own answers (None: fewer than 2 answered).
    baseline: float | None
    candidate: float | None
    answers: int
    #: The case's `seed`, if it set one.
    seed: int | None = None
    #: Per side, with a seed: True when all its answers were identical (None: no seed or < 2 answers).
    seed_repeated: dict[str, bool | None] = field(default_factory=dict)
    #: Per side, the distinct `system_fingerprint` values seen over the answers.
    fingerprints: dict[str, list[str]] = field(default_factory=dict)
    #: The extra answers' texts per side (the first answer is the case's own).
    extra_outputs: dict[str, list[str | None]] = field(default_factory=dict)
    #: True when the noise floor turned a `drift` into `equivalent`.
    softened: bool = False


@dataclass(frozen=True)
class StreamParity:
    """--stream-check: one side's answer to a case both streamed and not."""

    side: SideName
    content_agrees: bool | None
    usage_agrees: bool | None
    usage_in_stream: bool
    note: str = ""


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    baseline: SideResult
    candidate: SideResult
    comparison: Comparison
    weight: float = 1.0
    #: The candidate's prices applied to the baseline's reported usage (the cost split's middle
    #: term); None when either side is unpriced or has no usage.
    candidate_at_baseline_tokens_usd: float | None = None
    noise: NoiseFloor | None = None
    stream_parity: tuple[StreamParity, ...] = ()


def to_jsonable(value: Any) -> Any:
    """Dataclasses -> plain dicts/lists for json.dumps."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value
