"""Run `python -m migrate_cli ...` on a real pseudo-terminal and talk to it like a person would.

`pty.fork()` gives the child a controlling terminal, so it sees a TTY on stdin/stdout, Ctrl-C
(\\x03) raises SIGINT in it and Ctrl-D (\\x04) ends its input, exactly as in a terminal emulator.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

# Generous: these bound a hung test, they never measure anything.
DEADLINE = 60.0
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], columns: int = 160) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: become `python -m migrate_cli ...`
            try:
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "migrate_cli", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        self.raw = b""
        self._seen = 0  # what expect() has consumed
        self.exit_code: int | None = None

    @property
    def text(self) -> str:
        """Everything the program printed, colour codes removed, CRLF (the tty's) as "\\n"."""
        return _ANSI.sub("", self.raw.decode("utf-8", "replace")).replace("\r\n", "\n")

    def expect(self, needle: str) -> str:
        """Wait until `needle` appears after what earlier calls consumed; return the text up to it."""
        deadline = time.monotonic() + DEADLINE
        while True:
            text = self.text
            at = text.find(needle, self._seen)
            if at >= 0:
                chunk = text[self._seen : at + len(needle)]
                self._seen = at + len(needle)
                return chunk
            if not self._read(deadline - time.monotonic()):
                raise AssertionError(f"{needle!r} never appeared; the program printed:\n{text}")

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def answer(self, *answers: str) -> None:
        """Answer the next questions, one per prompt."""
        for answer in answers:
            self.expect("]? ")
            self.send(answer + "\n")

    def wait(self) -> int:
        """Read to the end and return the exit code."""
        deadline = time.monotonic() + DEADLINE
        while self._read(deadline - time.monotonic()):
            pass
        if self.exit_code is None:
            _, status = os.waitpid(self.pid, 0)
            self.exit_code = os.waitstatus_to_exitcode(status)
        os.close(self.fd)
        return self.exit_code

    def kill(self) -> None:
        if self.exit_code is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass

    def _read(self, timeout: float) -> bool:
        """Read what is there; False at end of output (or when the time is up)."""
        if timeout <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError as exc:  # EIO: the child closed the terminal
            if exc.errno == errno.EIO:
                return False
            raise
        self.raw += data
        return bool(data)


#: What the `run` / `terminal` fixtures give a test: start `migrate` with these arguments on a terminal.
StartTerminal = Callable[..., Terminal]
