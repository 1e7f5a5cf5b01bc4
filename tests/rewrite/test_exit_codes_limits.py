"""Exit codes at the edges: code Python's parser gives up on is bad input (2), a closed stdout is quiet.

CPython's parser answers a 5,000-deep expression with MemoryError ("too complex"), RecursionError
or a SyntaxError ("too many nested parentheses"), depending on its shape: each is "cannot parse",
exit 2, never "internal error". A reader that goes away (`| head`) ends the run quietly with
141 (128 + SIGPIPE), as `git diff | head` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.errors import ExitCode
from migrate_cli.rewrite.files import runner
from migrate_cli.rewrite.files.runner import Failure, run_rewrite
from migrate_cli.rewrite.model import TOO_DEEP, RewriteSettings

DEPTH = 5000
DEEP = {
    "lambdas": "x = " + "lambda: " * DEPTH + "1\n",  # MemoryError on 3.11
    "powers": "x = " + "2**" * DEPTH + "2\n",  # MemoryError
    "sums": "x = " + "1+" * DEPTH + "1\n",  # RecursionError
    "negations": "x = " + "-" * DEPTH + "1\n",  # RecursionError
}
CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"


def migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_a_file_too_deep_for_the_parser_is_cannot_parse_exit_2(tmp_path: Path, shape: str) -> None:
    (tmp_path / "deep.py").write_text("import openai\n" + DEEP[shape])
    (tmp_path / "ok.py").write_text(CLIENT)
    result = migrate(".", cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert f"  deep.py: {TOO_DEEP}\n" in result.stderr
    assert "internal error" not in result.stderr
    assert "rewrote ok.py" in result.stderr  # the rest of the run went on


def test_too_many_nested_parentheses_is_cannot_parse_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "deep.py").write_text("import openai\nx = " + "(" * DEPTH + "1" + ")" * DEPTH + "\n")
    result = migrate("deep.py", cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE
    assert "deep.py: cannot parse: too many nested parentheses (line 2)" in result.stderr


def test_deep_files_in_worker_processes_are_input_errors_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "MIN_FILES_FOR_POOL", 2)
    paths = []
    for shape, code in sorted(DEEP.items()):
        path = tmp_path / f"{shape}.py"
        path.write_text("import openai\n" + code)
        paths.append(str(path))
    run = run_rewrite(paths, RewriteSettings(target=resolve_target()), write=False, jobs=2)
    assert {(o.result.error, o.failure) for o in run.outcomes} == {(TOO_DEEP, Failure.INPUT)}
    assert run.exit_code(check=False) is ExitCode.USAGE


@pytest.mark.parametrize("flags", [["--dry-run"], ["--dry-run", "--json"]], ids=["diff", "json"])
def test_a_closed_stdout_ends_the_run_quietly(tmp_path: Path, flags: list[str]) -> None:
    (tmp_path / "app.py").write_text(CLIENT)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte, as after `| head -1` has its line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "migrate_cli", "rewrite", ".", *flags],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert result.returncode == ExitCode.STDOUT_CLOSED == 141
    assert result.stderr == ""  # no "internal error", no "Exception ignored ... BrokenPipeError"


# libcst's native parser overflows the main thread's stack (a segmentation fault, which took the
# whole run down) on a 20,000-long `and` chain that CPython's parser reads without trouble.
LONG_CHAIN = "a and " * 20_000 + "b"


def test_a_client_in_a_statement_too_deep_for_libcst_does_not_crash_the_run(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text(f"from openai import OpenAI\n\nclient = OpenAI() if {LONG_CHAIN} else None\n")
    (tmp_path / "ok.py").write_text(CLIENT)
    result = migrate(".", cwd=tmp_path)
    assert result.returncode == ExitCode.USAGE, result.stderr  # not -11 (SIGSEGV)
    assert f"  chain.py: {TOO_DEEP}\n" in result.stderr
    assert "rewrote ok.py" in result.stderr


def test_a_long_chain_inside_a_newer_f_string_is_confirmed_without_a_crash(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('import openai\nlabel = f"{' + LONG_CHAIN + ' or d["k"]}"\n')
    result = migrate("app.py", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 files would be rewritten (1 file scanned" in result.stderr
