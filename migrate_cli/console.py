"""The one place that builds rich consoles: results on stdout, messages on stderr.

rich switches colour off by itself when the stream is not a terminal and honours NO_COLOR, so a
piped diff or table is plain text.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import IO, Any

from rich.console import Console

from migrate_cli.errors import exit_at_ctrl_c

_said = {"interrupted": False}


@cache
def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


@cache
def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def write_all(file: IO[str], text: str) -> None:
    """Write `text` to `file` whole, even when a signal interrupts a write blocked on a full pipe.

    CPython's buffered stdout drops what a partial write left over when a signal handler that
    does not raise runs during the write (measured on 3.11: of 300 kB written to a pipe whose
    reader was slow, 64 kB arrived after one Ctrl-C). While a report is printed, Ctrl-C is only
    counted (rewrite/stopping.py), so the bytes go out through `os.write` until all are written.
    """
    try:
        descriptor = file.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (tests): nothing to interrupt
        file.write(text)
        file.flush()
        return
    file.flush()
    data = memoryview(
        text.encode(getattr(file, "encoding", None) or "utf-8", getattr(file, "errors", None) or "strict")
    )
    while data:
        data = data[os.write(descriptor, data) :]


def say_interrupted() -> None:
    """The one line a Ctrl-C ends with, said once; another Ctrl-C from here ends the process at once."""
    exit_at_ctrl_c()
    if _said["interrupted"]:
        return
    _said["interrupted"] = True
    # Plain sys.stderr, not rich: rich's first print imports modules, time in which a Ctrl-C lands.
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()


def interrupted_said() -> bool:
    return _said["interrupted"]


def print_json(document: dict[str, Any]) -> None:
    """Plain JSON on stdout: no rich wrapping or colour, whatever the terminal."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
