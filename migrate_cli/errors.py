"""Exit codes and the errors a user can act on.

Every command ends with one of the codes below (see DESIGN.md, "the contract"). Code that finds a
problem the user must fix raises a `MigrateError` subclass with a message written for them; the CLI
prints it as one line on stderr, never as a traceback.
"""

from __future__ import annotations

import os
import signal
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: `rewrite --check` found files that would change, `smoke` found regressions, or `plan` found
    #: features the target rejects, ignores or was never probed for.
    CHANGES = 1
    #: Bad usage or bad input: nothing was done.
    USAGE = 2
    #: A provider or the infrastructure failed (auth rejected, host unreachable, internal error).
    FAILURE = 3
    INTERRUPTED = 130
    #: Our stdout was closed by its reader (`| head`): the shell's code for a process ended by
    #: SIGPIPE (128 + 13), which `git diff | head` and every Unix filter give.
    STDOUT_CLOSED = 141


def exit_at_ctrl_c(code: int = ExitCode.INTERRUPTED) -> None:
    """From now on a Ctrl-C ends the process at once with `code`, no traceback, no cleanup: for
    the moments after everything is said (or "interrupted" is being said) and before the
    interpreter is gone. Only from the main thread, where Python runs signal handlers."""
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(code))


class MigrateError(Exception):
    """An error with a message meant for the user. `hint` says what to do about it."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(MigrateError):
    """Bad flags, a bad config file, a bad input file. Raised before anything is changed or paid for."""

    exit_code = ExitCode.USAGE


class ProviderError(MigrateError):
    """A provider refused us or could not be reached (auth, DNS, connection)."""

    exit_code = ExitCode.FAILURE
