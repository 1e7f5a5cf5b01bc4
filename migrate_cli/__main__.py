"""`migrate` and `python -m migrate_cli`: start the CLI; a Ctrl-C while it starts ends quietly.

Importing the CLI (typer, rich) takes a few tenths of a second. A Ctrl-C in that time would print
a traceback; nothing has been done yet, so it is "interrupted" and exit code 130, as anywhere
else. (This module imports nothing heavy itself, so that the guard is in place first.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from migrate_cli.errors import ExitCode, exit_at_ctrl_c


def main() -> None:
    try:
        from migrate_cli.cli import main as run_cli

        run_cli()
    except KeyboardInterrupt:
        exit_at_ctrl_c()
        sys.stderr.write("interrupted\n")
        _exit_interrupted()
    except SystemExit as exit:
        if exit.code == ExitCode.INTERRUPTED:
            _exit_interrupted()
        raise
    finally:
        _ignore_ctrl_c_from_here()


def _exit_interrupted() -> None:
    """Exit with 130 now, everything said and flushed. Not through the interpreter's exit: CPython
    marks a KeyboardInterrupt that left code run by exec() or eval() of a string (dataclasses and
    Typer's annotations run such code while the CLI starts) as unhandled, even once caught further
    up, and then ends the process by SIGINT (shown as -2, not 130) at exit."""
    _ignore_ctrl_c_from_here()
    os._exit(ExitCode.INTERRUPTED)


def _ignore_ctrl_c_from_here() -> None:
    """Everything is done and said (the worker pool, if any, is shut down): a Ctrl-C while the
    interpreter shuts down has nothing left to interrupt, and would only turn the exit code into
    "killed by SIGINT", or print a traceback. (An exit-at-once handler would not do: Python puts
    back the default action for signals it handles when it finalizes; SIG_IGN it leaves.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can reach it
            stream.flush()


if __name__ == "__main__":
    main()
