"""Notebooks, pure: cells analysed together, magics skipped and reported, JSON kept byte for byte."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files.notebook import NOTEBOOK_RULE, rewrite_notebook
from migrate_cli.rewrite.files.notebook_json import NotebookFormatError, locate_cells
from migrate_cli.rewrite.model import RewriteSettings, UrlEnvRead

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"
VMIRA = RewriteSettings(resolve_target())
NEW_CLIENT = 'OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")'


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def jupyter_dumps(nb: dict) -> str:
    """How nbformat.write() serialises a notebook (nbformat/v4/nbjson.py)."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def notebook(*cells: str | tuple[str, str], source_as_string: bool = False) -> str:
    """An nbformat 4 notebook, written as Jupyter writes it; a tuple is (cell_type, source)."""
    built = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        value: str | list[str] = source if source_as_string else source.splitlines(keepends=True)
        entry: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": value}
        if kind == "code":
            entry.update(execution_count=None, outputs=[])
        built.append(entry)
    return jupyter_dumps({"cells": built, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def sources(text: str) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in json.loads(text)["cells"]]


def check_parses(text: str) -> None:
    for cell in json.loads(text)["cells"]:
        if cell["cell_type"] == "code":
            code = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if not code.lstrip().startswith(("%", "!")):
                ast.parse(code)


# --- the Jupyter-written fixture -------------------------------------------------------------


def test_jupyter_notebook_changes_only_the_client_cells_and_stays_jupyters_own_layout() -> None:
    before = fixture("jupyter.ipynb")
    result = rewrite_notebook(before, VMIRA)

    assert [cell.number for cell in result.cells] == [3, 5]
    # What Jupyter itself would write for the rewritten notebook: 1-space indent, sorted keys,
    # raw non-ASCII, final newline; so every byte outside the two sources is as it was.
    assert result.text == jupyter_dumps(json.loads(result.text))
    old, new = json.loads(before), json.loads(result.text)
    for number, (old_cell, new_cell) in enumerate(zip(old["cells"], new["cells"], strict=True), 1):
        if number not in (3, 5):
            assert new_cell == old_cell
        else:
            assert {k: v for k, v in new_cell.items() if k != "source"} == {
                k: v for k, v in old_cell.items() if k != "source"
            }
    assert new["metadata"] == old["metadata"]
    check_parses(result.text)


def test_jupyter_notebook_import_os_joins_the_imports_cell_and_the_client_cell_is_rewritten() -> None:
    result = rewrite_notebook(fixture("jupyter.ipynb"), VMIRA)
    cells = json.loads(result.text)["cells"]
    assert cells[2]["source"] == [
        "import json\n",
        "import os\n",
        "from openai import OpenAI\n",
        "from dotenv import load_dotenv\n",
        "\n",
        "load_dotenv()",
    ]
    assert cells[4]["source"][:2] == ["# Étape 2 : le client — café ☕\n", f"client = {NEW_CLIENT}\n"]
    assert cells[4]["outputs"][1]["data"]["image/png"].startswith("iVBORw0KGgo")  # the base64 PNG, untouched


def test_jupyter_notebook_findings_are_located_by_cell_and_line() -> None:
    result = rewrite_notebook(fixture("jupyter.ipynb"), VMIRA)
    assert [(c.rule, c.cell, c.line) for c in result.changes] == [("MC001", 5, 2)]
    assert [(r.rule, r.cell, r.line) for r in result.review] == [("MC004", 5, 4), (NOTEBOOK_RULE, 6, 1)]
    skipped = result.review[1]
    assert "!echo" in skipped.reason and "OPENAI_API_KEY" not in skipped.reason  # the magic by name only


def test_rewritten_notebook_is_left_alone_by_a_second_run() -> None:
    for name in ("jupyter.ipynb", "two_space_ascii.ipynb"):
        once = rewrite_notebook(fixture(name), VMIRA)
        again = rewrite_notebook(once.text, VMIRA)
        assert once.changed
        assert again.text == once.text
        assert not again.changed and not again.changes


# --- another writer's layout -----------------------------------------------------------------


def test_two_space_ascii_notebook_keeps_its_indent_key_order_escapes_and_missing_final_newline() -> None:
    before = fixture("two_space_ascii.ipynb")
    result = rewrite_notebook(before, VMIRA)
    assert [cell.number for cell in result.cells] == [1]
    assert result.text == json.dumps(json.loads(result.text), indent=2, ensure_ascii=True)
    assert not result.text.endswith("\n")
    assert "\\u3053\\u3093" in result.text  # こん... still escaped as the writer escaped it
    # A source stored as one string stays one string.
    assert json.loads(result.text)["cells"][0]["source"] == (
        'import openai\nimport os\nclient = openai.OpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1")'
    )


def test_a_new_line_with_non_ascii_is_escaped_when_the_document_escapes() -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": ["from openai import OpenAI\n", "client = OpenAI()  # clé\n", "x = 'é'"],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    escaped = json.dumps(nb, indent=1, ensure_ascii=True)
    result = rewrite_notebook(escaped, VMIRA)
    assert result.text.isascii()
    assert result.text == json.dumps(json.loads(result.text), indent=1, ensure_ascii=True)
    assert "\"x = '\\u00e9'\"" in result.text  # the unchanged line kept its original JSON text


def test_crlf_json_layout_is_kept() -> None:
    text = notebook("from openai import OpenAI\nclient = OpenAI()\n").replace("\n", "\r\n").replace("\\r\\n", "\\n")
    result = rewrite_notebook(text, VMIRA)
    assert result.changed
    assert "\n" not in result.text.replace("\r\n", "")
    assert sources(result.text) == [f"import os\nfrom openai import OpenAI\nclient = {NEW_CLIENT}\n"]


# --- scope across cells ----------------------------------------------------------------------


def test_a_class_imported_in_cell_1_is_followed_into_cell_3() -> None:
    text = notebook(
        "from openai import OpenAI",
        ("markdown", "Now the client:"),
        "client = OpenAI()\nprint(client)",
    )
    result = rewrite_notebook(text, VMIRA)
    assert sources(result.text) == [
        "import os\nfrom openai import OpenAI",
        "Now the client:",
        f"client = {NEW_CLIENT}\nprint(client)",
    ]
    assert [(c.cell, c.line) for c in result.changes] == [(3, 1)]
    check_parses(result.text)


def test_without_imports_import_os_goes_before_the_first_statement_of_the_first_code_cell() -> None:
    text = notebook(("markdown", "# Setup"), "print('start')", "import openai\nclient = openai.OpenAI()")
    assert sources(rewrite_notebook(text, VMIRA).text) == [
        "# Setup",
        "import os\nprint('start')",
        'import openai\nclient = openai.OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")',
    ]


def test_import_os_in_an_earlier_cell_is_reused_not_added_again() -> None:
    text = notebook("import os\nfrom openai import OpenAI", "client = OpenAI()")
    assert sources(rewrite_notebook(text, VMIRA).text) == [
        "import os\nfrom openai import OpenAI",
        f"client = {NEW_CLIENT}",
    ]


def test_a_module_constant_in_one_cell_is_rewritten_for_the_client_of_a_later_cell() -> None:
    text = notebook(
        'from openai import OpenAI\nBASE_URL = "https://api.openai.com/v1"',
        "client = OpenAI(base_url=BASE_URL)",
    )
    result = rewrite_notebook(text, VMIRA)
    assert sources(result.text)[0] == 'import os\nfrom openai import OpenAI\nBASE_URL = "https://api.vmira.ai/v1"'
    assert sources(result.text)[1] == 'client = OpenAI(base_url=BASE_URL, api_key=os.environ["MIRA_API_KEY"])'
    assert {(c.rule, c.cell) for c in result.changes} == {("MC006", 1), ("MC001", 2)}


def test_a_look_alike_class_defined_in_an_earlier_cell_is_not_touched() -> None:
    text = notebook("class OpenAI:\n    pass", "client = OpenAI()")
    result = rewrite_notebook(text, VMIRA)
    assert result.text == text and not result.changed


# --- cells that are not Python ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("%env OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz\nclient = OpenAI()", "%env"),
        ("%%time\nclient = OpenAI()", "%%time"),
        ("files = !ls\nclient = OpenAI()", "!ls"),
        ("OpenAI?", "? (help)"),
        ("!curl https://api.openai.com/v1/models", "!curl"),
    ],
)
def test_cells_with_magics_are_skipped_and_reported_by_magic_name(cell: str, shown: str) -> None:
    text = notebook("from openai import OpenAI", cell)
    result = rewrite_notebook(text, VMIRA)
    assert sources(result.text)[1] == cell  # left exactly as it was
    [item] = [r for r in result.review if r.rule == NOTEBOOK_RULE]
    assert item.cell == 2
    assert f"({shown})" in item.reason
    assert "sk-proj" not in item.reason


def test_a_cell_that_only_installs_the_package_is_not_reported() -> None:
    text = notebook("%pip install openai", "!pip install -U openai langchain-openai", "from openai import OpenAI")
    assert rewrite_notebook(text, VMIRA).review == ()


def test_an_install_cell_whose_comment_names_openai_is_not_reported() -> None:
    install = "# if needed, upgrade to the latest version of the OpenAI Python library\n%pip install --upgrade openai"
    text = notebook(install, "from openai import OpenAI")
    assert rewrite_notebook(text, VMIRA).review == ()


def test_a_magic_cell_with_openai_code_below_a_comment_is_reported_at_the_code_line() -> None:
    cell = "# build the OpenAI client\n%matplotlib inline\nclient = OpenAI()"
    [item] = rewrite_notebook(notebook("from openai import OpenAI", cell), VMIRA).review
    assert (item.cell, item.line) == (2, 3)
    assert "IPython syntax (%matplotlib)" in item.reason


def test_a_magic_cell_without_openai_is_skipped_silently() -> None:
    text = notebook("%matplotlib inline", f"import os\nfrom openai import OpenAI\nclient = {NEW_CLIENT}")
    result = rewrite_notebook(text, VMIRA)
    assert result.review == ()
    assert result.text == text


def test_a_cell_with_a_plain_syntax_error_is_reported_and_the_others_rewritten() -> None:
    text = notebook("from openai import OpenAI", "client = OpenAI(\n", "other = OpenAI()")
    result = rewrite_notebook(text, VMIRA)
    [item] = result.review
    assert (item.cell, item.line) == (2, 1)
    assert "does not parse" in item.reason
    assert sources(result.text)[1] == "client = OpenAI(\n"
    assert sources(result.text)[2] == f"other = {NEW_CLIENT}"


# --- no change: byte-identical ---------------------------------------------------------------


@pytest.mark.parametrize(
    "cells",
    [
        (("markdown", "# only prose about OpenAI"),),
        ("import numpy as np\nprint(np.pi)",),
        (f"import os\nfrom openai import OpenAI\nclient = {NEW_CLIENT}",),
        ("%pip install openai",),
    ],
)
def test_notebooks_with_nothing_to_do_come_back_byte_identical(cells: tuple) -> None:
    text = notebook(*cells)
    result = rewrite_notebook(text, VMIRA)
    assert result.text == text
    assert not result.changed


def test_source_list_shapes_are_kept() -> None:
    # One-string sources stay strings; list sources stay lists of lines.
    as_string = notebook("from openai import OpenAI\nclient = OpenAI()\n", source_as_string=True)
    assert isinstance(json.loads(rewrite_notebook(as_string, VMIRA).text)["cells"][0]["source"], str)
    as_list = notebook("from openai import OpenAI\nclient = OpenAI()\n")
    new_source = json.loads(rewrite_notebook(as_list, VMIRA).text)["cells"][0]["source"]
    assert new_source == ["import os\n", "from openai import OpenAI\n", f"client = {NEW_CLIENT}\n"]


# --- env reads for --env-files ---------------------------------------------------------------


def test_url_env_reads_are_located_by_cell_before_and_after() -> None:
    text = notebook(
        "import os\nfrom openai import OpenAI",
        'client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"])\nprint(os.getenv("OPENAI_API_BASE"))',
    )
    result = rewrite_notebook(text, RewriteSettings(resolve_target(), env_files=True))
    assert set(result.url_env_reads) == {
        UrlEnvRead("OPENAI_BASE_URL", 1, after=False, cell=2),
        UrlEnvRead("OPENAI_API_BASE", 2, after=False, cell=2),
        UrlEnvRead("OPENAI_API_BASE", 2, after=True, cell=2),
    }
    assert rewrite_notebook(text, VMIRA).url_env_reads == ()  # only asked for with --env-files


# --- documents this tool does not edit -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"cells": [', "not valid notebook JSON"),
        ('{"cells": [], "nbformat": 4} trailing', "extra data"),
        ("[1, 2]", "a notebook is a JSON object"),
        ('{"worksheets": [{"cells": []}], "nbformat": 3}', "nbformat 3"),
        ('{"cells": [], "nbformat": 5}', "nbformat 5"),
    ],
)
def test_documents_that_are_not_nbformat_4_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(NotebookFormatError, match=message):
        rewrite_notebook(text, VMIRA)


def test_locate_cells_finds_the_exact_source_spans() -> None:
    text = fixture("jupyter.ipynb")
    layout = locate_cells(text)
    assert layout.nbformat == 4
    assert [c.cell_type for c in layout.cells] == [
        "markdown",
        "code",
        "code",
        "markdown",
        "code",
        "code",
        "code",
        "code",
    ]
    for location, cell in zip(layout.cells, json.loads(text)["cells"], strict=True):
        assert location.source is not None
        assert json.loads(text[location.source.start : location.source.end]) == cell["source"]
        assert list(location.source.value) == cell["source"]
        if location.source.items is not None:  # a list of lines, one JSON string each
            for (start, end), line in zip(location.source.items, cell["source"], strict=True):
                assert json.loads(text[start:end]) == line


@pytest.mark.parametrize(
    ("broken", "second_after"),
    [
        # A decorator alone in its cell: that cell is not Python; the next one is, on its own.
        (("@functools.cache", "def make():\n    return OpenAI()"), f"def make():\n    return {NEW_CLIENT}"),
        # A bracket or a string opened in one cell and closed in the next: neither cell is Python.
        (("clients = [", "OpenAI()]"), "OpenAI()]"),
        (('notes = """', 'OpenAI() in a string\n"""'), 'OpenAI() in a string\n"""'),
    ],
)
def test_cells_that_only_parse_joined_with_their_neighbour_are_taken_one_by_one(
    broken: tuple[str, str], second_after: str
) -> None:
    # Jupyter runs each cell alone; joined, the two would parse as one statement across the boundary.
    text = notebook("import functools\nfrom openai import OpenAI", *broken, "client = OpenAI()")
    new = sources(rewrite_notebook(text, VMIRA).text)
    assert new[1:] == [broken[0], second_after, f"client = {NEW_CLIENT}"]
