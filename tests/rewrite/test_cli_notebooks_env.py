"""`migrate rewrite` on notebooks and env files, end to end through the CLI and the runner."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from migrate_cli.cli import app
from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files.runner import run_rewrite
from migrate_cli.rewrite.model import RewriteSettings

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
REAL_LOOKING_KEY = "sk-proj-" + "Zq8xW2vB7nK4mL9pR3tY6uI1oP5aS0dF" * 2
ENV = f"# OpenAI\nOPENAI_API_KEY={REAL_LOOKING_KEY}\nOPENAI_BASE_URL=https://api.openai.com/v1\nSENTRY_DSN=https://abc123@sentry.example/1\n"
READS_URL = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url=os.environ.get("OPENAI_BASE_URL"))\n'


def migrate(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["rewrite", *map(str, args)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git project with a notebook, code that reads OPENAI_BASE_URL, and a git-ignored .env."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / ".gitignore").write_text(".env\n")
    shutil.copy(FIXTURES / "jupyter.ipynb", root / "analysis.ipynb")
    (root / "app.py").write_text(READS_URL)
    (root / ".env").write_text(ENV)
    (root / ".env.example").write_text("OPENAI_API_KEY=\nOPENAI_BASE_URL=https://api.openai.com/v1\n")
    monkeypatch.chdir(root)
    return root


# --- notebooks -------------------------------------------------------------------------------


def test_notebooks_are_found_by_default_and_diffed_per_cell(project: Path) -> None:
    before = digest(project / "analysis.ipynb")
    result = migrate(".", "--dry-run")
    assert result.exit_code == 0, result.output
    assert digest(project / "analysis.ipynb") == before
    assert (
        "--- a/analysis.ipynb (cell 3)\n+++ b/analysis.ipynb (cell 3)\n@@ -1,4 +1,5 @@\n import json\n+import os\n"
        in result.stdout
    )
    assert "--- a/analysis.ipynb (cell 5)\n+++ b/analysis.ipynb (cell 5)\n" in result.stdout
    assert "would rewrite analysis.ipynb (1 change: MC001)" in result.stderr
    assert "    analysis.ipynb:cell 6:1\n" in result.stderr  # the !echo cell, reviewed
    assert "--- a/.env" not in result.stdout  # env files are opt-in


def test_notebook_json_output_has_cell_and_line(project: Path) -> None:
    result = migrate("analysis.ipynb", "--json", "--dry-run")
    data = json.loads(result.stdout)
    assert data["changed"] == ["analysis.ipynb"]
    assert {
        "path": "analysis.ipynb",
        "line": 4,
        "cell": 5,
        "rule": "MC004",
        "reason": data["review"][0]["reason"],
    } == data["review"][0]
    [file] = data["files"]
    assert file["changes"] == [{"rule": "MC001", "line": 2, "cell": 5, "message": file["changes"][0]["message"]}]
    assert file["diff"].startswith("--- a/analysis.ipynb (cell 3)\n")


def test_notebook_rewrite_in_place_then_check_passes(project: Path) -> None:
    nb = project / "analysis.ipynb"
    assert migrate(nb, "--check").exit_code == 1
    assert migrate(nb).exit_code == 0
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    assert 'os.environ[\\"MIRA_API_KEY\\"]' in nb.read_text(encoding="utf-8")
    assert cells[2]["source"][1] == "import os\n"
    after = digest(nb)
    again = migrate(nb, "--check")
    assert again.exit_code == 0, again.output
    assert digest(nb) == after


def test_notebook_checkpoints_are_never_entered(project: Path) -> None:
    checkpoints = project / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copy(FIXTURES / "jupyter.ipynb", checkpoints / "analysis-checkpoint.ipynb")
    result = migrate(".", "--json", "--dry-run")
    assert json.loads(result.stdout)["changed"] == ["analysis.ipynb", "app.py"]


def test_a_broken_notebook_is_an_error_left_untouched_and_the_rest_goes_on(project: Path) -> None:
    broken = project / "broken.ipynb"
    broken.write_text('{"cells": [{"cell_type": "code", "source": ["import openai"]}, ', encoding="utf-8")
    before = digest(broken)
    result = migrate(".", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 2
    assert data["errors"] == [{"path": "broken.ipynb", "message": data["errors"][0]["message"]}]
    assert "not valid notebook JSON" in data["errors"][0]["message"]
    assert digest(broken) == before
    assert "analysis.ipynb" in data["changed"]


def test_a_hard_coded_key_in_a_notebook_never_shows(project: Path) -> None:
    nb = project / "keys.ipynb"
    source = ["from openai import OpenAI\n", f'client = OpenAI(api_key="{REAL_LOOKING_KEY}")']
    nb.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
            indent=1,
        )
    )
    dry = migrate(nb, "--dry-run")
    assert "keys.ipynb:cell 1:2 [MC001] hard-coded API key" in dry.stderr
    for result in (dry, migrate(nb, "--json", "--dry-run"), migrate(nb)):
        assert result.exit_code == 0, result.output
        assert REAL_LOOKING_KEY not in result.stdout + result.stderr
    assert REAL_LOOKING_KEY not in nb.read_text()


# --- env files -------------------------------------------------------------------------------


def test_env_files_add_the_key_and_move_the_url_the_moved_code_read(project: Path) -> None:
    result = migrate(".", "--env-files")
    assert result.exit_code == 0, result.output
    assert (project / ".env").read_text() == (
        f"# OpenAI\nOPENAI_API_KEY={REAL_LOOKING_KEY}\nMIRA_API_KEY=\n"
        "OPENAI_BASE_URL=https://api.vmira.ai/v1\nSENTRY_DSN=https://abc123@sentry.example/1\n"
    )
    assert (
        project / ".env.example"
    ).read_text() == "OPENAI_API_KEY=\nMIRA_API_KEY=\nOPENAI_BASE_URL=https://api.vmira.ai/v1\n"
    assert "rewrote .env (2 changes: env-files x2)" in result.stderr
    again = migrate(".", "--env-files", "--check")
    assert again.exit_code == 0, again.output


def test_env_values_never_appear_in_diff_summary_or_json(project: Path) -> None:
    for args in (("--dry-run",), ("--json", "--dry-run"), ("--check",)):
        result = migrate(".", "--env-files", *args)
        output = result.stdout + result.stderr
        for value in (REAL_LOOKING_KEY, "sk-proj", "abc123@sentry", "api.openai.com"):
            assert value not in output, (args, value)
    diff = migrate(".env", "app.py", "--dry-run").stdout
    assert (
        "--- a/.env\n+++ b/.env\n@@ -1,4 +1,5 @@\n # OpenAI\n OPENAI_API_KEY=…\n-OPENAI_BASE_URL=…\n"
        "+MIRA_API_KEY=\n+OPENAI_BASE_URL=https://api.vmira.ai/v1\n SENTRY_DSN=…\n"
    ) in diff


def test_a_url_still_read_by_code_left_on_openai_is_reviewed_not_moved(project: Path) -> None:
    (project / "legacy.py").write_text("import openai\n\nopenai.chat.completions.create(model='x', messages=[])\n")
    result = migrate(".", "--env-files", "--json")
    data = json.loads(result.stdout)
    assert "OPENAI_BASE_URL=https://api.openai.com/v1\n" in (project / ".env").read_text()
    assert "MIRA_API_KEY=\n" in (project / ".env").read_text()
    env_review = [r for r in data["review"] if r["path"] == ".env"]
    assert [r["line"] for r in env_review] == [3]
    assert "legacy.py:3" in env_review[0]["reason"]


def test_env_files_alone_never_move_a_url(project: Path) -> None:
    result = migrate(".env", "--json")  # naming an env file asks for env files
    data = json.loads(result.stdout)
    assert data["changed"] == [".env"]
    assert "OPENAI_BASE_URL=https://api.openai.com/v1\n" in (project / ".env").read_text()
    assert "MIRA_API_KEY=\n" in (project / ".env").read_text()


def test_env_files_come_from_the_config_and_the_flag_wins(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.migrate]\nenv_files = true\n")
    on = json.loads(migrate(".", "--json", "--dry-run").stdout)
    assert {".env", ".env.example"} <= set(on["changed"])
    off = json.loads(migrate(".", "--json", "--dry-run", "--no-env-files").stdout)
    assert not {".env", ".env.example"} & set(off["changed"])


def test_env_files_are_read_after_all_code_even_from_a_worker_pool(tmp_path: Path) -> None:
    paths = []
    for n in range(20):  # enough to start workers
        path = tmp_path / f"m{n:02}.py"
        path.write_text("from openai import OpenAI\nclient = OpenAI()\n")
        paths.append(str(path))
    reader = tmp_path / "zz_reader.py"
    reader.write_text(READS_URL)
    env = tmp_path / ".env"
    env.write_text("OPENAI_BASE_URL=https://api.openai.com/v1\n")
    settings = RewriteSettings(resolve_target(), env_files=True)
    run = run_rewrite([str(env), *paths, str(reader)], settings, write=False, jobs=2)
    assert run.outcomes[0].result.path == str(env)  # results keep the given order
    [env_result] = [o.result for o in run.outcomes if o.result.path == str(env)]
    assert env_result.status == "changed"
    assert run.url_readers is not None and run.url_readers.read == {"OPENAI_BASE_URL"}


def test_swap_files_and_binary_env_files_are_passed_over(project: Path) -> None:
    (project / ".env.swp").write_bytes(b"b0VIM 9.0\0\0\0OPENAI_API_KEY=sk-x\0")
    result = migrate(".", "--env-files", "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    assert ".env.swp" not in json.loads(result.stdout)["changed"]


def test_subprocess_env_files_dry_run(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", ".", "--env-files", "--dry-run"],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert REAL_LOOKING_KEY not in proc.stdout + proc.stderr
    assert "+MIRA_API_KEY=\n" in proc.stdout


def test_env_file_discovery_finds_ignored_env_files_but_not_in_ignored_or_excluded_places(tmp_path: Path) -> None:
    from migrate_cli.rewrite.files.source_files import DEFAULT_INCLUDE, ENV_FILE_GLOBS, FileFilter, discover

    root = tmp_path / "repo"
    for rel in (
        ".env",
        "svc/.env.production",
        "svc/prod.env",
        "secrets/.env",
        "build/.env",
        "node_modules/x/.env",
        "docs/.env.example",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("OPENAI_API_KEY=\n")
    (root / ".git").mkdir()
    (root / ".gitignore").write_text(".env\n.env.*\n*.env\nsecrets/\n")
    with_env = FileFilter(include=(*DEFAULT_INCLUDE, *ENV_FILE_GLOBS), exclude=("docs/",), unignore=ENV_FILE_GLOBS)
    found = [Path(p).relative_to(root).as_posix() for p in discover([str(root)], with_env).files]
    assert found == [".env", "svc/.env.production", "svc/prod.env"]
    assert discover([str(root)], FileFilter()).files == ()
