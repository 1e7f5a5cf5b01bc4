"""The review part of the human summary with many rules and many sites: grouped, ordered, capped."""

from __future__ import annotations

import io
import json

from rich.console import Console

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files.runner import Outcome, RunResult
from migrate_cli.rewrite.model import FileResult, ReviewItem
from migrate_cli.rewrite.report.run_report import REVIEW_SITES_SHOWN, Mode, render_summary, summarize, to_json

TARGET = resolve_target()
UNMAPPED = "gpt-4o is an OpenAI model id: map it with --model-map gpt-4o=<model>"
PROXY = "base_url is a proxy: left as is"
KEPT = "api_key comes from a variable: kept"
SETTINGS = "Settings.openai_api_key reads $OPENAI_API_KEY"


def run_of(*files: tuple[str, tuple[ReviewItem, ...]]) -> RunResult:
    return RunResult(
        outcomes=tuple(Outcome(FileResult(path, "unchanged", review=items)) for path, items in files), dry=True
    )


MANY = run_of(
    ("app/z.py", (ReviewItem("MC020", 3, SETTINGS), ReviewItem("MC004", 9, UNMAPPED))),
    ("app/a.py", (ReviewItem("MC001", 4, KEPT), ReviewItem("MC004", 7, UNMAPPED), ReviewItem("MC001", 12, PROXY))),
    ("app/m.py", (ReviewItem("MC004", 2, UNMAPPED), ReviewItem("MC001", 5, PROXY), ReviewItem("MC004", 30, UNMAPPED))),
)


def rendered(run: RunResult) -> list[str]:
    out = io.StringIO()
    render_summary(Console(file=out, width=300), TARGET, run, Mode(dry_run=True))
    return out.getvalue().splitlines()


def test_groups_are_ordered_by_rule_then_size_and_sites_by_file_and_line() -> None:
    review = summarize(MANY).review
    assert list(review) == [("MC001", PROXY), ("MC001", KEPT), ("MC004", UNMAPPED), ("MC020", SETTINGS)]
    assert [f"{s.path}:{s.line}" for s in review[("MC004", UNMAPPED)]] == [
        "app/a.py:7",
        "app/m.py:2",
        "app/m.py:30",
        "app/z.py:9",
    ]


def test_each_reason_is_printed_once_with_its_sites_under_it() -> None:
    lines = rendered(MANY)
    start = lines.index("To review: 8 sites the rewrite left alone")
    assert lines[start + 1 :][:13] == [
        f"  {PROXY} [MC001]",
        "    app/a.py:12",
        "    app/m.py:5",
        f"  {KEPT} [MC001]",
        "    app/a.py:4",
        f"  {UNMAPPED} [MC004]",
        "    app/a.py:7",
        "    app/m.py:2",
        "    app/m.py:30",
        "    app/z.py:9",
        f"  {SETTINGS} [MC020]",
        "    app/z.py:3",
        "",
    ]


def test_a_very_long_group_is_capped_with_a_count_and_json_keeps_every_site() -> None:
    sites = tuple(ReviewItem("MC004", line, UNMAPPED) for line in range(1, 38))
    run = run_of(("app/big.py", sites), ("app/a.py", (ReviewItem("MC001", 4, KEPT),)))
    lines = rendered(run)
    header = lines.index(f"  {UNMAPPED} [MC004]")
    shown = lines[header + 1 : header + 1 + REVIEW_SITES_SHOWN]
    assert shown == [f"    app/big.py:{n}" for n in range(1, REVIEW_SITES_SHOWN + 1)]
    assert (
        lines[header + 1 + REVIEW_SITES_SHOWN] == f"    … and {37 - REVIEW_SITES_SHOWN} more (--json lists every site)"
    )
    assert "To review: 38 sites the rewrite left alone" in lines
    assert len(json.loads(json.dumps(to_json(TARGET, run, Mode(dry_run=True))))["review"]) == 38


def test_a_group_of_exactly_the_cap_has_no_count_line() -> None:
    sites = tuple(ReviewItem("MC004", line, UNMAPPED) for line in range(1, REVIEW_SITES_SHOWN + 1))
    lines = rendered(run_of(("app/big.py", sites)))
    assert not any("more (--json" in line for line in lines)
