"""--interactive with notebooks and env files: asked about as a whole; env files after the code, as answered."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.terminal import StartTerminal, Terminal

NOTEBOOK = Path(__file__).parents[1] / "fixtures" / "notebooks" / "two_space_ascii.ipynb"
ENV = "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345\nOPENAI_BASE_URL=https://api.openai.com/v1\n"
READS_URL = 'import os\nfrom openai import OpenAI\n\nc = OpenAI(base_url=os.environ["OPENAI_BASE_URL"])\n'


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[StartTerminal]:
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        term = Terminal(["rewrite", *args], cwd=tmp_path, env={**os.environ, "TERM": "xterm-256color"})
        started.append(term)
        return term

    yield start
    for term in started:
        term.kill()


def test_a_notebook_is_one_question_and_y_writes_it_as_the_plain_run_would(
    terminal: StartTerminal, tmp_path: Path
) -> None:
    shutil.copy(NOTEBOOK, tmp_path / "nb.ipynb")
    shutil.copy(NOTEBOOK, tmp_path / "expected.ipynb")
    term = terminal("nb.ipynb", "-i")
    shown = term.expect("]? ")
    assert "nb.ipynb  [1/1] its changes are asked about together" in shown
    assert "--- a/nb.ipynb (cell 1)" in shown
    assert "Apply the changes to this file [y,n,A,q,?]? " in shown
    term.send("y\n")
    assert term.wait() == 0
    plain = terminal("expected.ipynb")  # the same notebook, rewritten without questions
    assert plain.wait() == 0
    assert (tmp_path / "nb.ipynb").read_bytes() == (tmp_path / "expected.ipynb").read_bytes()
    assert (tmp_path / "nb.ipynb").read_bytes() != NOTEBOOK.read_bytes()


def test_a_skipped_notebook_is_byte_identical_and_its_skip_is_listed_by_cell(
    terminal: StartTerminal, tmp_path: Path
) -> None:
    shutil.copy(NOTEBOOK, tmp_path / "nb.ipynb")
    term = terminal("nb.ipynb", "-i")
    term.answer("n")
    assert term.wait() == 0
    assert (tmp_path / "nb.ipynb").read_bytes() == NOTEBOOK.read_bytes()
    text = term.text
    skipped = text.index("change skipped in the interactive review: not written [MC001]")
    assert text[skipped:].splitlines()[1].strip() == "nb.ipynb:cell 1:3"


def test_an_env_file_comes_after_the_code_and_keeps_its_url_when_the_client_reading_it_was_skipped(
    terminal: StartTerminal, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(ENV)
    (tmp_path / "app.py").write_text(READS_URL)
    term = terminal(".", "--env-files", "-i")
    first = term.expect("]? ")
    assert "app.py:4  [1/2]" in first  # the code first, though .env sorts before app.py
    term.send("n\n")
    second = term.expect("]? ")
    assert ".env  [2/2]" in second
    assert "+OPENAI_BASE_URL" not in second  # not offered: app.py still reads it with the OpenAI key
    term.send("y\n")
    assert term.wait() == 0
    assert (tmp_path / ".env").read_text() == ENV.replace("\nOPENAI_BASE_URL", "\nMIRA_API_KEY=\nOPENAI_BASE_URL")
    assert (tmp_path / "app.py").read_text() == READS_URL
    assert "sk-proj-abcdefghijklmnopqrstuvwxyz012345" not in term.text


def test_an_env_file_moves_its_url_when_the_client_reading_it_was_accepted(
    terminal: StartTerminal, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(ENV)
    (tmp_path / "app.py").write_text(READS_URL)
    term = terminal(".", "--env-files", "-i")
    term.answer("y")
    shown = term.expect("]? ")
    assert "+OPENAI_BASE_URL=https://api.vmira.ai/v1" in shown
    term.send("y\n")
    assert term.wait() == 0
    assert (tmp_path / ".env").read_text() == (
        "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz012345\nMIRA_API_KEY=\nOPENAI_BASE_URL=https://api.vmira.ai/v1\n"
    )
