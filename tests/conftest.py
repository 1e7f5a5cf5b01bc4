"""Test isolation shared by every test: no real credentials or provider settings leak in."""

from __future__ import annotations

import os

import pytest

_ISOLATED_PREFIXES = ("OPENAI_", "MIGRATE_", "AZURE_OPENAI_")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES) or name.endswith("_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    # Color codes would make output assertions depend on the terminal running the tests.
    monkeypatch.setenv("NO_COLOR", "1")
