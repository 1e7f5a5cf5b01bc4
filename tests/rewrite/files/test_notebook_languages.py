"""A notebook whose kernel is not Python is skipped without review noise; --json says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files.notebook import is_python, rewrite_notebook
from migrate_cli.rewrite.model import RewriteSettings

SETTINGS = RewriteSettings(target=resolve_target())
CSHARP_CELL = (
    'using OpenAI.Chat;\nvar client = new ChatClient("gpt-4o", Environment.GetEnvironmentVariable("OPENAI_API_KEY"));'
)
R_CELL = 'library(openai)\nSys.setenv(OPENAI_API_KEY = "...")\ncreate_chat_completion(model = "gpt-4o")'
PY_CELL = "from openai import OpenAI\nclient = OpenAI()"


def notebook(cell: str, metadata: dict[str, Any]) -> str:
    cells: list[dict[str, object]] = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": cell}
    ]
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


DOTNET = {
    "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
    "language_info": {"name": "C#"},
}
R_ONLY_LANGUAGE_INFO = {"language_info": {"name": "R"}}
PYTHON = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}


@pytest.mark.parametrize(
    ("language", "python"),
    [
        ("python", True),
        ("Python 3", True),
        ("ipython3", True),
        ("pyspark", True),
        ("sage", True),
        ("C#", False),
        ("F#", False),
        ("R", False),
        ("julia", False),
        ("scala", False),
        ("powershell", False),
    ],
)
def test_which_kernel_languages_are_python(language: str, python: bool) -> None:
    assert is_python(language) is python


@pytest.mark.parametrize(("cell", "metadata"), [(CSHARP_CELL, DOTNET), (R_CELL, R_ONLY_LANGUAGE_INFO)], ids=["C#", "R"])
def test_another_languages_notebook_is_not_looked_at(cell: str, metadata: dict[str, Any]) -> None:
    text = notebook(cell, metadata)
    result = rewrite_notebook(text, SETTINGS)
    assert result.other_language in ("C#", "R")
    assert result.text == text and not result.changed
    assert result.review == () and result.changes == () and result.security == ()


def test_a_python_notebook_and_one_without_a_language_are_rewritten() -> None:
    for metadata in (PYTHON, {}):
        result = rewrite_notebook(notebook(PY_CELL, metadata), SETTINGS)
        assert result.other_language is None and result.changed


def migrate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_summary_says_nothing_and_json_notes_the_skip(tmp_path: Path) -> None:
    (tmp_path / "dotnet.ipynb").write_text(notebook(CSHARP_CELL, DOTNET))
    (tmp_path / "stats.ipynb").write_text(notebook(R_CELL, R_ONLY_LANGUAGE_INFO))
    (tmp_path / "py.ipynb").write_text(notebook(PY_CELL, PYTHON))
    human = migrate(".", "--dry-run", cwd=tmp_path)
    assert human.returncode == 0, human.stderr
    assert "dotnet" not in human.stderr and "stats" not in human.stderr
    assert "To review" not in human.stderr and "Skipped" not in human.stderr
    assert human.stderr.rstrip().endswith("1 file would be rewritten (3 files scanned; dry run: nothing written)")
    data = json.loads(migrate(".", "--dry-run", "--json", cwd=tmp_path).stdout)
    assert data["skipped"] == [
        {"path": "dotnet.ipynb", "reason": "the notebook's kernel runs C#, not Python: not looked at"},
        {"path": "stats.ipynb", "reason": "the notebook's kernel runs R, not Python: not looked at"},
    ]
    assert data["review"] == [] and data["changed"] == ["py.ipynb"] and data["exit_code"] == 0


def polyglot(cells: list[tuple[str, dict[str, Any]]]) -> str:
    """A notebook under a Python kernelspec whose cells each say their own language (Polyglot
    Notebooks write both `dotnet_interactive` and `polyglot_notebook` cell metadata)."""
    written: list[dict[str, object]] = [
        {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [], "source": src}
        for src, meta in cells
    ]
    return json.dumps({"cells": written, "metadata": PYTHON, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


@pytest.mark.parametrize(
    "cell_metadata",
    [
        {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
        {"polyglot_notebook": {"kernelName": "fsharp"}},
        {"vscode": {"languageId": "csharp"}},
    ],
    ids=["dotnet+polyglot", "polyglot-fsharp", "vscode"],
)
def test_a_cell_in_another_language_is_skipped_without_a_review_and_python_cells_are_rewritten(
    cell_metadata: dict[str, Any],
) -> None:
    text = polyglot([(CSHARP_CELL, cell_metadata), (PY_CELL, {"polyglot_notebook": {"kernelName": "python"}})])
    result = rewrite_notebook(text, SETTINGS)
    assert result.review == ()
    assert [(edit.number, edit.after) for edit in result.cells] == [
        (
            2,
            'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")',
        )
    ]
    assert json.loads(result.text)["cells"][0]["source"] == CSHARP_CELL


def test_a_python_cell_that_does_not_parse_is_still_reviewed_under_a_polyglot_kernel() -> None:
    broken = "from openai import OpenAI\nclient = OpenAI(\n"
    result = rewrite_notebook(polyglot([(broken, {"polyglot_notebook": {"kernelName": "python"}})]), SETTINGS)
    assert [(item.cell, item.line, item.reason.split(":")[0]) for item in result.review] == [
        (1, 1, "cell not rewritten")
    ]
