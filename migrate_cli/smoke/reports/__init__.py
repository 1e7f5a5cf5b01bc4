"""Report writers chosen by the suffix of `--report FILE` (repeatable).

Every writer takes finished cases one at a time (`add`) and the final summary once (`finish`), and
writes its file whole at the end through a hidden partial file, so a reader never sees half a
report and a long run never holds all its cases in memory:

- `.json` (outputs.JsonReport): every case and the whole summary;
- `.md` (markdown.py): a summary to paste in a pull request, with the worst cases;
- `.html` (html.py): one self-contained page, a sortable and filterable table, side-by-side answers;
- `.xml` (junit.py): JUnit, one `<testcase>` per prompt, a `<failure>` where a gate counts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from migrate_cli.smoke.gates import GateSettings
from migrate_cli.smoke.records import CaseResult


class ReportWriter(Protocol):
    path: Path

    def add(self, result: CaseResult) -> None: ...

    def finish(self, summary: dict[str, Any]) -> None: ...

    def discard(self) -> None: ...


def open_reports(
    paths: Sequence[Path], run: dict[str, Any], gates: GateSettings, secrets: Sequence[str]
) -> list[ReportWriter]:
    """One writer per path; if one cannot be opened, the ones already open are removed again."""
    from migrate_cli.smoke.outputs import JsonReport
    from migrate_cli.smoke.reports.html import HtmlReport
    from migrate_cli.smoke.reports.junit import JunitReport
    from migrate_cli.smoke.reports.markdown import MarkdownReport

    writers: list[ReportWriter] = []
    try:
        for path in paths:
            suffix = path.suffix.lower()
            if suffix == ".md":
                writers.append(MarkdownReport(path, run, gates, secrets))
            elif suffix == ".html":
                writers.append(HtmlReport(path, run, gates, secrets))
            elif suffix == ".xml":
                writers.append(JunitReport(path, run, gates, secrets))
            else:
                writers.append(JsonReport(path, run, secrets))
    except BaseException:
        for writer in writers:
            writer.discard()
        raise
    return writers
