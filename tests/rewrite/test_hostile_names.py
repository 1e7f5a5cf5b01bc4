"""A file name cannot write to the terminal: every human output escapes it, diffs quote it as git does.

Names here hold an ANSI "clear screen" sequence, a newline that would forge a report line, a
carriage return, a C1 CSI (0x9b, which some terminals read as ESC [), a right-to-left override,
a tab and a byte that is not UTF-8. JSON keeps the real name (json escapes it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrate_cli.escape import git_quoted, printable, shown_path

CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"
PROXY = 'from openai import OpenAI\n\nclient = OpenAI(base_url="http://localhost:8080/v1")\n'
CLEAR = "\x1b[2J"
# Bytes no terminal may see raw in our output (a newline is fine only as the line end we print).
RAW = ("\x1b", "\r", "\x9b", "\u202e", "\udcff")


def test_printable_escapes_controls_and_keeps_the_rest() -> None:
    assert printable("plain café.py") == "plain café.py"
    assert printable(f"a{CLEAR}b\nc\rd\te\x9bf\u202eg\x7fh") == "a\\x1b[2Jb\\nc\\rd\\te\\x9bf\\u202eg\\x7fh"
    assert printable("tab\tkept", keep_tabs=True) == "tab\tkept"
    assert printable("bad\udcffbyte") == "bad\\xffbyte"  # os.fsdecode's stand-in for byte 0xff


def test_shown_path_quotes_only_names_that_need_it() -> None:
    assert shown_path("src/app.py") == "src/app.py"
    assert shown_path("back\\slash.py") == "back\\slash.py"  # unquoted: a real backslash
    assert shown_path(f'a{CLEAR}"b\\.py') == '"a\\x1b[2J\\"b\\\\.py"'
    assert shown_path("new\nline.py") == '"new\\nline.py"'


def test_git_quoted_is_what_git_writes() -> None:
    # git's quote_c_style: short escapes, octal for other bytes, UTF-8 text left as is.
    assert git_quoted("a/src/app.py") == "a/src/app.py"
    assert git_quoted("a/café.py") == "a/café.py"
    assert git_quoted(f"a/x{CLEAR}\t\n.py") == '"a/x\\033[2J\\t\\n.py"'
    assert git_quoted('a/q"b\\.py') == '"a/q\\"b\\\\.py"'
    assert git_quoted("a/bad\udcff.py") == '"a/bad\\377.py"'
    assert git_quoted("a/\u202eyp.exe") == '"a/\\342\\200\\256yp.exe"'


def migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", *args], cwd=cwd, capture_output=True, timeout=120
    )


def hostile(name: str) -> str:
    return f"{name}{CLEAR}x\nforged line\r\x9b\u202e.py"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    root.mkdir()
    (root / hostile("client")).write_text(CLIENT)
    (root / hostile("proxy")).write_text(PROXY)
    (root / hostile("broken")).write_text("import openai\ndef f(:\n")
    os.mkfifo(root / hostile("pipe"))
    # A name that is not UTF-8 at all: Python hands it over as a lone surrogate.
    (root / os.fsdecode(b"latin1-\xe9t\xe9.py")).write_text(CLIENT)
    return tmp_path


def assert_clean(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the output"
    assert "\nforged line" not in text


def test_summary_review_errors_and_skips_escape_the_name(tree: Path) -> None:
    result = migrate("src", "--dry-run", cwd=tree)
    assert result.returncode == 2  # the broken file
    err = result.stderr.decode("utf-8")
    assert_clean(err)
    client = shown_path("src/" + hostile("client"))
    assert client == '"src/client\\x1b[2Jx\\nforged line\\r\\x9b\\u202e.py"'
    assert f"would rewrite {client} (1 change: MC001)" in err
    assert f"    {shown_path('src/' + hostile('proxy'))}:3\n" in err  # the review site
    assert f"  {shown_path('src/' + hostile('broken'))}: cannot parse: invalid syntax (line 2)" in err
    assert f"  {shown_path('src/' + hostile('pipe'))}: a FIFO (named pipe)" in err
    assert 'would rewrite "src/latin1-\\xe9t\\xe9.py" (1 change: MC001)' in err


def test_diff_headers_are_quoted_as_git_quotes_them_and_apply(tree: Path) -> None:
    result = migrate("src", "--dry-run", cwd=tree)
    out = result.stdout.decode("utf-8")
    assert_clean(out)
    header = git_quoted("a/src/" + hostile("client"))
    assert header == '"a/src/client\\033[2Jx\\nforged line\\r\\302\\233\\342\\200\\256.py"'
    assert f"--- {header}\n+++ {git_quoted('b/src/' + hostile('client'))}\n" in out
    assert '--- "a/src/latin1-\\351t\\351.py"\n' in out
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the patch is not applied")
    expected = tree / "expected"
    shutil.copytree(tree / "src", expected / "src", ignore=shutil.ignore_patterns("pipe*"))
    subprocess.run(["git", "apply", "-"], input=result.stdout, cwd=expected, check=True)
    real = migrate("src", cwd=tree)
    assert real.returncode == 2
    for name in (hostile("client"), os.fsdecode(b"latin1-\xe9t\xe9.py")):
        assert (expected / "src" / name).read_bytes() == (tree / "src" / name).read_bytes()
        assert b"api.vmira.ai" in (tree / "src" / name).read_bytes()


def test_json_keeps_the_real_name_and_prints_no_raw_control_character(tree: Path) -> None:
    result = migrate("src", "--dry-run", "--json", cwd=tree)
    raw = result.stdout.decode("ascii")  # json.dumps escapes everything outside ASCII
    data = json.loads(raw)
    assert "src/" + hostile("client") in data["changed"]
    assert {e["path"] for e in data["errors"]} == {"src/" + hostile("broken")}
    assert {s["path"] for s in data["skipped"]} == {"src/" + hostile("pipe")}


def test_a_missing_path_is_escaped_in_the_error(tmp_path: Path) -> None:
    result = migrate(hostile("missing"), cwd=tmp_path)
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert_clean(err)
    assert f"error: no such file or directory: {shown_path(hostile('missing'))}" in err
