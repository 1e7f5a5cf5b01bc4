"""Line ends are kept: a CR-only file (classic Mac OS) stays CR-only, a CRLF file stays CRLF.

Python reads a lone "\\r" as a line end; libcst does not, and used to glue the line after a
rewritten statement to it (`)other = OpenAI(...)`, a syntax error).
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from rich.console import Console

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import rewrite_source
from migrate_cli.rewrite.files.runner import run_rewrite
from migrate_cli.rewrite.interactive.review import review_run
from migrate_cli.rewrite.model import RewriteSettings

SETTINGS = RewriteSettings(target=resolve_target())
NEW_ARGS = 'api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"'

BEFORE = "from openai import OpenAI\n\nclient = OpenAI(\n    timeout=3,\n)\nother = OpenAI()\n"
AFTER = (
    "import os\n"
    "from openai import OpenAI\n\n"
    "client = OpenAI(\n"
    "    timeout=3,\n"
    '    api_key=os.environ["MIRA_API_KEY"],\n'
    '    base_url="https://api.vmira.ai/v1",\n'
    ")\n"
    f"other = OpenAI({NEW_ARGS})\n"
)


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["CR", "CRLF", "LF"])
def test_import_os_and_rewritten_calls_take_the_files_line_end(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(BEFORE.replace("\n", newline).encode())
    run = run_rewrite([str(path)], SETTINGS, write=True)
    assert run.outcomes[0].result.status == "changed"
    written = path.read_bytes()
    assert written == AFTER.replace("\n", newline).encode()
    ast.parse(written)


def test_a_cr_file_without_a_final_line_end_keeps_it_that_way() -> None:
    code = "from openai import OpenAI\rclient = OpenAI()"
    assert rewrite_source(code, SETTINGS).code == f"import os\rfrom openai import OpenAI\rclient = OpenAI({NEW_ARGS})"


def test_review_lines_of_a_cr_file_are_the_lines_python_counts() -> None:
    code = 'from openai import OpenAI\r\r\rclient = OpenAI(base_url="http://localhost:8080/v1")\r'
    result = rewrite_source(code, SETTINGS)
    assert [item.line for item in result.review] == [4]
    assert result.code == code  # a local server's URL: left alone


def test_interactive_writes_the_accepted_half_of_a_cr_file_in_cr(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    two = "from openai import OpenAI\n\n\ndef a():\n    return OpenAI()\n\n\ndef b():\n    return OpenAI()\n"
    path.write_bytes(two.replace("\n", "\r").encode())
    dry = run_rewrite([str(path)], SETTINGS, write=False)
    answers = iter(["y\n", "n\n"])
    review_run(dry, SETTINGS, Console(file=io.StringIO(), width=200), ask=lambda: next(answers))
    expected = (
        "import os\nfrom openai import OpenAI\n\n\ndef a():\n"
        f"    return OpenAI({NEW_ARGS})\n\n\ndef b():\n    return OpenAI()\n"
    )
    assert path.read_bytes() == expected.replace("\n", "\r").encode()
