"""Ctrl-C during a rewrite: the first stops after the files in hand, a second at once; nothing is lost.

Every scenario checks the same three things: each file is either as it was or completely
rewritten, no `.migrate-tmp` file is left, and what the run reports as written is exactly what
changed on disk. Signals are real (SIGINT to this process or to the CLI's); a slowed-down write
(fsync) or rewrite makes sure they land mid-file. Nothing here measures time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.errors import ExitCode
from migrate_cli.rewrite import engine
from migrate_cli.rewrite.files import runner
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.runner import RunResult, run_rewrite
from migrate_cli.rewrite.files.stopping import Interrupts
from migrate_cli.rewrite.model import RewriteSettings

SETTINGS = RewriteSettings(target=resolve_target())
WAIT = 60.0  # bounds a hung test; measures nothing


def client(i: int) -> str:
    return f"from openai import OpenAI\n\nclient_{i} = OpenAI(timeout={i})\n"


def rewritten(i: int) -> str:
    return (
        "import os\nfrom openai import OpenAI\n\n"
        f'client_{i} = OpenAI(timeout={i}, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")\n'
    )


def make_tree(root: Path, count: int) -> list[str]:
    root.mkdir(exist_ok=True)
    paths = []
    for i in range(count):
        path = root / f"m{i:04}.py"
        path.write_text(client(i))
        paths.append(str(path))
    return paths


def changed_on_disk(root: Path) -> set[str]:
    """Paths rewritten on disk; fails if any file is neither original nor completely rewritten."""
    changed = set()
    for path in sorted(root.glob("m*.py")):
        i = int(path.stem[1:])
        text = path.read_text()
        assert text in (client(i), rewritten(i)), f"{path.name} is half-written: {text!r}"
        if text == rewritten(i):
            changed.add(str(path))
    return changed


def temp_files(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.endswith(files.TEMP_SUFFIX)]


@pytest.fixture
def sigint_ignored_outside_the_run() -> Iterator[None]:
    """A SIGINT that lands after the run (the signalling thread is late) must not stop pytest."""
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    yield
    signal.signal(signal.SIGINT, previous)


def ctrl_c_when(ready: Callable[[], bool], times: int) -> threading.Thread:
    """Send SIGINT to this process `times` times (back to back) once `ready()` holds."""

    def wait_then_signal() -> None:
        deadline = time.monotonic() + WAIT
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.002)
        for _ in range(times):
            os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=wait_then_signal, daemon=True)
    thread.start()
    return thread


def run_interrupted(paths: list[str], jobs: int, ready: Callable[[], bool], times: int) -> RunResult:
    interrupts = Interrupts()
    with interrupts.installed():
        thread = ctrl_c_when(ready, times)
        run = run_rewrite(paths, SETTINGS, write=True, jobs=jobs, stop=interrupts)
    thread.join(WAIT)
    return run


def slow(monkeypatch: pytest.MonkeyPatch, module: object, name: str, seconds: float) -> None:
    real = getattr(module, name)

    def slowed(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slowed)


def assert_consistent(run: RunResult, root: Path) -> None:
    assert run.interrupted and run.exit_code(check=False) is ExitCode.INTERRUPTED
    listed = {o.result.path for o in run.outcomes if o.result.status == "changed"}
    assert listed == changed_on_disk(root)  # reported written == written
    assert temp_files(root) == []


@pytest.mark.usefixtures("sigint_ignored_outside_the_run")
@pytest.mark.parametrize("jobs", [1, 2], ids=["one-process", "pool"])
def test_the_first_ctrl_c_finishes_the_files_in_hand_and_reports_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(runner, "MIN_FILES_FOR_POOL", 4)
    slow(monkeypatch, engine, "rewrite_source", 0.02)
    paths = make_tree(tmp_path, 60)
    run = run_interrupted(paths, jobs, ready=lambda: len(changed_on_disk(tmp_path)) >= 3, times=1)
    assert_consistent(run, tmp_path)
    assert 3 <= len(changed_on_disk(tmp_path)) < len(paths)
    assert run.not_reached == len(paths) - len(run.outcomes) > 0


@pytest.mark.usefixtures("sigint_ignored_outside_the_run")
@pytest.mark.parametrize("jobs", [1, 2], ids=["one-process", "pool"])
def test_a_second_ctrl_c_mid_write_stops_at_once_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(runner, "MIN_FILES_FOR_POOL", 4)
    slow(monkeypatch, files.os, "fsync", 0.2)  # a slow disk: the signals land while a temp file exists
    paths = make_tree(tmp_path, 40)
    run = run_interrupted(paths, jobs, ready=lambda: bool(temp_files(tmp_path)), times=2)
    assert_consistent(run, tmp_path)
    # The write in progress was finished (and reported), the rest never started.
    assert 1 <= len(changed_on_disk(tmp_path)) <= jobs + 2


@pytest.mark.usefixtures("sigint_ignored_outside_the_run")
def test_a_second_ctrl_c_stops_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "MIN_FILES_FOR_POOL", 4)
    slow(monkeypatch, engine, "rewrite_source", 0.5)  # workers busy in the engine, not writing
    paths = make_tree(tmp_path, 40)
    before = set(_children())
    run = run_interrupted(paths, 2, ready=lambda: len(set(_children()) - before) >= 2, times=2)
    assert_consistent(run, tmp_path)
    assert set(_children()) - before == set()  # no worker outlives the run


def _children() -> list[int]:
    """Our child processes that are still running (zombies already reaped by the pool excluded)."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_children_helper_sees_this_process_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in _children()
    finally:
        child.kill()
        child.wait()


def test_the_cli_prints_one_json_object_listing_what_was_written(tmp_path: Path) -> None:
    root = tmp_path / "src"
    make_tree(root, 3000)  # long enough to be caught mid-run
    process = subprocess.Popen(
        [sys.executable, "-m", "migrate_cli", "rewrite", str(root), "--json", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + WAIT
    while not changed_on_disk(root) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=WAIT)
    assert process.returncode == ExitCode.INTERRUPTED, err
    data = json.loads(out)  # exactly one object
    assert data["exit_code"] == 130 and data["interrupted"]["files_not_reached"] > 0
    assert set(data["changed"]) == changed_on_disk(root)
    assert data["summary"]["files_changed"] == len(data["changed"]) > 0
    assert temp_files(root) == []
    assert err.strip() == "interrupted"
