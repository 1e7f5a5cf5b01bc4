"""Fixtures for smoke tests: two fake providers on 127.0.0.1 (baseline and candidate), their keys in
the environment, a prompts-file writer and a CLI runner.

Keys are long, key-shaped values so both redaction nets (exact values and the key pattern) are
exercised; tests scan every output for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
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
#: Keys that do not look like sk-...: no pattern can catch them, only their values can.
KEY_SHAPES = {
    "hex64": "3f9ac2d1e8b7460f9a2c5d7e1b3f8a6c0d4e2f9b7a1c3e5d8f0a2b4c6d8e0f1a",
    "groq": "gsk_Wq8Zt3LmNp5Rv7Xy9Ab2Cd4Ef6Gh8Jk0",
    "xai": "xai-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4",
    "short": "k3Y!z9",
}


def leaks(text: str, key: str, width: int = 8) -> bool:
    """True when `text` shows `key`, or any `width` consecutive characters of it past its public
    type prefix (a key cut short is still a leak)."""
    secret = key.split("_", 1)[1] if key.startswith("gsk_") else key.removeprefix("xai-").removeprefix("sk-")
    if key in text or (len(secret) <= width and secret in text):
        return True
    return any(secret[i : i + width] in text for i in range(len(secret) - width + 1))


def written_text(directory: Path) -> str:
    """Every file under `directory`, as text: what a run left on disk."""
    return "".join(p.read_text("utf-8", "replace") for p in sorted(directory.rglob("*")) if p.is_file())


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


def write_prompts(path: Path, lines: Sequence[Mapping[str, Any] | str]) -> Path:
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


@pytest.fixture
def smoke_keyed(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], Smoke]]:
    """`make(baseline_key, candidate_key)`: a `Smoke` whose two providers want these keys."""
    started: list[FakeProvider] = []

    def make(baseline_key: str, candidate_key: str) -> Smoke:
        monkeypatch.setenv(BASELINE_ENV, baseline_key)
        monkeypatch.setenv(CANDIDATE_ENV, candidate_key)
        pair = [
            FakeProvider(api_key=baseline_key, default=Reply("The capital of France is Paris.")).start(),
            FakeProvider(api_key=candidate_key, default=Reply("Paris is the capital."), auth_style="vmira").start(),
        ]
        started.extend(pair)
        return Smoke(*pair)

    yield make
    for provider in started:
        provider.stop()


# The two-tokenizer providers of the calibration, cache, noise, gates and report tests.
from decision import two_tokenizers  # noqa: E402, F401 - a fixture, registered by being here
