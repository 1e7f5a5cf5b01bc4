"""Files in syntax newer than the interpreter running migrate are rewritten (Python 3.11 in CI).

PEP 701 f-strings (`f"{d["k"]}"`, comments and line breaks inside fields), PEP 695 type parameters
and `type X = ...`, PEP 696 defaults: the analysis reads a neutralised copy with the original's
positions (python_syntax.py), the edits land on the original text, and every line the rewrite does
not touch stays byte-identical. Invalid code is still "cannot parse", with its line.
"""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.analysis.python_syntax import analysable_text, parse_module
from migrate_cli.rewrite.analysis.url_env_reads import url_env_reads
from migrate_cli.rewrite.engine import parse, rewrite_source
from migrate_cli.rewrite.files.runner import run_rewrite
from migrate_cli.rewrite.interactive.review import review_run
from migrate_cli.rewrite.model import RewriteSettings, SourceError

SETTINGS = RewriteSettings(target=resolve_target())
NEW_ARGS = 'api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"'

NEWER_PYTHON = sys.version_info >= (3, 12)
needs_old_ast = pytest.mark.skipif(NEWER_PYTHON, reason="this interpreter's ast reads the syntax itself")

PEP_701 = """\
from openai import OpenAI

config = {"timeout": 5, "name": "café"}
print(f"timeout: {config["timeout"]}, name: {config["name"]!r:>10}")
banner = f"{
    ", ".join(["a", "b"])  # a comment inside a field
}"
client = OpenAI()
"""

PEP_695 = """\
from openai import OpenAI

type Pair[T] = tuple[T, T]
type Default[T = int] = list[T]


def first[T: (int, str)](items: list[T]) -> T:
    return items[0]


class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item
        self.client = OpenAI()
"""


def assert_only_these_lines_changed(before: str, after: str, changed: dict[int, str], added_on_top: str) -> None:
    """`after` is `before` with `added_on_top` first and the 1-based lines in `changed` replaced."""
    expected = before.splitlines(keepends=True)
    for line, text in changed.items():
        expected[line - 1] = text
    assert after == added_on_top + "".join(expected)


@needs_old_ast
@pytest.mark.parametrize("code", [PEP_701, PEP_695], ids=["PEP 701", "PEP 695"])
def test_this_interpreters_ast_cannot_read_it(code: str) -> None:
    with pytest.raises(SyntaxError):
        ast.parse(code)


def test_pep_701_f_strings_are_parsed_and_the_client_rewritten() -> None:
    result = rewrite_source(PEP_701, SETTINGS)
    assert_only_these_lines_changed(PEP_701, result.code, {8: f"client = OpenAI({NEW_ARGS})\n"}, "import os\n")
    assert [(c.rule, c.line) for c in result.changes] == [("MC001", 8)]


def test_pep_695_type_parameters_and_aliases_are_parsed_and_the_client_rewritten() -> None:
    result = rewrite_source(PEP_695, SETTINGS)
    assert_only_these_lines_changed(
        PEP_695, result.code, {14: f"        self.client = OpenAI({NEW_ARGS})\n"}, "import os\n"
    )


def test_positions_after_a_neutralised_f_string_with_non_ascii_text_are_exact() -> None:
    code = 'from openai import OpenAI\nmsg = f"café ☕ {d["k"]}"; client = OpenAI()\n'
    result = rewrite_source(code, SETTINGS)
    rewritten = f'msg = f"café ☕ {{d["k"]}}"; client = OpenAI({NEW_ARGS})\n'
    assert result.code == f"import os\nfrom openai import OpenAI\n{rewritten}"


def test_a_client_built_inside_a_newer_f_string_field_is_rewritten_in_place() -> None:
    code = (
        "import os\nfrom openai import OpenAI\n\n"
        'print(f"{OpenAI(api_key=os.environ["OPENAI_API_KEY"]).models.list()}")\n'
    )
    result = rewrite_source(code, SETTINGS)
    assert result.code == (
        "import os\nfrom openai import OpenAI\n\n"
        'print(f"{OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1").models.list()}")\n'
    )


def test_a_newer_f_string_as_a_client_argument_is_reviewed_never_rewritten() -> None:
    code = 'from openai import OpenAI\n\nclient = OpenAI(base_url=f"{cfg["host"]}/v1")\n'
    result = rewrite_source(code, SETTINGS)
    assert result.code == code
    assert [(r.rule, r.line) for r in result.review] == [("MC001", 3)]


@pytest.mark.parametrize(
    ("code", "message", "line"),
    [
        ('ok = f"{d["a"]}"\nbad = f"{}"\n', "invalid f-string", 2),
        ('bad = f"{}"\nok = f"{d["a"]}"\n', "f-string: empty expression not allowed", 1),
        ('ok = f"{d["a"]}"\ndef f[](): pass\n', "invalid type parameters", 2),
        ('x = (1,\ny = f"{d["a"]}"\n', "'(' was never closed", 1),
        ('type X[T] = list[T]\nprint "old"\n', "Missing parentheses in call to 'print'. Did you mean print(...)?", 2),
    ],
)
def test_invalid_code_is_still_cannot_parse_with_its_line(code: str, message: str, line: int) -> None:
    with pytest.raises(SourceError) as raised:
        parse("from openai import OpenAI\n" + code)
    assert (raised.value.message, raised.value.line) == (f"cannot parse: {message}", line + 1)


def test_neutralised_text_keeps_every_line_and_byte_column() -> None:
    text = analysable_text(PEP_701)
    assert [len(line.encode()) for line in text.splitlines()] == [len(line.encode()) for line in PEP_701.splitlines()]
    original = ast.parse(text)
    assert ast.get_source_segment(PEP_701, original.body[-1]) == "client = OpenAI()"
    if not NEWER_PYTHON:
        assert text != PEP_701


def test_env_reads_of_a_newer_file_are_seen() -> None:
    code = 'import os\nlabel = f"{os.environ["APP"]}"\nurl = os.environ["OPENAI_BASE_URL"]\n'
    assert url_env_reads(code) == (("OPENAI_BASE_URL", 3),)


def test_the_interactive_name_check_accepts_half_of_a_newer_file(tmp_path: Path) -> None:
    code = (
        "from openai import OpenAI\n\ntype Pair[T] = tuple[T, T]\n\n\n"
        'def a():\n    return OpenAI(), f"{d["k"]}"\n\n\ndef b():\n    return OpenAI()\n'
    )
    path = tmp_path / "app.py"
    path.write_text(code)
    dry = run_rewrite([str(path)], SETTINGS, write=False)
    answers = iter(["y\n", "n\n"])
    review_run(dry, SETTINGS, Console(file=io.StringIO(), width=200), ask=lambda: next(answers))
    written = path.read_text()
    assert written == "import os\n" + code.replace('return OpenAI(), f"', f'return OpenAI({NEW_ARGS}), f"')
    parse_module(written)


def test_the_cli_rewrites_a_newer_file_and_a_newer_notebook_cell(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PEP_701)
    cells: list[dict[str, object]] = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": PEP_701}
    ]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "rewrote app.py (1 change: MC001)" in result.stderr
    assert "rewrote nb.ipynb (1 change: MC001)" in result.stderr
    assert (tmp_path / "app.py").read_text() == rewrite_source(PEP_701, SETTINGS).code
    source = json.loads((tmp_path / "nb.ipynb").read_text())["cells"][0]["source"]
    assert source == rewrite_source(PEP_701, SETTINGS).code
