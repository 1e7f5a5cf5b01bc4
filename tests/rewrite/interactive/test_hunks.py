"""Cutting a rewrite into hunks for --interactive: what is asked together, what any choice writes."""

from __future__ import annotations

import ast
import functools
import importlib.util
import itertools
from dataclasses import replace
from pathlib import Path
from textwrap import dedent
from types import ModuleType

import pytest
from helpers.rewrite_cases import VMIRA, rewrite

from migrate_cli.rewrite.interactive.hunk_deps import WHOLE_FILE, plan_hunks
from migrate_cli.rewrite.interactive.hunks import FileChanges, compose_file, hunk_diff
from migrate_cli.rewrite.interactive.name_check import refusal, unresolved_names
from migrate_cli.rewrite.model import RewriteSettings, SourceError

TARGET = VMIRA.target


def plan_for(code: str, settings: RewriteSettings = VMIRA) -> FileChanges:
    code = dedent(code)
    result = rewrite(code, settings)
    assert result.changed
    return plan_hunks(code, result.code, result.changes, url=TARGET.base_url, key_env=TARGET.api_key_env)


def applied_text(plan: FileChanges, picks: list[int]) -> str:
    return compose_file(plan, plan.applied([plan.hunks[i] for i in picks]))


THREE_CLIENTS = """\
    import os
    from openai import OpenAI


    def first():
        return OpenAI(api_key=os.environ["OPENAI_API_KEY"])


    def second():
        return OpenAI(api_key=os.environ["OPENAI_API_KEY"])


    def third():
        return OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    """


def test_independent_clients_are_separate_hunks_and_any_pick_writes_just_those() -> None:
    plan = plan_for(THREE_CLIENTS)
    assert len(plan.hunks) == 3
    assert [plan.line_of(h) for h in plan.hunks] == [6, 10, 14]
    assert all(h.joined is None and not h.needs for h in plan.hunks)
    text = applied_text(plan, [0, 2])
    lines = text.splitlines()
    assert lines[5] == '    return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")'
    assert lines[9] == '    return OpenAI(api_key=os.environ["OPENAI_API_KEY"])'
    assert lines[13] == lines[5]
    assert applied_text(plan, [0, 1, 2]) == plan.new
    assert applied_text(plan, []) == plan.old


def test_each_hunk_carries_the_engine_change_about_its_lines() -> None:
    plan = plan_for(THREE_CLIENTS)
    assert [[(c.rule, c.line) for c in h.changes] for h in plan.hunks] == [
        [("MC001", 6)],
        [("MC001", 10)],
        [("MC001", 14)],
    ]


def test_an_added_import_is_not_a_question_but_comes_with_the_changes_that_need_it() -> None:
    plan = plan_for(
        """\
        from openai import OpenAI


        def first():
            return OpenAI()


        def second():
            return OpenAI()
        """
    )
    assert len(plan.hunks) == 2
    import_region = plan.hunks[0].needs
    assert import_region and plan.hunks[1].needs == import_region
    only_second = applied_text(plan, [1])
    assert only_second.count("import os\n") == 1
    assert "    return OpenAI()\n" in only_second  # the first stays
    ast.parse(only_second)
    assert refusal(plan, plan.applied([plan.hunks[1]])) is None
    # Nothing accepted: no stray import either.
    assert applied_text(plan, []) == plan.old


def test_the_import_rename_and_every_call_it_renames_are_one_question() -> None:
    plan = plan_for(
        """\
        import os
        from openai import AzureOpenAI

        a = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2024-10-21", azure_endpoint="https://c.openai.azure.com")


        def make():
            return AzureOpenAI(
                api_version="2024-10-21",
                azure_endpoint="https://c.openai.azure.com",
            )
        """
    )
    # The import, the first call, and each of the three changed lines of the second call.
    assert len(plan.regions) == 5
    assert len(plan.hunks) == 1
    assert plan.hunks[0].joined is not None and "AzureOpenAI" in plan.hunks[0].joined


def test_two_edits_of_one_statement_are_one_question() -> None:
    plan = plan_for(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            api_key=os.environ["OPENAI_API_KEY"],
            timeout=30,
            max_retries=2,
        )
        """
    )
    assert len(plan.regions) == 2  # the key line, and base_url added before the closing paren
    assert len(plan.hunks) == 1
    assert plan.hunks[0].joined is None  # joined by the statement, not by a name


def test_an_import_that_now_binds_its_alias_to_another_class_goes_with_the_calls_through_the_alias() -> None:
    plan = plan_for(
        """\
        import os
        from openai import AsyncAzureOpenAI as LLM"""
        '\n\n        client = LLM(api_key=os.environ["AZURE_OPENAI_API_KEY"], '
        'azure_endpoint="https://c.openai.azure.com", api_version="2024-06-01")\n'
        """\
        """
    )
    # Names alone resolve either way (LLM stays bound); what the name means changes.
    assert len(plan.regions) == 2
    assert len(plan.hunks) == 1 and "LLM" in (plan.hunks[0].joined or "")


def test_constants_of_different_kinds_are_separate_questions() -> None:
    mapped = replace(VMIRA, target=replace(TARGET, model_map={"gpt-4o": "mira"}))
    plan = plan_for(
        """\
        from openai import OpenAI

        MODEL = "gpt-4o"
        TIMEOUT = 30
        BASE_URL = "https://api.openai.com/v1"
        API_KEY = "sk-proj-0123456789abcdefghijklmnop"

        client = OpenAI(base_url=BASE_URL, api_key=API_KEY, timeout=TIMEOUT)
        reply = client.chat.completions.create(model=MODEL, messages=[])
        """,
        mapped,
    )
    assert [sorted({c.rule for c in h.changes}) for h in plan.hunks] == [["MC004"], ["MC006"]]
    url_and_key = plan.hunks[1]
    # The URL constant and the key constant: never one without the other.
    assert [c.line for c in url_and_key.changes] == [5, 6]
    assert url_and_key.joined is not None and "OpenAI key would go to the new provider" in url_and_key.joined
    assert url_and_key.needs  # the key becomes os.environ[...]: `import os` comes with it


def test_an_edit_no_change_is_reported_on_belongs_to_the_nearest_reported_change() -> None:
    plan = plan_for(
        """\
        import os
        from openai import OpenAI


        def make_client():
            kwargs = {"api_key": os.environ["OPENAI_API_KEY"]}
            if os.environ.get("OPENAI_BASE_URL"):
                kwargs["base_url"] = os.environ["OPENAI_BASE_URL"]
            return OpenAI(**kwargs)
        """
    )
    assert len(plan.regions) == 2
    assert len(plan.hunks) == 1
    assert [(c.rule, c.line) for c in plan.hunks[0].changes] == [("MC001", 9)]


def test_a_standalone_import_nobody_needs_is_asked_about_on_its_own() -> None:
    old = "import sys\n\nx = 1\n"
    new = "import os\nimport sys\n\nx = 1\n"
    plan = plan_hunks(old, new)
    assert len(plan.hunks) == 1 and plan.hunks[0].regions == (0,)


def test_a_file_whose_parts_cannot_be_shown_independent_is_one_question() -> None:
    # A hunk that leaves the code unparseable on its own: the opening and closing of a block change.
    old = "if a:\n    x = 1\n\n\n\n\n\n\n\ny = 2\n"
    new = "if a:\n    x = 1\nelse:\n    x = 2\n\n\n\n\n\ny = 3\n"
    plan = plan_hunks(old, new)
    assert compose_file(plan, plan.applied(plan.hunks)) == new
    for size in range(len(plan.hunks) + 1):
        for picks in itertools.combinations(plan.hunks, size):
            assert refusal(plan, plan.applied(picks)) is None


def test_code_that_does_not_parse_falls_back_to_one_question_for_the_file() -> None:
    old = "A = 1\n\n\n\n\n\n\n\nB = (\n"
    new = "A = 10\n\n\n\n\n\n\n\nB = [\n"
    plan = plan_hunks(old, new)
    assert len(plan.regions) == 2
    assert len(plan.hunks) == 1 and plan.hunks[0].joined == WHOLE_FILE


def test_refusal_names_what_a_hand_picked_combination_would_break() -> None:
    plan = plan_for(
        """\
        from openai import OpenAI

        client = OpenAI()
        """
    )
    call = next(i for i, r in enumerate(plan.regions) if i not in plan.hunks[0].needs)
    assert refusal(plan, {call}) == "with only the changes you accepted, os would be undefined"
    assert refusal(plan, plan.applied(plan.hunks)) is None


def test_unresolved_names_follow_python_scopes() -> None:
    code = dedent(
        """\
        import json as j
        from x import y

        def f(a):
            global G
            G = 1
            return os.environ[a] + j.dumps(b) + len(y)

        class C:
            z = w
            def m(self):
                return C, self, __file__
        """
    )
    assert unresolved_names(code) == {"os", "b", "w"}


def test_hunk_diff_shows_context_and_the_file_line_numbers() -> None:
    plan = plan_for(THREE_CLIENTS)
    text = hunk_diff(plan, plan.hunks[1].regions)
    assert text == (
        "@@ -7,7 +7,7 @@\n"
        " \n"
        " \n"
        " def second():\n"
        '-    return OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
        '+    return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")\n'
        " \n"
        " \n"
        " def third():\n"
    )


def test_hunk_diff_of_a_crlf_file_without_final_newline() -> None:
    old = "import os\r\nfrom openai import OpenAI\r\nclient = OpenAI()"
    result = rewrite(old)
    plan = plan_hunks(old, result.code, result.changes)
    text = hunk_diff(plan, range(len(plan.regions)))
    assert "\r" not in text
    assert text.endswith("\\ No newline at end of file\n")
    assert compose_file(plan, range(len(plan.regions))) == result.code
    assert "\r\n" in compose_file(plan, plan.applied(plan.hunks[:1]))


# -- every golden case of the rule tests: any choice of hunks gives code that parses and resolves --

TESTS = Path(__file__).resolve().parents[1]
RULE_TEST_FILES = [
    TESTS / "rules/test_autogen.py",
    TESTS / "rules/test_azure.py",
    TESTS / "rules/test_openai_client.py",
    TESTS / "api/test_config_dict.py",
    TESTS / "rules/test_crewai.py",
    TESTS / "rules/test_dspy.py",
    TESTS / "rules/test_env_writes.py",
    TESTS / "rules/test_haystack.py",
    TESTS / "rules/test_langchain.py",
    TESTS / "rules/test_litellm.py",
    TESTS / "rules/test_llamaindex.py",
    TESTS / "rules/test_max_tokens.py",
    TESTS / "rules/test_model_ids.py",
    TESTS / "rules/test_module_client.py",
    TESTS / "rules/test_module_constants.py",
    TESTS / "rules/test_openai_agents.py",
    TESTS / "rules/test_pydantic_ai.py",
    TESTS / "rules/test_openai_client_wrappers.py",
]
MAPPED = replace(VMIRA, target=replace(VMIRA.target, model_map={"gpt-4o": "mira", "gpt-4o-mini": "mira-mini"}))


def golden_sources() -> list[str]:
    sources = []
    for path in RULE_TEST_FILES:
        for case in _load(path).REWRITES:
            sources.append(dedent(case.values[0]))
    return sources


@functools.cache
def _load(path: Path) -> ModuleType:
    """A rule test module, loaded from its file (its golden cases are this test's corpus)."""
    spec = importlib.util.spec_from_file_location(f"golden_corpus_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_golden_corpus_is_found() -> None:
    assert len(golden_sources()) > 100


def paired_sources() -> list[str]:
    """Each golden case followed by the next one in one module: more hunks, and shared imports."""
    sources = [s for s in golden_sources() if "__future__" not in s]
    return [a + "\n\n" + b for a, b in itertools.pairwise(sources)]


@pytest.mark.parametrize("settings", [VMIRA, MAPPED], ids=["vmira", "model-map"])
def test_every_choice_of_hunks_in_every_golden_case_is_sound(settings: RewriteSettings) -> None:
    checked = 0
    for source in golden_sources() + paired_sources():
        try:
            result = rewrite(source, settings)
        except SourceError:
            continue  # two cases joined may not parse together (e.g. a `return` at module level)
        if not result.changed:
            continue
        plan = plan_hunks(source, result.code, result.changes, url=TARGET.base_url, key_env=TARGET.api_key_env)
        assert compose_file(plan, plan.applied(plan.hunks)) == result.code
        assert sorted(i for h in plan.hunks for i in h.regions) == sorted(
            set(range(len(plan.regions))) - {i for h in plan.hunks for i in h.needs}
        ), "every region is asked about exactly once, or comes with what needs it"
        hunks = plan.hunks
        picks = (
            [c for size in range(1, len(hunks)) for c in itertools.combinations(hunks, size)]
            if len(hunks) <= 5
            else [(h,) for h in hunks] + [tuple(x for x in hunks if x is not h) for h in hunks]
        )
        for pick in picks:
            problem = refusal(plan, plan.applied(pick))
            assert problem is None, f"{problem}\n--- source:\n{source}"
            checked += 1
    assert checked > 200  # proper subsets of a file's hunks: the partly accepted files
