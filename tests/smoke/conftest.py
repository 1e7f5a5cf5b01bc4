"""Fixtures for smoke tests: two fake providers on 127.0.0.1 (baseline and candidate), their keys in
the environment, a prompts-file writer and a CLI runner.

Keys are long, key-shaped values so both redaction nets (exact values and the key pattern) are
exercised; tests scan every output for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from server import FakeProvider, Reply

BASELINE_KEY = "sk-proj-BASELINEsecretVALUE1234567890abcdef"
CANDIDATE_KEY = "sk-mira-CANDIDATEsecretVALUE0987654321zyxw"
BASELINE_ENV = "SMOKE_BASELINE_KEY"
CANDIDATE_ENV = "SMOKE_CANDIDATE_KEY"


@pytest.fixture
def baseline() -> Iterator[FakeProvider]:
    with FakeProvider(api_key=BASELINE_KEY, default=Reply("The capital of France is Paris.")) as provider:
        yield provider


@pytest.fixture
def candidate() -> Iterator[FakeProvider]:
    with FakeProvider(
        api_key=CANDIDATE_KEY, default=Reply("The capital of France is Paris."), auth_style="vmira"
    ) as provider:
        yield provider


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASELINE_ENV, BASELINE_KEY)
    monkeypatch.setenv(CANDIDATE_ENV, CANDIDATE_KEY)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty directory holding a .git, so no project config is picked up by accident."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_prompts(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), "utf-8")
    return path


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class Smoke:
    """`migrate smoke` in-process, pointed at the two fake providers."""

    baseline: FakeProvider
    candidate: FakeProvider

    def args(self, prompts: Path, *extra: str) -> list[str]:
        return [
            "smoke",
            str(prompts),
            "--base-url",
            self.candidate.url,
            "--api-key-env",
            CANDIDATE_ENV,
            "--baseline-base-url",
            self.baseline.url,
            "--baseline-api-key-env",
            BASELINE_ENV,
            "--max-retries",
            "0",
            "--timeout",
            "10",
            *extra,
        ]

    def __call__(self, prompts: Path, *extra: str) -> Result:
        from migrate_cli.cli import app

        result = CliRunner().invoke(app, self.args(prompts, *extra), catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def smoke(baseline: FakeProvider, candidate: FakeProvider, keys: None, workdir: Path) -> Smoke:
    return Smoke(baseline, candidate)


# The two-tokenizer providers of the calibration, cache, noise, gates and report tests.
from decision import two_tokenizers  # noqa: E402, F401 - a fixture, registered by being here
