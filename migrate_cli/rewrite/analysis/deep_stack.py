"""Run libcst's parser where its native recursion cannot crash the process.

libcst parses in native code (Rust) that recurses once per level of nesting, on the calling
thread's stack. The main thread's 8 MB are gone at depths CPython's own parser takes in stride:
measured with libcst 1.9, `a and a and ...` 100,000 times, 5,000 chained lambdas or 2,000 nested
brackets end the process with a segmentation fault, not an exception, taking every other file of
the run with it. On a thread with a 512 MB stack (address space, not memory: only the pages the
recursion touches are ever used) the same inputs parse, or fail with an exception we can report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

#: Room for the deepest nesting CPython's parser accepts, which libcst's parser recurses through.
STACK_BYTES = 512 * 1024 * 1024

Result = TypeVar("Result")


def on_deep_stack(work: Callable[[], Result]) -> Result:
    """`work()`, run on a thread with a big stack; its exception, if any, is raised here."""
    outcome: list[Result] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller, whatever it is
            failure.append(exc)

    # daemon: a Ctrl-C that ends the process does not wait for a parse nobody needs any more.
    thread = threading.Thread(target=run, name="migrate-parse", daemon=True)
    previous = threading.stack_size()
    try:
        threading.stack_size(STACK_BYTES)  # read when the thread starts, not when it is made
        thread.start()
    except (ValueError, RuntimeError):  # the platform refuses the size: the default it is
        threading.stack_size(previous)
        thread = threading.Thread(target=run, name="migrate-parse", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
