"""`migrate rules`, and `--only/--skip` on `migrate rewrite`: codes checked, selections that do nothing said."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from migrate_cli.cli import app
from migrate_cli.console import stdout
from migrate_cli.errors import UsageError
from migrate_cli.rewrite.registry import RULES
from migrate_cli.rewrite.selection import select_rules

CODES = [rule.code for rule in RULES]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [*map(str, args)])


def invoke_with_width(columns: int, *args: str) -> Result:
    stdout.cache_clear()  # the console reads COLUMNS when it is made
    try:
        return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})
    finally:
        stdout.cache_clear()


# -- migrate rules --------------------------------------------------------------------------


def test_rules_lists_every_registered_rule_with_its_name_fix_safety_and_summary() -> None:
    # Wide enough that no summary is folded: one line per rule; columns are two spaces apart or more.
    result = invoke_with_width(300, "rules")
    assert result.exit_code == 0, result.output
    rows = {
        cells[0]: cells[1:]
        for line in result.stdout.splitlines()[1:]
        if line.strip().startswith("MC")
        for cells in [re.split(r"\s{2,}", line.strip())]
    }
    assert list(rows) == CODES
    for rule in RULES:
        assert rows[rule.code] == [rule.name, rule.fix_safety.value, rule.summary]
    assert {row[1] for row in rows.values()} == {"safe", "needs review"}
    assert "--only CODE" in result.stdout and "--explain CODE" in result.stdout


def test_rules_table_folds_long_summaries_on_a_narrow_terminal_without_losing_words() -> None:
    result = invoke_with_width(80, "rules")
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "…" not in result.stdout


def test_rules_json_is_one_object_with_every_rule_in_registry_order() -> None:
    result = invoke("rules", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert data["rules"] == [
        {"code": r.code, "name": r.name, "fix_safety": r.fix_safety.value, "summary": r.summary} for r in RULES
    ]


@pytest.mark.parametrize("asked", ["MC003", "mc003", "azure"])
def test_rules_explain_prints_the_rules_documentation(asked: str) -> None:
    result = invoke("rules", "--explain", asked)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# MC003 azure\n\n`AzureOpenAI(...)`")
    assert "```python" in result.stdout  # the example
    assert "**Fix safety: needs review.**" in result.stdout


@pytest.mark.parametrize("asked", ["MC099", "MC001,MC002", "nope"])
def test_rules_explain_of_an_unknown_rule_is_one_line_and_exit_2(asked: str) -> None:
    result = invoke("rules", "--explain", asked)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"unknown rule '{asked}'" in result.stderr


# -- select_rules ---------------------------------------------------------------------------


def test_only_and_skip_take_repeated_and_comma_separated_codes_names_and_any_case() -> None:
    selection = select_rules(["MC001, mc004", "langchain"], ["MC004"], RULES)
    assert selection.only == {"MC001", "MC004", "MC010"}
    assert selection.skip == {"MC004"}
    assert selection.enabled == ("MC001", "MC010")
    assert selection.notes == ()


def test_no_selection_enables_every_rule() -> None:
    selection = select_rules(None, None, RULES)
    assert selection.only is None and selection.enabled == tuple(CODES)


@pytest.mark.parametrize(
    ("only", "skip", "message", "hint"),
    [
        (["MC0001"], None, "--only: unknown rule 'MC0001'", "did you mean MC001?"),
        (["MC01"], None, "--only: unknown rule 'MC01'", "did you mean MC001 or MC010?"),
        (["openai_client"], None, "--only: unknown rule 'openai_client'", "did you mean MC001 (openai-client)?"),
        (None, ["langchian"], "--skip: unknown rule 'langchian'", "did you mean MC010 (langchain)?"),
        (["MC001,XYZ"], None, "--only: unknown rule 'XYZ'", "`migrate rules` lists every code"),
        ([","], None, "--only needs a rule code, e.g. --only MC001", "`migrate rules` lists them"),
        (["MC001"], ["MC001"], "--only and --skip leave no rule to run", "--skip wins over --only"),
    ],
)
def test_bad_selections_are_usage_errors_naming_the_value(
    only: list[str] | None, skip: list[str] | None, message: str, hint: str
) -> None:
    with pytest.raises(UsageError) as caught:
        select_rules(only, skip, RULES)
    assert caught.value.message == message
    assert hint in (caught.value.hint or "")


def test_mc006_alone_is_refused_because_it_can_change_nothing() -> None:
    with pytest.raises(UsageError) as caught:
        select_rules(["MC006"], None, RULES)
    assert caught.value.message.startswith("--only MC006 changes nothing on its own")
    assert "--only MC001,MC006" in (caught.value.hint or "")


def test_mc006_without_any_client_rule_is_a_note() -> None:
    selection = select_rules(["MC004,MC006"], None, RULES)
    assert selection.enabled == ("MC004", "MC006")
    assert len(selection.notes) == 1 and "MC006 will change nothing in this run" in selection.notes[0]
    # With a client rule, or the module client, it has something to follow.
    assert select_rules(["MC001,MC006"], None, RULES).notes == ()
    assert select_rules(["MC002,MC006"], None, RULES).notes == ()
    # Skipping every client rule leaves MC006 with nothing as well.
    skipped = select_rules(["MC003,MC004,MC005,MC006"], None, RULES)
    assert skipped.notes


# -- through the CLI ------------------------------------------------------------------------

CLIENT_AND_MODEL = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4o", messages=[], max_completion_tokens=5)\n'
)


def test_only_runs_just_the_selected_rules(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CLIENT_AND_MODEL)
    result = invoke("rewrite", path, "--only", "MC005", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {c["rule"] for f in data["files"] for c in f["changes"]} == {"MC005"}
    assert path.read_text() == CLIENT_AND_MODEL.replace("max_completion_tokens", "max_tokens")


def test_skip_leaves_the_skipped_rules_work_undone(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CLIENT_AND_MODEL)
    result = invoke("rewrite", path, "--skip", "MC005,MC004", "--dry-run")
    assert result.exit_code == 0
    assert "max_completion_tokens=5" in path.read_text()
    assert "(1 change: MC001)" in result.stderr
    assert "max_tokens" not in result.stdout


def test_an_unknown_code_stops_the_run_before_anything_is_done(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CLIENT_AND_MODEL)
    result = invoke("rewrite", path, "--skip", "MC01")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --skip: unknown rule 'MC01'",
        "  did you mean MC001 or MC010? `migrate rules` lists every code",
    ]
    assert path.read_text() == CLIENT_AND_MODEL


def test_a_selection_that_does_nothing_for_a_rule_says_so_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CLIENT_AND_MODEL)
    result = invoke("rewrite", path, "--only", "MC005,MC006", "--json")
    assert result.exit_code == 0
    assert result.stderr.startswith("note: MC006 follows constants only into the clients of MC001, MC002")
    json.loads(result.stdout)  # stdout stays one JSON object


def test_only_mc006_is_a_usage_error_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(CLIENT_AND_MODEL)
    result = invoke("rewrite", path, "--only", "mc006")
    assert result.exit_code == 2
    assert "changes nothing on its own" in result.stderr
