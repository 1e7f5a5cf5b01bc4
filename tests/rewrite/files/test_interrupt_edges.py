"""Ctrl-C at the edges of a run: while the report is written, at start-up, in disguise, and a parent
that dies under its workers. Found by benchmarks/chaos_rewrite.py; each is a test here."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.errors import ExitCode
from migrate_cli.rewrite import engine
from migrate_cli.rewrite.files.runner import Failure, run_rewrite
from migrate_cli.rewrite.files.stopping import caused_by_interrupt
from migrate_cli.rewrite.model import RewriteSettings, SourceResult

SETTINGS = RewriteSettings(target=resolve_target())
WAIT = 60.0  # bounds a hung test; measures nothing
linux_only = pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="reads process state from /proc")


def make_tree(root: Path, count: int) -> None:
    root.mkdir(exist_ok=True)
    for i in range(count):
        (root / f"m{i:04}.py").write_text(f"from openai import OpenAI\n\nclient_{i} = OpenAI(timeout={i})\n")


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.005)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@linux_only
def test_ctrl_c_while_the_json_waits_on_a_slow_reader_does_not_cut_it(tmp_path: Path) -> None:
    """CPython's stdout dropped what a signal-interrupted write left over: 64 kB of 160 kB arrived."""
    make_tree(tmp_path, 300)  # a JSON report several times a pipe's 64 kB
    process = subprocess.Popen(
        [sys.executable, "-m", "migrate_cli", "rewrite", ".", "--json", "--dry-run", "--jobs", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Nobody reads stdout yet: the report fills the pipe and the write blocks in the kernel.
    wait_for(lambda: Path(f"/proc/{process.pid}/wchan").read_text().endswith("pipe_write"), "the blocked write")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=WAIT)
    data = json.loads(out)  # whole: exactly one object
    assert len(data["changed"]) == 300 and len(out) > 65536
    assert process.returncode == data["exit_code"] == 0  # the run was complete before the Ctrl-C
    assert err == b""


@linux_only
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    """An orphaned worker used to wait on its task queue forever, holding stdout open."""
    make_tree(tmp_path, 3000)
    process = subprocess.Popen(
        [sys.executable, "-m", "migrate_cli", "rewrite", ".", "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: len(children(process.pid)) >= 2, "two workers")
    workers = children(process.pid)
    process.kill()
    process.wait(timeout=WAIT)
    wait_for(lambda: not any(alive(pid) for pid in workers), "the orphaned workers to end")


def test_an_interrupt_in_disguise_stops_the_run_instead_of_failing_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Raised inside class creation, a KeyboardInterrupt reaches us as a RuntimeError (3.11)."""
    make_tree(tmp_path, 5)
    real = engine.rewrite_source

    def interrupted_on_the_third(code: str, settings: RewriteSettings) -> SourceResult:
        if "client_2 " in code:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance") from KeyboardInterrupt()
        return real(code, settings)

    monkeypatch.setattr(engine, "rewrite_source", interrupted_on_the_third)
    run = run_rewrite(sorted(str(p) for p in tmp_path.iterdir()), SETTINGS, write=True)
    assert run.interrupted and run.exit_code(check=False) is ExitCode.INTERRUPTED
    assert all(o.failure is not Failure.INTERNAL for o in run.outcomes)
    assert [Path(o.result.path).name for o in run.outcomes] == ["m0000.py", "m0001.py"]


def test_caused_by_interrupt_follows_causes_and_contexts() -> None:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("while handling it") from None
    except ValueError as error:
        assert not caused_by_interrupt(error)  # `from None` hides the context
    assert not caused_by_interrupt(RuntimeError("plain"))
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = KeyboardInterrupt()
    assert caused_by_interrupt(wrapped)


@pytest.fixture
def sigint_restored() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("where", ["import", "command"])
def test_a_ctrl_c_while_the_cli_starts_is_one_line_and_130(where: str) -> None:
    """In a child process: the entry point ends the process itself (os._exit)."""
    raising = (
        "raise KeyboardInterrupt"
        if where == "import"
        # a KeyboardInterrupt out of exec'd code, caught further up: CPython then exits by SIGINT
        else "exec('raise KeyboardInterrupt')"
    )
    code = (
        "import migrate_cli.cli, migrate_cli.__main__ as entry\n"
        "def interrupted():\n"
        f"    {raising}\n"
        "migrate_cli.cli.main = interrupted\n"
        "entry.main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=WAIT)
    assert (result.returncode, result.stderr) == (130, "interrupted\n")


@pytest.mark.usefixtures("sigint_restored")
def test_typers_silent_130_says_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    import migrate_cli.cli as cli
    import migrate_cli.console as console

    def typer_saw_a_ctrl_c(**kwargs: object) -> None:
        raise SystemExit(130)  # what Typer does with a Ctrl-C while it reads the options

    monkeypatch.setattr(cli, "app", typer_saw_a_ctrl_c)
    monkeypatch.setitem(console._said, "interrupted", False)
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(SystemExit):
        cli.main()
    assert stderr.getvalue() == "interrupted\n"


def test_the_entry_point_imports_nothing_heavy() -> None:
    """The start-up guard must be in place before typer and rich are imported."""
    code = "import sys, migrate_cli.__main__; print(sorted(m for m in ('typer', 'rich') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=WAIT, check=True)
    assert result.stdout.strip() == "[]"
