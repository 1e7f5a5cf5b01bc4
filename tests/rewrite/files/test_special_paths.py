"""FIFOs, sockets and devices are skipped with a message, never opened: reading a FIFO waits forever.

Runs go through a subprocess with a timeout, so a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.runner import process_file
from migrate_cli.rewrite.model import RewriteSettings

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")

CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"
HANG_GUARD = 60  # seconds; bounds a regression, measures nothing


def migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(CLIENT)
    os.mkfifo(tmp_path / "pipe.py")
    os.mkfifo(tmp_path / "notes.txt")  # not a file the globs want: not worth a word
    return tmp_path


def test_a_fifo_in_the_walk_is_skipped_with_a_message_and_the_rest_is_rewritten(tree: Path) -> None:
    result = migrate(".", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert "rewrote app.py (1 change: MC001)" in result.stderr
    assert "Skipped (1 file):\n  pipe.py: a FIFO (named pipe), not a regular file: skipped without opening it\n" in (
        result.stderr
    )
    assert "notes.txt" not in result.stderr
    assert result.stderr.rstrip().endswith("1 file rewritten, 1 file skipped (2 files scanned)")


def test_a_fifo_named_on_the_command_line_is_skipped_not_waited_on(tree: Path) -> None:
    result = migrate("pipe.py", "--json", cwd=tree)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    reason = "a FIFO (named pipe), not a regular file: skipped without opening it"
    assert data["skipped"] == [{"path": "pipe.py", "reason": reason}]
    assert data["files"] == [
        {
            "path": "pipe.py",
            "status": "skipped",
            "changes": [],
            "review": [],
            "security": [],
            "diff": "",
            "skipped": reason,
        }
    ]
    assert data["summary"]["skipped"] == 1 and data["exit_code"] == 0


def test_a_socket_and_a_device_are_skipped(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(tmp_path / "agent.py"))
        result = migrate("agent.py", os.devnull, cwd=tmp_path)
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    assert "agent.py: a socket, not a regular file: skipped without opening it" in result.stderr
    assert f"{os.devnull}: a character device, not a regular file: skipped without opening it" in result.stderr


def test_a_gitignore_that_is_a_fifo_does_not_block_the_walk(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(CLIENT)
    os.mkfifo(tmp_path / ".gitignore")
    result = migrate(".", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "would rewrite app.py" in result.stderr


def test_a_file_that_became_a_fifo_after_the_walk_is_skipped_when_read(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    os.mkfifo(path)  # the walk saw a file here; by the time it is read it is a FIFO
    with pytest.raises(files.NotRegularFileError):
        files.read_file(str(path))
    outcome = process_file(str(path), RewriteSettings(target=resolve_target()), write=True)
    assert outcome.failure is None
    assert outcome.result.status == "skipped"
    assert outcome.result.skipped is not None and "a FIFO" in outcome.result.skipped.reason
