"""`migrate rewrite --interactive` on a real pseudo-terminal: answers typed, files checked after."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.terminal import StartTerminal, Terminal
from typer.testing import CliRunner

from migrate_cli.cli import app

NEW = '(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")'
THREE = (
    "from openai import OpenAI\n"
    "\n"
    "\n"
    "def first():\n"
    "    return OpenAI()\n"
    "\n"
    "\n"
    "def second():\n"
    "    return OpenAI()\n"
    "\n"
    "\n"
    "def third():\n"
    "    return OpenAI()\n"
)
ONE = "from openai import OpenAI\n\nclient = OpenAI()\n"
ONE_DONE = f"import os\nfrom openai import OpenAI\n\nclient = OpenAI{NEW}\n"
FAKE_KEY = "sk-proj-FAKE0000EXAMPLE0000KEY0000NOTREAL"


def three(first: bool, second: bool, third: bool) -> str:
    """THREE with the chosen calls rewritten (and `import os` when any is)."""
    calls = [NEW if pick else "()" for pick in (first, second, third)]
    head = "import os\n" if any((first, second, third)) else ""
    return (
        f"{head}from openai import OpenAI\n\n\ndef first():\n    return OpenAI{calls[0]}\n\n\n"
        f"def second():\n    return OpenAI{calls[1]}\n\n\ndef third():\n    return OpenAI{calls[2]}\n"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text(THREE)
    (root / "b.py").write_text(ONE)
    return root


@pytest.fixture
def run(project: Path) -> Iterator[StartTerminal]:
    started: list[Terminal] = []

    def start(*args: str, color: bool = False) -> Terminal:
        env = {k: v for k, v in os.environ.items() if not (color and k == "NO_COLOR")}
        env["TERM"] = "xterm-256color"
        term = Terminal(["rewrite", *args], cwd=project, env=env)
        started.append(term)
        return term

    yield start
    for term in started:
        term.kill()


def test_only_the_changes_answered_y_are_written(run: StartTerminal, project: Path) -> None:
    term = run(".", "--interactive")
    term.expect("a.py:5")
    term.expect("change 1 of 3 in this file")
    term.expect("also adds import os (this change needs it)")
    term.answer("y", "n", "y")
    term.expect("wrote a.py (2 of 3 changes)")
    term.answer("n")
    assert term.wait() == 0
    assert (project / "a.py").read_text() == three(True, False, True)
    assert (project / "b.py").read_text() == ONE
    out = term.text
    assert "Applied 2 of 4 changes; 1 of 2 files written." in out
    assert "change skipped in the interactive review: not written [MC001]" in out
    assert "a.py:9" in out and "b.py:3" in out  # where the skipped ones are, to come back to


def test_the_hunk_shows_file_line_rule_and_diff(run: StartTerminal, project: Path) -> None:
    term = run("b.py", "-i")
    shown = term.expect("]? ")
    assert "Target: vmira https://api.vmira.ai/v1" in shown
    assert "b.py:3  [1/1] change 1 of 1 in this file" in shown
    assert "MC001 OpenAI(): api_key -> $MIRA_API_KEY; base_url -> https://api.vmira.ai/v1" in shown
    assert "+import os\n from openai import OpenAI\n \n-client = OpenAI()\n" in shown
    term.send("y\n")
    assert term.wait() == 0
    assert (project / "b.py").read_text() == ONE_DONE


def test_the_diff_is_coloured_on_a_terminal(run: StartTerminal) -> None:
    term = run("b.py", "-i", color=True)
    term.answer("n")
    assert term.wait() == 0
    raw = term.raw.decode()
    assert "\x1b[32m+import os\x1b[0m" in raw
    assert "\x1b[31m-client = OpenAI()\x1b[0m" in raw
    assert "\x1b[36m@@ -1,3 +1,4 @@\x1b[0m" in raw


def test_skipping_everything_leaves_files_byte_identical_without_a_stray_import(
    run: StartTerminal, project: Path
) -> None:
    term = run(".", "-i")
    term.answer("n", "n", "n", "n")
    assert term.wait() == 0
    assert (project / "a.py").read_text() == THREE
    assert (project / "b.py").read_text() == ONE
    assert "0 files rewritten" in term.text


def test_a_applies_the_rest_of_the_file_and_d_skips_it(run: StartTerminal, project: Path) -> None:
    term = run(".", "-i")
    term.answer("n", "a")  # a.py: skip the first, take the second and third without asking
    term.expect("b.py:3  [2/2]")  # the next question is already about b.py
    term.send("d\n")
    assert term.wait() == 0
    assert (project / "a.py").read_text() == three(False, True, True)
    assert (project / "b.py").read_text() == ONE


def test_capital_a_applies_everything_left_in_every_file(run: StartTerminal, project: Path) -> None:
    term = run(".", "-i")
    term.answer("n", "A")
    assert term.wait() == 0
    assert (project / "a.py").read_text() == three(False, True, True)
    assert (project / "b.py").read_text() == ONE_DONE
    assert term.text.count("]? ") == 2


def test_q_writes_what_was_accepted_and_skips_the_rest(run: StartTerminal, project: Path) -> None:
    term = run(".", "-i")
    term.answer("y", "q")
    assert term.wait() == 0
    assert (project / "a.py").read_text() == three(True, False, False)
    assert (project / "b.py").read_text() == ONE
    assert "Applied 1 of 4 changes; 1 of 2 files written." in term.text


def test_ctrl_d_is_q(run: StartTerminal, project: Path) -> None:
    term = run(".", "-i")
    term.answer("y")
    term.expect("]? ")
    term.send("\x04")
    assert term.wait() == 0
    assert (project / "a.py").read_text() == three(True, False, False)
    assert (project / "b.py").read_text() == ONE


def test_ctrl_c_keeps_finished_files_and_leaves_the_current_one_untouched(run: StartTerminal, project: Path) -> None:
    term = run(".", "-i")
    term.answer("y", "n", "n")  # a.py is finished: written with its first change
    term.expect("b.py:3")
    term.expect("]? ")
    term.send("\x03")
    assert term.wait() == 130
    assert (project / "a.py").read_text() == three(True, False, False)
    assert (project / "b.py").read_text() == ONE
    assert "Written before the interruption: a.py" in term.text
    assert "interrupted" in term.text


def test_ctrl_c_in_the_middle_of_a_file_writes_nothing_of_it(run: StartTerminal, project: Path) -> None:
    term = run(".", "-i")
    term.answer("y")
    term.expect("]? ")
    term.send("\x03")
    assert term.wait() == 130
    assert (project / "a.py").read_text() == THREE


def test_help_and_unknown_answers_ask_again(run: StartTerminal, project: Path) -> None:
    term = run("b.py", "-i")
    term.answer("?")
    term.expect("a - apply this change and every later change in this file")
    term.answer("maybe")
    term.expect("Unknown answer 'maybe'.")
    term.answer("yes")
    assert term.wait() == 0
    assert (project / "b.py").read_text() == ONE_DONE


def test_dependent_edits_are_asked_once(run: StartTerminal, project: Path) -> None:
    (project / "az.py").write_text(
        "import os\nfrom openai import AzureOpenAI\n\n"
        'a = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2024-10-21", azure_endpoint="https://x.openai.azure.com")\n\n\n'
        'def make():\n    return AzureOpenAI(api_version="2024-10-21", azure_endpoint="https://x.openai.azure.com")\n'
    )
    term = run("az.py", "-i")
    shown = term.expect("]? ")
    assert "change 1 of 1 in this file" in shown
    assert "these edits depend on each other (AzureOpenAI, OpenAI): they are applied together" in shown
    term.send("y\n")
    assert term.wait() == 0
    written = (project / "az.py").read_text()
    assert "AzureOpenAI" not in written and written.count("OpenAI(") == 2


def test_a_hard_coded_key_is_never_shown_and_the_written_file_reads_the_env(run: StartTerminal, project: Path) -> None:
    (project / "key.py").write_text(f'from openai import OpenAI\n\nclient = OpenAI(api_key="{FAKE_KEY}")\n')
    term = run("key.py", "-i")
    term.answer("y")
    assert term.wait() == 0
    assert FAKE_KEY not in term.text and FAKE_KEY[8:] not in term.text
    assert '-client = OpenAI(api_key="sk-…REDACTED")' in term.text
    assert (project / "key.py").read_text() == ONE_DONE


def test_a_skipped_key_replacement_stays_a_security_finding(run: StartTerminal, project: Path) -> None:
    (project / "key.py").write_text(f'from openai import OpenAI\n\nclient = OpenAI(api_key="{FAKE_KEY}")\n')
    term = run("key.py", "-i")
    term.answer("n")
    assert term.wait() == 0
    assert "hard-coded API key left in the code" in term.text
    assert FAKE_KEY not in term.text


def test_crlf_bom_and_mode_are_kept_in_a_partly_accepted_file(run: StartTerminal, project: Path) -> None:
    path = project / "a.py"
    path.write_bytes(b"\xef\xbb\xbf" + THREE.replace("\n", "\r\n").encode())
    path.chmod(0o754)
    term = run("a.py", "-i")
    term.answer("n", "y", "n")
    assert term.wait() == 0
    data = path.read_bytes()
    assert data == b"\xef\xbb\xbf" + three(False, True, False).replace("\n", "\r\n").encode()
    assert path.stat().st_mode & 0o777 == 0o754


def test_a_file_edited_while_the_question_is_open_is_left_as_edited(run: StartTerminal, project: Path) -> None:
    term = run("b.py", "-i")
    term.expect("]? ")
    (project / "b.py").write_text(ONE + "# edited meanwhile\n")
    term.send("y\n")
    assert term.wait() == 3
    assert (project / "b.py").read_text() == ONE + "# edited meanwhile\n"
    assert "changed on disk while the questions were open; left as it is now" in term.text


def test_only_and_skip_apply_to_the_questions(run: StartTerminal, project: Path) -> None:
    (project / "m.py").write_text(
        'from openai import OpenAI\n\nclient = OpenAI(api_key="x", base_url="https://api.vmira.ai/v1")\n'
        'reply = client.chat.completions.create(model="gpt-4o", messages=[], max_completion_tokens=5)\n'
    )
    term = run("m.py", "-i", "--skip", "MC001", "--model-map", "gpt-4o=mira")
    shown = term.expect("]? ")
    assert "MC004" in shown and "MC005" in shown and "MC001" not in shown.split("Target:")[1]
    term.send("y\n")
    assert term.wait() == 0
    assert 'model="mira", messages=[], max_tokens=5' in (project / "m.py").read_text()


def test_interactive_needs_a_terminal(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", ".", "--interactive"],
        cwd=project,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[0] == "error: --interactive needs a terminal to ask on, and standard input is not one"
    )
    assert (project / "a.py").read_text() == THREE


@pytest.mark.parametrize("flag", ["--dry-run", "--check", "--json"])
def test_interactive_does_not_combine_with_modes_that_write_nothing(project: Path, flag: str) -> None:
    result = CliRunner().invoke(app, ["rewrite", str(project), "--interactive", flag])
    assert result.exit_code == 2
    assert f"--interactive cannot be combined with {flag}" in result.stderr
    assert (project / "a.py").read_text() == THREE
