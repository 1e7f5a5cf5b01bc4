"""The human summary and the JSON object, from hand-built results (rendering only, no engine)."""

from __future__ import annotations

import io
import json

from rich.console import Console

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files.runner import Failure, Outcome, RunResult
from migrate_cli.rewrite.model import Change, FileResult, ReviewItem, SecurityFinding
from migrate_cli.rewrite.report.run_report import Mode, render_json, render_summary, summarize, to_json, total_line

TARGET = resolve_target()
PROXY = "base_url is a proxy: left as is"
VARIABLE = "api_key comes from a variable: kept"

RUN = RunResult(
    outcomes=(
        Outcome(
            FileResult(
                "app/a.py",
                "changed",
                changes=(Change("MC001", 3, "OpenAI(): base_url"), Change("MC001", 9, "x"), Change("MC002", 12, "y")),
                review=(ReviewItem("MC001", 20, PROXY),),
                security=(SecurityFinding("MC002", 12, "hard-coded API key replaced"),),
                diff="--- a/app/a.py\n+++ b/app/a.py\n@@ -1 +1 @@\n-[red]x\n+[red]y\n",
            )
        ),
        Outcome(
            FileResult(
                "app/b.py", "unchanged", review=(ReviewItem("MC001", 4, PROXY), ReviewItem("MC001", 8, VARIABLE))
            )
        ),
        Outcome(FileResult("app/c.py", "unchanged")),
        Outcome(FileResult("app/broken.py", "error", error="cannot parse: invalid syntax (line 2)"), Failure.INPUT),
    ),
    dry=True,
)


def rendered(mode: Mode) -> str:
    out = io.StringIO()
    render_summary(Console(file=out, width=300), TARGET, RUN, mode)
    return out.getvalue()


def test_summary_groups_review_sites_by_reason() -> None:
    summary = summarize(RUN)
    assert [(key[1], [f"{s.path}:{s.line}" for s in sites]) for key, sites in summary.review.items()] == [
        (PROXY, ["app/a.py:20", "app/b.py:4"]),
        (VARIABLE, ["app/b.py:8"]),
    ]
    assert summary.review_count == 3 and summary.input_errors == 1


def test_human_summary_layout() -> None:
    text = rendered(Mode(dry_run=True))
    lines = text.splitlines()
    assert lines[0] == f"Target: {TARGET.describe()}"
    assert lines[1] == "would rewrite app/a.py (3 changes: MC001 x2, MC002)"
    proxy = lines.index(f"  {PROXY} [MC001]")
    assert lines[proxy + 1 : proxy + 3] == ["    app/a.py:20", "    app/b.py:4"]
    assert "  app/a.py:12 [MC002] hard-coded API key replaced" in lines
    assert "  app/broken.py: cannot parse: invalid syntax (line 2)" in lines
    assert lines[-1] == (
        "1 file would be rewritten, 3 sites to review, 1 hard-coded key, 1 file could not be parsed "
        "(4 files scanned; dry run: nothing written)"
    )


def test_total_line_in_each_mode() -> None:
    summary = summarize(RUN)
    assert total_line(summary, Mode()).startswith("1 file rewritten,")
    assert total_line(summary, Mode()).endswith("(4 files scanned)")
    assert total_line(summary, Mode(check=True)).endswith("(4 files scanned; check: nothing written)")
    clean = summarize(RunResult((Outcome(FileResult("a.py", "unchanged")),), dry=False))
    assert total_line(clean, Mode()) == "0 files rewritten (1 file scanned)"


def test_total_line_tells_failures_from_bad_input() -> None:
    run = RunResult((Outcome(FileResult("a.py", "error", error="cannot write"), Failure.WRITE),), dry=False)
    assert total_line(summarize(run), Mode()) == "0 files rewritten, 1 file failed (1 file scanned)"


def test_json_object_shape() -> None:
    out = io.StringIO()
    render_json(Console(file=out), to_json(TARGET, RUN, Mode(dry_run=True)))
    data = json.loads(out.getvalue())
    assert data["target"] == {"base_url": "https://api.vmira.ai/v1", "api_key_env": "MIRA_API_KEY", "provider": "vmira"}
    assert (data["dry_run"], data["check"], data["written"]) == (True, False, False)
    assert data["changed"] == ["app/a.py"]
    assert data["review"][1] == {"path": "app/b.py", "line": 4, "rule": "MC001", "reason": PROXY}
    assert data["security"] == [
        {"path": "app/a.py", "line": 12, "rule": "MC002", "message": "hard-coded API key replaced"}
    ]
    assert data["errors"] == [{"path": "app/broken.py", "message": "cannot parse: invalid syntax (line 2)"}]
    # Unchanged files with nothing to say are left out of `files`.
    assert [f["path"] for f in data["files"]] == ["app/a.py", "app/b.py", "app/broken.py"]
    first = data["files"][0]
    assert first["status"] == "changed" and first["diff"].startswith("--- a/app/a.py")
    assert first["changes"][0] == {"rule": "MC001", "line": 3, "message": "OpenAI(): base_url"}
    assert data["files"][2]["error"] == "cannot parse: invalid syntax (line 2)"
    assert data["summary"] == {
        "files_scanned": 4,
        "files_changed": 1,
        "review": 3,
        "security": 1,
        "errors": 1,
        "skipped": 0,
    }
    assert data["exit_code"] == 2
