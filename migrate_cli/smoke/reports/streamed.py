"""The shared mechanics of the Markdown, HTML and JUnit writers: per-case text goes to a hidden
`.NAME.cases` file as cases finish; `finish` writes head + those cases + tail to `.NAME.partial`
and renames it into place. Everything written passes through `redact()` with the run's key values.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from migrate_cli.errors import UsageError
from migrate_cli.redact import redact
from migrate_cli.smoke.gates import GateSettings
from migrate_cli.smoke.outputs import OutputError
from migrate_cli.smoke.records import CaseResult


class StreamedReport:
    def __init__(self, path: Path, run: dict[str, Any], gates: GateSettings, secrets: Sequence[str]) -> None:
        self.path = path
        self.run = run
        self.gates = gates
        self.secrets = list(secrets)
        self._cases_path = path.with_name(f".{path.name}.cases")
        self._partial = path.with_name(f".{path.name}.partial")
        try:
            self._case_file: IO[str] = open(self._cases_path, "w+", encoding="utf-8")  # noqa: SIM115 - closed in finish
        except OSError as exc:
            raise UsageError(f"--report {path}: cannot write ({exc.strerror})") from None

    # --- what a format says ----------------------------------------------------------------------

    def case_text(self, result: CaseResult) -> str:
        """The case's part of the file, written as it finishes ("" for none)."""
        return ""

    def head(self, summary: dict[str, Any]) -> str:
        raise NotImplementedError

    def tail(self, summary: dict[str, Any]) -> str:
        return ""

    # --- mechanics ---------------------------------------------------------------------------------

    def add(self, result: CaseResult) -> None:
        text = self.case_text(result)
        if text:
            try:
                self._case_file.write(redact(text, self.secrets))
            except OSError as exc:
                raise OutputError(f"cannot write the report {self.path}: {exc.strerror}") from None

    def finish(self, summary: dict[str, Any]) -> None:
        try:
            with open(self._partial, "w", encoding="utf-8") as out:
                out.write(redact(self.head(summary), self.secrets))
                self._case_file.seek(0)
                shutil.copyfileobj(self._case_file, out)
                out.write(redact(self.tail(summary), self.secrets))
            os.replace(self._partial, self.path)
        except OSError as exc:
            self._partial.unlink(missing_ok=True)
            raise OutputError(f"cannot write the report {self.path}: {exc.strerror}") from None
        finally:
            self._case_file.close()
            self._cases_path.unlink(missing_ok=True)

    def discard(self) -> None:
        self._case_file.close()
        self._cases_path.unlink(missing_ok=True)
        self._partial.unlink(missing_ok=True)
