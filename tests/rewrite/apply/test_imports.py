"""An import the rewrite relies on is bound where the rewritten code runs, in execution order (issue 8, section 2).

Each case states the exact rewritten code and then runs it: a module top to bottom, a notebook
cell by cell, a function down each branch. An import later in the file, in a later cell, or in a
sibling branch does not count.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers.rewrite_cases import VMIRA, check_rewrite

from migrate_cli.rewrite.files.notebook import rewrite_notebook

TARGET = ("https://api.vmira.ai/v1/", "mira-key-for-imports-1")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRA_API_KEY", TARGET[1])
    monkeypatch.setenv("OPENAI_API_KEY", "openai-decoy-key-2")


def described(client: Any) -> tuple[str, str]:
    return str(client.base_url), client.api_key


def test_import_after_the_use_at_module_level_is_added_before_it(env: None) -> None:
    result = check_rewrite(
        """\
        from openai import OpenAI
        client = OpenAI()
        import os
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        import os
        """,
    )
    namespace: dict[str, Any] = {}
    exec(result.code, namespace)
    assert described(namespace["client"]) == TARGET


def test_an_import_under_a_condition_does_not_count(env: None) -> None:
    result = check_rewrite(
        """\
        from openai import OpenAI
        if False:
            import os
        client = OpenAI()
        """,
        """\
        import os
        from openai import OpenAI
        if False:
            import os
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
    )
    namespace: dict[str, Any] = {}
    exec(result.code, namespace)
    assert described(namespace["client"]) == TARGET


def test_a_function_local_import_in_a_sibling_branch_does_not_count(env: None) -> None:
    result = check_rewrite(
        """\
        from openai import OpenAI


        def make(local):
            if local:
                import os
                return OpenAI(base_url=os.environ["LOCAL_URL"], api_key="local")
            else:
                return OpenAI()
        """,
        """\
        from openai import OpenAI


        def make(local):
            if local:
                import os
                return OpenAI(base_url=os.environ["LOCAL_URL"], api_key="local")
            else:
                import os
                return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
    )
    namespace: dict[str, Any] = {}
    exec(result.code, namespace)
    assert described(namespace["make"](False)) == TARGET  # without the added line: UnboundLocalError


def test_a_function_may_use_a_module_import_that_comes_later_in_the_file(env: None) -> None:
    result = check_rewrite(
        """\
        from openai import OpenAI


        def make():
            return OpenAI()


        import os
        """,
        """\
        from openai import OpenAI


        def make():
            return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")


        import os
        """,
    )
    namespace: dict[str, Any] = {}
    exec(result.code, namespace)
    assert described(namespace["make"]()) == TARGET


def notebook(*sources: str) -> str:
    cells: list[dict[str, object]] = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in sources
    ]
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def run_cells(text: str) -> dict[str, Any]:
    """Run a notebook's code cells one after another in one namespace, as Jupyter does."""
    namespace: dict[str, Any] = {}
    for cell in json.loads(text)["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def test_an_import_in_a_later_cell_does_not_count(env: None) -> None:
    result = rewrite_notebook(
        notebook("from openai import OpenAI\nclient = OpenAI()", "import os\nprint(os.getcwd())"), VMIRA
    )
    sources = [cell["source"] for cell in json.loads(result.text)["cells"]]
    assert sources == [
        'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")',
        "import os\nprint(os.getcwd())",
    ]
    assert described(run_cells(result.text)["client"]) == TARGET


def test_a_from_import_in_a_later_cell_does_not_count(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("haystack")
    monkeypatch.setenv("HAYSTACK_TELEMETRY_ENABLED", "False")
    result = rewrite_notebook(
        notebook(
            "from haystack.components.generators.chat import OpenAIChatGenerator\n"
            'generator = OpenAIChatGenerator(model="gpt-4o-mini")',
            "from haystack.utils import Secret\nprint(Secret)",
        ),
        VMIRA,
    )
    first = json.loads(result.text)["cells"][0]["source"]
    assert first == (
        "from haystack.components.generators.chat import OpenAIChatGenerator\n"
        "from haystack.utils import Secret\n"
        'generator = OpenAIChatGenerator(model="gpt-4o-mini", api_key=Secret.from_env_var("MIRA_API_KEY"), '
        'api_base_url="https://api.vmira.ai/v1")'
    )
    generator = run_cells(result.text)["generator"]
    assert generator.api_base_url == "https://api.vmira.ai/v1"
    assert generator.api_key.resolve_value() == TARGET[1]
