"""The pre-commit hook of .pre-commit-hooks.yaml, checked with pre-commit's own code: the manifest
and README's `.pre-commit-config.yaml` snippet pass its schema, the hook receives the files pre-commit
would give it, and its command, run as pre-commit runs it, fails the commit (exit 1) exactly while
a rewrite is pending, writing nothing and printing no key."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pre_commit.clientlib import MANIFEST_HOOK_DICT, load_config, load_manifest
from pre_commit.commands.run import Classifier
from pre_commit.hook import Hook
from pre_commit.lang_base import hook_cmd
from pre_commit.prefix import Prefix
from pre_commit.yaml import yaml_load

ROOT = Path(__file__).parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

# Hard-coded keys of several shapes: none may reach the hook's output.
KEYS = (
    "0123456789abcdef" * 4,
    "gsk_" + "Q" * 48,
    "xai-" + "z9" * 30,
    "k3y-short",
)

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["from openai import OpenAI\n", "client = OpenAI()\n"],
        }
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

# The files of a small repository; the hook must be given the Python ones and the notebook only.
FILES = {
    "app/pending.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
    "app/clean.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "app/keyed.py": "from openai import OpenAI\n\n"
    + "".join(f'client_{n} = OpenAI(api_key="{key}")\n' for n, key in enumerate(KEYS)),
    "app/analysis.ipynb": json.dumps(NOTEBOOK, indent=1) + "\n",
    "app/typing.pyi": "from openai import OpenAI\n\nclient: OpenAI\n",
    "bin/run": "#!/usr/bin/env python\nfrom openai import OpenAI\n\nclient = OpenAI()\n",
    "docs/notes.md": "client = OpenAI()\n",
}
PENDING = ["app/pending.py", "app/keyed.py", "app/analysis.ipynb", "bin/run"]


def the_hook() -> Hook:
    """The manifest's only hook, with pre-commit's defaults filled in (raises on a schema error)."""
    (hook,) = load_manifest(str(MANIFEST))
    return Hook.create(str(MANIFEST), Prefix(str(ROOT)), hook)


def write_repository(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files, in a repository at `root` that becomes the working directory, as under pre-commit."""
    (root / ".git").mkdir()  # the project root: no [tool.migrate] of this checkout is picked up
    monkeypatch.chdir(root)
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    # identify reads a shebang only in an executable file, as a script is.
    (root / "bin" / "run").chmod(0o755)


def files_for_hook(hook: Hook) -> list[str]:
    """The staged files pre-commit passes to the hook, chosen by its own classifier (types, files),
    from the repository root (the working directory)."""
    return sorted(Classifier(sorted(FILES)).filenames_for_hook(hook))


def run_hook(hook: Hook, filenames: list[str]) -> subprocess.CompletedProcess[str]:
    """The command as pre-commit runs it: the entry, the hook's args, then the filenames, from the
    repository root (the working directory), with the environment's scripts first on PATH (a
    `language: python` hook)."""
    command = [*hook_cmd(hook.entry, hook.args), *filenames]
    scripts = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_manifest_passes_pre_commits_schema_and_names_an_installed_command() -> None:
    hook = the_hook()
    written = yaml_load(MANIFEST.read_text("utf-8"))[0]
    # pre-commit ignores a key it does not know: a misspelt one would silently do nothing.
    assert set(written) <= {item.key for item in MANIFEST_HOOK_DICT.items}
    assert hook.id == "migrate-check" and hook.language == "python"
    assert hook.pass_filenames is True and hook.always_run is False
    assert shlex.split(hook.entry) == ["migrate", "rewrite", "--check"]
    # `language: python` installs this package: the entry must be one of its console scripts.
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert shlex.split(hook.entry)[0] in scripts


def test_the_readme_snippet_is_a_valid_pre_commit_config_for_this_hook(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    snippets = re.findall(r"```yaml\n(repos:\n.*?)```", readme, re.DOTALL)
    assert len(snippets) == 1
    config_path = tmp_path / ".pre-commit-config.yaml"
    config_path.write_text(snippets[0], "utf-8")

    (repo,) = load_config(str(config_path))["repos"]

    assert [hook["id"] for hook in repo["hooks"]] == [the_hook().id]
    assert repo["rev"]


def test_the_hook_gets_python_files_scripts_and_notebooks_but_not_stubs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repository(tmp_path, monkeypatch)

    assert files_for_hook(the_hook()) == sorted([*PENDING, "app/clean.py"])


def test_the_hook_fails_while_a_rewrite_is_pending_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_repository(tmp_path, monkeypatch)
    hook = the_hook()
    before = snapshot(tmp_path)

    result = run_hook(hook, files_for_hook(hook))

    assert result.returncode == 1, result.stderr
    named = sorted(re.findall(r"^would rewrite (\S+)", result.stderr, re.MULTILINE))
    assert named == sorted(PENDING)
    assert "Traceback" not in result.stderr
    for key in KEYS:
        assert key not in result.stdout and key not in result.stderr
    assert snapshot(tmp_path) == before


def test_the_hook_passes_once_nothing_is_pending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_repository(tmp_path, monkeypatch)
    migrated = (
        "import os\n\nfrom openai import OpenAI\n\n"
        'client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")\n'
    )
    (tmp_path / "app" / "pending.py").write_text(migrated, "utf-8")

    result = run_hook(the_hook(), ["app/clean.py", "app/pending.py"])

    assert result.returncode == 0, result.stderr
    assert "would rewrite" not in result.stderr


@pytest.mark.parametrize(
    ("args", "target"),
    [
        ([], "Target: vmira https://api.vmira.ai/v1 (key from $MIRA_API_KEY; default)"),
        (["--provider", "groq"], "Target: groq https://api.groq.com/openai/v1 (key from $GROQ_API_KEY; command line)"),
    ],
)
def test_the_hooks_args_choose_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], target: str
) -> None:
    """As README's snippet shows: `args` come before the filenames and pick the provider."""
    write_repository(tmp_path, monkeypatch)

    result = run_hook(the_hook()._replace(args=args), ["app/pending.py"])

    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == target
