"""The one place that builds rich consoles: results on stdout, messages on stderr.

rich switches colour off by itself when the stream is not a terminal and honours NO_COLOR, so a
piped diff or table is plain text.
"""

from __future__ import annotations

from functools import cache

from rich.console import Console


@cache
def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


@cache
def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)
