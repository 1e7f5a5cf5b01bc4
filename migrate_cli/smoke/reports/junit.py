"""`--report FILE.xml`: JUnit XML, so CI systems list the prompts as tests.

One `<testcase>` per prompt, named by its id; a `<failure>` on each case a gate counts against
(gates.case_failures), and one `<testcase>` per gate, failed when the gate failed. Without gates
every case passes: the exit code and the report agree. Characters XML 1.0 cannot hold (control
characters in a model's answer) are dropped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from migrate_cli.smoke.gates import case_failures
from migrate_cli.smoke.records import CaseResult
from migrate_cli.smoke.reports.streamed import StreamedReport

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SUITE = "migrate smoke"


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


class JunitReport(StreamedReport):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._case_count = 0
        self._failures = 0
        self._time = 0.0
        self._started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def case_text(self, result: CaseResult) -> str:
        self._case_count += 1
        latencies = [side.latency_s or 0.0 for side in (result.baseline, result.candidate)]
        seconds = max(latencies)
        self._time += seconds
        comparison = result.comparison
        score = "" if comparison.similarity is None else f", similarity {comparison.similarity:.2f}"
        out = f"{comparison.verdict}{score}: {comparison.reason}"
        failures = case_failures(result, self.gates)
        body = f"<system-out>{_text(out)}</system-out>"
        if failures:
            self._failures += 1
            details = "\n".join([*failures, "", comparison.diff])
            body = f'<failure message={_attr("; ".join(failures))} type="gate">{_text(details)}</failure>' + body
        return (
            f'<testcase classname={_attr(SUITE)} name={_attr(result.case_id)} time="{seconds:.3f}">{body}</testcase>\n'
        )

    def head(self, summary: dict[str, Any]) -> str:
        gates = summary.get("gates") or []
        tests = self._case_count + len(gates)
        failures = self._failures + sum(not gate["passed"] for gate in gates)
        name = f"{SUITE}: {self.run.get('prompts', '')}"
        properties = "".join(
            f"<property name={_attr(key)} value={_attr(str(value))}/>"
            for key, value in (
                ("baseline", self.run.get("endpoints", {}).get("baseline", {}).get("base_url", "")),
                ("candidate", self.run.get("endpoints", {}).get("candidate", {}).get("base_url", "")),
                ("cost_split", (summary.get("cost_split") or {}).get("sentence", "")),
                ("interrupted", summary.get("interrupted")),
            )
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name={_attr(SUITE)} tests="{tests}" failures="{failures}" errors="0" '
            f'time="{self._time:.3f}">\n'
            f'<testsuite name={_attr(name)} tests="{tests}" failures="{failures}" errors="0" skipped="0" '
            f'time="{self._time:.3f}" timestamp="{self._started}">\n<properties>{properties}</properties>\n'
        )

    def tail(self, summary: dict[str, Any]) -> str:
        lines = []
        for gate in summary.get("gates") or []:
            gate_name = f"gate {gate['name']}"
            failure = "" if gate["passed"] else f'<failure message={_attr(gate["detail"])} type="gate"/>'
            lines.append(
                f'<testcase classname={_attr(SUITE + " gates")} name={_attr(gate_name)} time="0">{failure}</testcase>\n'
            )
        return "".join(lines) + "</testsuite>\n</testsuites>\n"
