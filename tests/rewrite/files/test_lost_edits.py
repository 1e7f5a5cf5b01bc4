"""No lost edits: a file edited while migrate works on it keeps the edit, whatever the edit looks like.

The check compares content, right before the rename: an edit that keeps the size and the
modification time (an editor restoring mtime, a fast same-length save on a coarse clock) is
caught, in the batch path (one process and the pool) and in `--interactive`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from migrate_cli.config import resolve_target
from migrate_cli.errors import ExitCode
from migrate_cli.rewrite import engine
from migrate_cli.rewrite.files import runner
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.runner import Failure, run_rewrite
from migrate_cli.rewrite.interactive.review import review_run
from migrate_cli.rewrite.model import RewriteSettings, SourceResult

SETTINGS = RewriteSettings(target=resolve_target())
CLIENT = b"from openai import OpenAI\n\nclient = OpenAI()\n"
# What an editor saves meanwhile: the same length as CLIENT, so size and mtime (restored) match.
EDITED = b"from openai import OpenAI\n\nclient = OpenAI( )\n"[: len(CLIENT) - 1] + b"\n"
assert len(EDITED) == len(CLIENT) and EDITED != CLIENT


def edit_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    path.write_bytes(EDITED)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def no_temp_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.endswith(files.TEMP_SUFFIX)]


def test_a_same_size_same_mtime_edit_after_the_read_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(CLIENT)
    original = files.read_file(str(target))
    edit_keeping_size_and_mtime(target)
    with pytest.raises(files.FileChangedError, match="changed on disk during the run"):
        files.write_atomic(str(target), b"rewritten\n", expected=original)
    assert target.read_bytes() == EDITED
    assert no_temp_files(tmp_path)


def test_the_check_runs_after_the_new_content_is_on_disk_right_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor that saves while our temporary file is being flushed still wins."""
    target = tmp_path / "app.py"
    target.write_bytes(CLIENT)
    original = files.read_file(str(target))
    real_fsync = os.fsync

    def fsync_while_the_editor_saves(fd: int) -> None:
        real_fsync(fd)
        edit_keeping_size_and_mtime(target)

    monkeypatch.setattr(files.os, "fsync", fsync_while_the_editor_saves)
    with pytest.raises(files.FileChangedError):
        files.write_atomic(str(target), b"rewritten\n", expected=original)
    assert target.read_bytes() == EDITED
    assert no_temp_files(tmp_path)


def test_an_unchanged_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(CLIENT)
    files.write_atomic(str(target), b"rewritten\n", expected=files.read_file(str(target)))
    assert target.read_bytes() == b"rewritten\n"


@pytest.mark.parametrize("jobs", [1, 2], ids=["one-process", "pool"])
def test_the_run_leaves_a_file_edited_between_its_read_and_its_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(runner, "MIN_FILES_FOR_POOL", 2)  # the pool with two files
    edited, other = tmp_path / "edited.py", tmp_path / "other.py"
    edited.write_bytes(CLIENT)
    other.write_bytes(CLIENT)
    real = engine.rewrite_source

    def rewrite_while_the_editor_saves(code: str, settings: RewriteSettings) -> SourceResult:
        result = real(code, settings)
        if code.encode() == CLIENT and edited.read_bytes() == CLIENT:
            edit_keeping_size_and_mtime(edited)  # after our read, before our write: the worst moment
        return result

    monkeypatch.setattr(engine, "rewrite_source", rewrite_while_the_editor_saves)
    run = run_rewrite([str(edited), str(other)], SETTINGS, write=True, jobs=jobs)
    outcome = run.outcomes[0]
    assert outcome.result.status == "error" and outcome.failure is Failure.WRITE
    assert outcome.result.error == f"{edited} changed on disk during the run; left as it is now"
    assert run.exit_code(check=False) is ExitCode.FAILURE
    assert edited.read_bytes() == EDITED
    assert b"api.vmira.ai" in other.read_bytes()  # the other file, not edited meanwhile, is written
    assert no_temp_files(tmp_path)


def test_interactive_leaves_a_file_edited_while_its_question_was_open(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(CLIENT)
    dry = run_rewrite([str(target)], SETTINGS, write=False)
    answers = iter(["y\n"])

    def answer_after_the_editor_saved() -> str:
        edit_keeping_size_and_mtime(target)
        return next(answers)

    out = io.StringIO()
    run = review_run(dry, SETTINGS, Console(file=out, width=200), ask=answer_after_the_editor_saved)
    outcome = run.outcomes[0]
    assert outcome.failure is Failure.WRITE
    assert "changed on disk while the questions were open; left as it is now" in out.getvalue()
    assert target.read_bytes() == EDITED
    assert no_temp_files(tmp_path)
