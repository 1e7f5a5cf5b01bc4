"""Fixtures for the probe tests: a fake provider on 127.0.0.1 set per feature, and `migrate probe`
run in-process against it with the real openai SDK."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from probe_helpers import KEY_ENV, Probe
from probe_server import KEY, ProbeProvider


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty directory holding a .git, so no project config is picked up by accident."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def provider() -> Iterator[ProbeProvider]:
    with ProbeProvider() as server:
        yield server


@pytest.fixture
def probe(provider: ProbeProvider, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Probe:
    monkeypatch.setenv(KEY_ENV, KEY)
    return Probe(provider)
