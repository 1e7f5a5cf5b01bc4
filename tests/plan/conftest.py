"""Fixtures for the plan tests: code to scan, and the probe tests' fake provider on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "probe"))

from probe_server import ProbeProvider


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project (a .git, no config), the current directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def provider() -> Iterator[ProbeProvider]:
    with ProbeProvider() as server:
        yield server
