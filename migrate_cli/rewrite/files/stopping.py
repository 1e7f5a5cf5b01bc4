"""Ctrl-C during `migrate rewrite`: the first one stops the run after the files in hand, a second at once.

The first Ctrl-C (SIGINT) sets a flag. The run starts no new file; the files being processed, in
this process or in the workers (which ignore SIGINT and read the flag from shared memory between
files), are finished and reported, so the report, and the `--json` object, list exactly what was
written. The command then exits with 130.

A second Ctrl-C stops at once: in this process it raises KeyboardInterrupt; workers are sent
SIGTERM (runner.py). Neither ever cuts a write in half or loses track of it: a file's write, from
its temporary file to the rename and the note that it was written, is a `write_section`, and a
stop that arrives inside one waits for its end (milliseconds). A stop anywhere else abandons the
file in hand, whose temporary file, if any, is removed on the way out (files.write_atomic), so no
`.migrate-tmp` file is left and each file is either as it was or completely rewritten.

Once the run is over and its report is being printed, Ctrl-C no longer cuts anything: the report
(one JSON object with `--json`) is printed whole, then the command exits with 130.

Process-wide state (signal handlers are process-wide): one `Interrupts` per command run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any


@dataclass
class _WriteSections:
    """This process's write sections, and the stop that waits for the current one to end."""

    depth: int = 0
    pending: Callable[[], None] | None = None
    #: Called with the path of each file written (in a worker: a queue to the parent).
    log: Callable[[str], None] | None = None


_sections = _WriteSections()


@contextmanager
def write_section(path: str) -> Iterator[None]:
    """A write and its record: a stop that arrives inside waits until both are done."""
    _sections.depth += 1
    try:
        yield
        if _sections.log is not None:
            _sections.log(path)
    finally:
        _sections.depth -= 1
        if _sections.depth == 0 and _sections.pending is not None:
            stop, _sections.pending = _sections.pending, None
            stop()


def stop_now(stop: Callable[[], None]) -> None:
    """Run `stop` (which raises or exits) now, or at the end of the write section in progress."""
    if _sections.depth:
        _sections.pending = stop
    else:
        stop()


def set_write_log(log: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """Report every file written in this process to `log` from now on; the previous log."""
    previous, _sections.log = _sections.log, log
    return previous


@contextmanager
def logging_writes(log: Callable[[str], None]) -> Iterator[None]:
    """Report every file written in this process to `log` while the block runs."""
    previous = set_write_log(log)
    try:
        yield
    finally:
        set_write_log(previous)


def _raise_interrupt() -> None:
    raise KeyboardInterrupt


def caused_by_interrupt(error: BaseException) -> bool:
    """Whether a Ctrl-C is behind `error`. A KeyboardInterrupt can surface as another exception:
    raised inside an import's class creation it becomes a RuntimeError ("Error calling
    __set_name__ ...") whose cause it is. Such an error is the interruption, not a bug."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        # As a traceback reads the chain: the cause, else the context unless `from None` hid it.
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return False


@dataclass
class Interrupts:
    """SIGINT while a command runs: count them, ask the run to stop, stop it hard on the second."""

    count: int = 0
    #: After the run: Ctrl-C is only counted, so the report is never cut.
    reporting: bool = False
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    @property
    def requested(self) -> bool:
        return self.count > 0

    def on_request(self, listener: Callable[[], None]) -> None:
        """Call `listener` at the first Ctrl-C (now, if it came already). Must be signal-safe."""
        self._listeners.append(listener)
        if self.requested:
            listener()

    def handle(self, signum: int = signal.SIGINT, frame: FrameType | None = None) -> None:
        self.count += 1
        if self.count == 1:
            for listener in self._listeners:
                listener()
        elif not self.reporting:
            stop_now(_raise_interrupt)

    @contextmanager
    def installed(self) -> Iterator[Interrupts]:
        previous = signal.signal(signal.SIGINT, self.handle)
        try:
            yield self
        finally:
            _restore(self.handle, previous)

    @contextmanager
    def default_handling(self) -> Iterator[None]:
        """Plain KeyboardInterrupt at the first Ctrl-C inside the block (--interactive questions)."""
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            yield
        finally:
            _restore(signal.default_int_handler, previous)


def _restore(ours: Any, previous: Any) -> None:
    """Put `previous` back, unless the handler is no longer `ours`: once the process is on its
    way out ("interrupted" said, errors.exit_at_ctrl_c), a Ctrl-C must stay a plain exit."""
    if signal.getsignal(signal.SIGINT) == ours:
        signal.signal(signal.SIGINT, previous)


# --- in a worker process ---------------------------------------------------------------------


class _Terminated(BaseException):
    """SIGTERM from the parent (a second Ctrl-C): leave the file in hand, clean up, exit."""


@dataclass
class WorkerStop:
    """A worker's side: the parent's stop flag (shared memory) and what SIGTERM does."""

    #: multiprocessing RawValue("b"): set by the parent at the first Ctrl-C. Read, never locked.
    flag: Any
    busy: bool = False

    @property
    def requested(self) -> bool:
        return bool(self.flag.value)

    def install(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it signals with the flag
        signal.signal(signal.SIGTERM, self._terminate)

    def _terminate(self, signum: int, frame: FrameType | None) -> None:
        # In a task, unwind it (a temporary file is removed on the way) and exit in `task()`;
        # between tasks there is nothing to clean up.
        stop_now(self._raise if self.busy else _exit_worker)

    @staticmethod
    def _raise() -> None:
        raise _Terminated

    @contextmanager
    def task(self) -> Iterator[None]:
        try:
            self.busy = True
            yield
        except _Terminated:
            _exit_worker()
        finally:
            self.busy = False


def _exit_worker() -> None:
    # os._exit: no interpreter shutdown, which would wait on the pool's queues the parent has left.
    os._exit(128 + signal.SIGTERM)
