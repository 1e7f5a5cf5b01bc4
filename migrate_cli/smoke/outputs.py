"""The files a smoke run writes as it goes: the results log (`--results`) and the JSON report (`--report`).

Both are written incrementally, so memory stays flat and nothing already paid for is lost:

- the results log gets one JSON line per response, appended the moment it arrives;
- the JSON report is written case by case to a hidden `.NAME.partial` beside it, and renamed into
  place when the run ends (interrupted or not), so a reader never sees half a report.

Each record (a results line, a report's case) goes to the OS in one write, unbuffered, so a write
fails when it happens (a full disk: `OutputError`, naming the file) and not later at close; a
record written in part is cut back off, so the results file never ends in half a line.

Neither holds a key: records carry the endpoint's URL and the NAME of its key env var only, the
answers were redacted as they arrived (answers.py), and every record is checked again for the
run's key values and key shapes before it is written (a prompt may quote a key too).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from migrate_cli.errors import ExitCode, MigrateError, UsageError
from migrate_cli.redact import needs_redaction, redact_value
from migrate_cli.smoke.records import Case, CaseResult, SideResult

#: Report formats by suffix: .json here, the others in reports/ (Markdown, HTML, JUnit XML).
REPORT_FORMATS = (".json", ".md", ".html", ".xml")


class OutputError(MigrateError):
    """A results or report file could not be written mid-run (disk full, permissions)."""

    exit_code = ExitCode.FAILURE


def check_report_path(path: Path) -> Path:
    """Refuse an unknown report format before anything is sent."""
    if path.suffix.lower() not in REPORT_FORMATS:
        raise UsageError(
            f"--report {path}: unknown report format '{path.suffix or '(no extension)'}'; "
            f"supported: {', '.join(REPORT_FORMATS)}"
        )
    return path


def json_text(value: Any, secrets: Sequence[str] = (), **options: Any) -> str:
    """`json.dumps(value)` with the run's secrets and key-shaped runs masked wherever they are."""
    text = json.dumps(value, ensure_ascii=False, **options)
    if needs_redaction(text, secrets):
        text = json.dumps(redact_value(value, secrets), ensure_ascii=False, **options)
    return text


class RecordFile:
    """A file written one whole record at a time, straight to the OS."""

    def __init__(self, path: Path, *, append: bool, what: str) -> None:
        self.path = path
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        try:
            self._fd: int | None = os.open(path, flags, 0o666)
        except OSError as exc:
            raise UsageError(f"{what} {path}: cannot write ({exc.strerror})") from None
        self._regular = stat.S_ISREG(os.fstat(self._fd).st_mode)

    def write(self, text: str) -> None:
        """Write `text` whole or not at all (OSError when it cannot be written)."""
        assert self._fd is not None, "write after close"
        # A lone surrogate cannot reach here (answers and prompts are cleaned or refused); if one
        # did, "replace" keeps the file valid UTF-8 rather than failing the run.
        data = text.encode("utf-8", "replace")
        start = os.lseek(self._fd, 0, os.SEEK_END) if self._regular else None
        done = 0
        try:
            while done < len(data):
                done += os.write(self._fd, data[done:])
        except BaseException:
            if done and start is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, start)
            raise

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


class ResultsLog:
    """`--results FILE`: one JSON line per response, appended as it arrives."""

    def __init__(self, path: Path, run_id: str, secrets: Sequence[str] = ()) -> None:
        self.path = path
        self.run_id = run_id
        self.lines = 0
        self.secrets = tuple(secrets)
        ends_mid_line = _ends_mid_line(path)
        self._file = RecordFile(path, append=True, what="--results")
        if ends_mid_line:
            # A run killed mid-write left half a line: ours start on a line of their own.
            self._file.write("\n")

    def write(self, case: Case, result: SideResult) -> None:
        record = {"run_id": self.run_id, "case_id": case.id, "line": case.line, **plain(result)}
        try:
            self._file.write(json_text(record, self.secrets) + "\n")
        except OSError as exc:
            raise OutputError(f"cannot append to the results file {self.path}: {exc.strerror}") from None
        self.lines += 1

    def close(self) -> None:
        self._file.close()


def _ends_mid_line(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return False
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
    except OSError:
        return False


class JsonReport:
    """`--report FILE.json`: {"run": ..., "cases": [...], "summary": ...}, streamed case by case."""

    def __init__(self, path: Path, run: dict[str, Any], secrets: Sequence[str] = ()) -> None:
        self.path = path
        self.secrets = tuple(secrets)
        self._partial = path.with_name(f".{path.name}.partial")
        self._file = RecordFile(self._partial, append=False, what="--report")
        self._count = 0
        self._write('{\n"run": ' + json_text(run, self.secrets) + ',\n"cases": [')

    def add(self, result: CaseResult) -> None:
        separator = "\n" if self._count == 0 else ",\n"
        self._write(separator + json_text(case_record(result), self.secrets))
        self._count += 1

    def finish(self, summary: dict[str, Any]) -> None:
        self._write('\n],\n"summary": ' + json_text(summary, self.secrets, indent=2) + "\n}\n")
        self._file.close()
        try:
            os.replace(self._partial, self.path)
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write the report {self.path}: {exc.strerror}") from None

    def discard(self) -> None:
        """Give up (before the run started, or after a failed write): remove the partial file."""
        self._file.close()
        self._partial.unlink(missing_ok=True)

    def _write(self, text: str) -> None:
        try:
            self._file.write(text)
        except OSError as exc:
            raise OutputError(f"cannot write the report {self.path}: {exc.strerror}") from None


def case_record(result: CaseResult) -> dict[str, Any]:
    comparison = result.comparison
    return {
        "id": result.case_id,
        "similarity": comparison.similarity,
        "verdict": comparison.verdict,
        "reason": comparison.reason,
        "json_equal": comparison.json_equal,
        "diff": comparison.diff,
        "weight": result.weight,
        "noise_floor": result.noise.baseline if result.noise is not None else None,
        "noise": plain(result.noise),
        "candidate_at_baseline_tokens_usd": result.candidate_at_baseline_tokens_usd,
        "stream_check": [plain(parity) for parity in result.stream_parity] or None,
        "baseline": side_record(result.baseline),
        "candidate": side_record(result.candidate),
    }


def side_record(side: SideResult) -> dict[str, Any]:
    usage, estimate, cost = side.usage, side.estimated_tokens, side.cost
    gap = None
    if usage is not None and usage.prompt_tokens is not None and estimate is not None and estimate.prompt:
        gap = round((usage.prompt_tokens - estimate.prompt) / estimate.prompt * 100, 2)
    return {
        "model": side.model,
        "output": side.output,
        "tool_calls": list(side.tool_calls),
        "finish_reason": side.finish_reason,
        "usage": plain(usage),
        "estimated_tokens": plain(estimate),
        "prompt_token_gap_pct": gap,
        "cost_usd": cost.usd if cost else None,
        "cost": plain(cost),
        "latency_s": side.latency_s,
        "ttft_s": side.ttft_s,
        "stream_usage_missing": side.stream_usage_missing,
        "error": plain(side.error),
        "cached": side.origin == "cache",
        "origin": side.origin,
        "system_fingerprint": side.system_fingerprint,
        "notes": list(side.notes),
    }


def plain(value: Any) -> Any:
    """Dataclasses -> dicts, one level at a time; the dicts inside (requests, raw usage, tool calls)
    are JSON already and pass through uncopied. (model.to_jsonable's deep copy of every request was
    most of the results log's cost.)"""
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: plain(getattr(value, name)) for name in fields}
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value
