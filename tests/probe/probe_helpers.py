"""`migrate probe` in-process against a `ProbeProvider`, and what it printed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from probe_server import MODEL, ProbeProvider
from typer.testing import CliRunner

KEY_ENV = "PROBE_TARGET_KEY"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def verdicts(self) -> dict[str, tuple[str, str]]:
        return {f["feature"]: (f["verdict"], f["evidence"]) for f in self.document["features"]}


@dataclass
class Probe:
    provider: ProbeProvider

    def args(self, *extra: str) -> list[str]:
        return ["probe", "--base-url", self.provider.url, "--api-key-env", KEY_ENV, "--model", MODEL, *extra]

    def __call__(self, *extra: str) -> Result:
        return run_cli(*self.args(*extra))


def run_cli(*args: str) -> Result:
    from migrate_cli.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)
