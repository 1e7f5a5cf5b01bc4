"""`migrate scan` end to end: the JSON contract on a tree with notebooks, ignored and broken files;
the tables; nothing written; a missing path is exit 2 in one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

SERVICE = """\
import openai as oa
from openai import OpenAI

MODEL = "gpt-4o"
client = OpenAI()


def answer(question, **extra):
    return client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": question}],
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )


def vectors(texts):
    return oa.embeddings.create(model="text-embedding-3-small", input=texts)
"""

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Demo"]},
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["from openai import OpenAI\n", "client = OpenAI()"],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["%pip install openai"],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["\n", 'client.chat.completions.create(model="gpt-4o-mini", messages=[], seed=7)'],
        },
    ],
    "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    app = tmp_path / "app"
    app.mkdir()
    (app / "service.py").write_text(SERVICE)
    (app / "demo.ipynb").write_text(json.dumps(NOTEBOOK, indent=1))
    (app / "broken.py").write_text("import openai\ndef (:\n")
    (app / "plain.py").write_text("print('no client here')\n")
    (app / "generated").mkdir()
    (app / "generated" / "old.py").write_text('import openai\nopenai.ChatCompletion.create(model="x", n=2)\n')
    (tmp_path / ".gitignore").write_text("generated/\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    from migrate_cli.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def snapshot(root: Path) -> dict[str, tuple[bytes, float]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime) for p in root.rglob("*") if p.is_file()}


def test_json_is_exactly_the_contract(tree: Path) -> None:
    before = snapshot(tree)
    code, out, err = run("scan", "app", "--json")

    assert code == 0, err
    assert json.loads(out) == {
        "files_scanned": 4,
        "calls": [
            {
                "path": "app/demo.ipynb",
                "line": 2,
                "cell": 4,
                "endpoint": "chat.completions.create",
                "features": ["chat", "seed"],
                "models": ["gpt-4o-mini"],
            },
            {
                "path": "app/service.py",
                "line": 9,
                "endpoint": "chat.completions.create",
                "features": ["chat", "stream", "stream_usage", "unknown"],
                "models": ["gpt-4o"],
                "unread": ["**extra"],
            },
            {
                "path": "app/service.py",
                "line": 19,
                "endpoint": "embeddings.create",
                "features": ["embeddings"],
                "models": ["text-embedding-3-small"],
            },
        ],
        "features": {
            "chat": [{"path": "app/demo.ipynb", "line": 2, "cell": 4}, {"path": "app/service.py", "line": 9}],
            "stream": [{"path": "app/service.py", "line": 9}],
            "stream_usage": [{"path": "app/service.py", "line": 9}],
            "seed": [{"path": "app/demo.ipynb", "line": 2, "cell": 4}],
            "embeddings": [{"path": "app/service.py", "line": 19}],
            "unknown": [{"path": "app/service.py", "line": 9}],
        },
        "clients": [
            {"path": "app/demo.ipynb", "line": 2, "cell": 2, "client": "OpenAI"},
            {"path": "app/service.py", "line": 5, "client": "OpenAI"},
        ],
        "errors": [{"path": "app/broken.py", "message": "cannot parse: invalid syntax (line 2)"}],
    }
    assert "error: app/broken.py: cannot parse" in err
    assert snapshot(tree) == before  # nothing written, nothing touched


def test_the_tables_show_endpoints_features_and_first_sites(tree: Path) -> None:
    code, out, _ = run("scan", "app")

    assert code == 0
    words = " ".join(out.split())  # rows wrap at the terminal's width
    assert "chat.completions.create 2 gpt-4o, gpt-4o-mini app/demo.ipynb:cell 4:2, app/service.py:9" in words
    assert "stream_usage 1 app/service.py:9" in words
    assert "seed 1 app/demo.ipynb:cell 4:2" in words
    assert "3 API call site(s) in 2 file(s), 2 client construction(s) (4 file(s) scanned; nothing written)" in words
    assert "unknown: 1 call(s) pass values the scan could not read" in words


def test_a_file_named_on_the_command_line_is_scanned_even_if_ignored(tree: Path) -> None:
    code, out, _ = run("scan", "app/generated/old.py", "--json")

    assert code == 0
    assert json.loads(out)["calls"] == [
        {
            "path": "app/generated/old.py",
            "line": 2,
            "endpoint": "ChatCompletion.create",
            "features": ["chat", "n"],
            "models": ["x"],
        }
    ]


def test_exclude_and_jobs_reach_discovery_and_the_pool(tree: Path) -> None:
    for n in range(20):  # enough files that pass the pre-filter for worker processes
        (tree / "app" / f"gen_{n:02}.py").write_text(SERVICE)
    _, one, _ = run("scan", "app", "--json", "-j", "1")
    _, two, _ = run("scan", "app", "--json", "-j", "2")
    _, fewer, _ = run("scan", "app", "--json", "--exclude", "gen_*.py")

    assert json.loads(one) == json.loads(two)
    assert len(json.loads(one)["calls"]) == 3 + 2 * 20
    assert len(json.loads(fewer)["calls"]) == 3


def test_a_missing_path_is_one_line_and_exit_2(tree: Path) -> None:
    code, out, err = run("scan", "app", "nope")

    assert code == 2
    assert out == ""
    assert err.strip().splitlines()[0] == "error: no such file or directory: nope"
    assert "Traceback" not in err


def test_scan_imports_the_rewrite_engine_only_through_engine_api() -> None:
    """The engine's modules move; scan must keep one place that names them."""
    package = Path(__file__).parents[2] / "migrate_cli" / "scan"
    naming = sorted(p.name for p in package.glob("*.py") if "migrate_cli.rewrite" in p.read_text())
    assert naming == ["engine_api.py"]
    assert os.path.isfile(package / "engine_api.py")


KEYS = ("0123456789abcdef" * 4, "gsk_" + "Q" * 48, "xai-" + "z9" * 30, "k3y!")


@pytest.mark.parametrize("key", KEYS, ids=("hex64", "groq", "xai", "short"))
def test_hard_coded_keys_of_every_shape_never_reach_the_output(tree: Path, key: str) -> None:
    (tree / "app" / "keys.py").write_text(
        "import openai\nfrom openai import OpenAI\n"
        f'openai.api_key = "{key}"\n'
        f'client = OpenAI(api_key="{key}")\n'
        f'client.chat.completions.create(model="m", messages=[], **dict(api_key="{key}", seed=1))\n'
        f'client.chat.completions.create(model="m", messages=[], **{{"extra_headers": {{"x": "{key}"}}}})\n'
    )
    (tree / "app" / "broken_key.py").write_text(f'import openai\nopenai.api_key = "{key}" +\n')
    for args in (("scan", "app"), ("scan", "app", "--json")):
        code, out, err = run(*args)
        assert code == 0
        assert key not in out and key not in err
    assert "**(...)" in run("scan", "app", "--json")[1]
