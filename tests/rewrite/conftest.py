"""Fixtures shared by the rewrite tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def target():
    """The fake OpenAI-compatible target on 127.0.0.1 that rewritten code is run against."""
    from framework_helpers import FakeTarget, serve

    yield from serve(FakeTarget(reply="hi from the target"))
