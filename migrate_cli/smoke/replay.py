"""Answers that need not be asked again: from a resumed results file first, then the response cache.

`lookup` returns a `SideResult` marked with where it came from (`origin`), or None when the side
must be asked; `store` keeps a successful fresh answer in the cache. `--refresh SIDE` skips the
cache lookup for that side (its answers are asked and stored anew); a resumed answer is always
reused, since the point of --resume is not to pay twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from migrate_cli.smoke.cache import ResponseCache, cache_key
from migrate_cli.smoke.records import Endpoint, Origin, SideName, SideResult, Usage
from migrate_cli.smoke.resume import ResumeIndex


def answer_record(result: SideResult) -> dict[str, Any]:
    """What the cache keeps of an answer: enough to rebuild the SideResult, nothing about the key."""
    return {
        "output": result.output,
        "tool_calls": list(result.tool_calls),
        "finish_reason": result.finish_reason,
        "usage": result.usage.raw if result.usage is not None else None,
        "latency_s": result.latency_s,
        "ttft_s": result.ttft_s,
        "stream_usage_missing": result.stream_usage_missing,
        "system_fingerprint": result.system_fingerprint,
        "notes": list(result.notes),
    }


def from_answer(
    side: SideName, request: Mapping[str, Any], answer: Mapping[str, Any], *, origin: Origin, repeat: int
) -> SideResult:
    usage = answer.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("raw"), dict):
        usage = usage["raw"]  # a results-file line keeps the parsed usage with the raw one inside
    calls = answer.get("tool_calls") or []
    return SideResult(
        side=side,
        model=str(request.get("model", "")),
        request=dict(request),
        output=answer.get("output"),
        tool_calls=tuple(call for call in calls if isinstance(call, dict)),
        finish_reason=answer.get("finish_reason"),
        usage=Usage.from_raw(usage),
        latency_s=_number(answer.get("latency_s")),
        ttft_s=_number(answer.get("ttft_s")),
        stream_usage_missing=bool(answer.get("stream_usage_missing")),
        system_fingerprint=answer.get("system_fingerprint"),
        repeat=repeat,
        origin=origin,
        notes=tuple(str(note) for note in answer.get("notes") or ()),
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class Replay:
    def __init__(
        self,
        cache: ResponseCache | None = None,
        resume: ResumeIndex | None = None,
        refresh: frozenset[str] = frozenset(),
    ) -> None:
        self.cache = cache
        self.resume = resume
        self.refresh = refresh

    def lookup(self, endpoint: Endpoint, case_id: str, request: Mapping[str, Any], repeat: int) -> SideResult | None:
        if self.resume is not None:
            record = self.resume.get(case_id, endpoint.side, repeat, request)
            if record is not None:
                return from_answer(endpoint.side, request, record, origin="resume", repeat=repeat)
        if self.cache is not None and endpoint.side not in self.refresh:
            answer = self.cache.get(cache_key(endpoint.base_url, request, repeat))
            if answer is not None:
                return from_answer(endpoint.side, request, answer, origin="cache", repeat=repeat)
        return None

    def store(self, endpoint: Endpoint, request: Mapping[str, Any], result: SideResult) -> None:
        """Keep a successful answer that did not come from the cache under the request that was
        asked (a retry may have sent it without stream_options); errors are never kept."""
        if self.cache is None or not result.ok or result.origin == "cache":
            return
        key = cache_key(endpoint.base_url, request, result.repeat)
        self.cache.put(key, endpoint.base_url, result.model, answer_record(result))

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def open_replay(
    cache_dir: Path | None, resume_file: Path | None, refresh: frozenset[str], secrets: Sequence[str], err: Any
) -> Replay | None:
    """The cache (--cache) and the resumed results (--resume), or None when neither is asked for."""
    if cache_dir is None and resume_file is None:
        return None
    resume = ResumeIndex.load(resume_file) if resume_file is not None else None
    if resume is not None:
        skipped = f" ({resume.skipped} unusable line(s) skipped)" if resume.skipped else ""
        err.print(f"resume: {resume.answers} answer(s) in {resume_file} can be reused{skipped}", markup=False)
    cache = ResponseCache.open(cache_dir, secrets) if cache_dir is not None else None
    return Replay(cache, resume, refresh)
