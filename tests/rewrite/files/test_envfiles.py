"""Env files, pure: the target's key added once, URL lines moved only for moved readers, values never shown."""

from __future__ import annotations

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.files.envfiles import ENV_FILES_RULE, MASK, UrlReaders, masked, rewrite_env_file
from migrate_cli.rewrite.files.source_files import is_env_file
from migrate_cli.rewrite.model import FileResult, ReviewItem, UrlEnvRead

VMIRA = resolve_target()
TOGETHER = resolve_target(provider="together")
REAL_LOOKING_KEY = "sk-proj-" + "Zq8xW2vB7nK4mL9pR3tY6uI1oP5aS0dF" * 2
MOVED = UrlReaders(read=frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE"}))


def test_the_target_key_goes_right_after_openai_api_key_with_an_empty_value() -> None:
    before = f"# keys\nOPENAI_API_KEY={REAL_LOOKING_KEY}\nDEBUG=1\n"
    result = rewrite_env_file(before, VMIRA)
    assert result.text == f"# keys\nOPENAI_API_KEY={REAL_LOOKING_KEY}\nMIRA_API_KEY=\nDEBUG=1\n"
    [change] = result.changes
    assert (change.rule, change.line) == (ENV_FILES_RULE, 2)
    assert "MIRA_API_KEY" in change.message and REAL_LOOKING_KEY not in change.message


@pytest.mark.parametrize(
    ("line", "added"),
    [
        ('export OPENAI_API_KEY="sk-x"\n', 'export MIRA_API_KEY=""\n'),
        ("  OPENAI_API_KEY = 'sk-x'\n", "  MIRA_API_KEY = ''\n"),
        ("OPENAI_API_KEY = sk-x  # personal key\n", "MIRA_API_KEY =\n"),
        ("OPENAI_API_KEY=sk-x\r\n", "MIRA_API_KEY=\r\n"),
    ],
)
def test_the_new_line_copies_prefix_spacing_quoting_and_line_end(line: str, added: str) -> None:
    assert rewrite_env_file(line + "OTHER=1\n", VMIRA).text == line + added + "OTHER=1\n"


def test_a_last_line_without_newline_gets_one_and_the_new_last_line_has_none() -> None:
    result = rewrite_env_file("A=1\r\nOPENAI_API_KEY=sk-x", VMIRA)
    assert result.text == "A=1\r\nOPENAI_API_KEY=sk-x\r\nMIRA_API_KEY="


def test_comments_blank_lines_order_and_crlf_are_kept() -> None:
    before = "# OpenAI\r\n\r\nOPENAI_API_KEY=sk-x\r\n# export OPENAI_API_KEY=sk-old\r\n\r\nZ=last\r\n"
    result = rewrite_env_file(before, VMIRA)
    assert result.text == before.replace("OPENAI_API_KEY=sk-x\r\n", "OPENAI_API_KEY=sk-x\r\nMIRA_API_KEY=\r\n")


def test_other_providers_get_their_own_key_variable() -> None:
    assert "TOGETHER_API_KEY=\n" in rewrite_env_file("OPENAI_API_KEY=sk-x\n", TOGETHER).text


@pytest.mark.parametrize(
    "text",
    [
        "OPENAI_API_KEY=sk-x\nMIRA_API_KEY=\n",  # already there (a second run)
        "MIRA_API_KEY=mira-key\nOPENAI_API_KEY=sk-x\n",  # already there, elsewhere
        "# OPENAI_API_KEY=sk-x\nDEBUG=1\n",  # only commented out: nothing configures OpenAI
        "ANTHROPIC_API_KEY=x\n",
        "",
    ],
)
def test_nothing_is_added_twice_or_where_no_openai_key_is_set(text: str) -> None:
    result = rewrite_env_file(text, VMIRA)
    assert result.text == text
    assert not result.changed


def test_a_second_run_changes_nothing() -> None:
    once = rewrite_env_file("export OPENAI_API_KEY='sk-x'\nOPENAI_BASE_URL=https://api.openai.com/v1\n", VMIRA, MOVED)
    assert once.changed
    again = rewrite_env_file(once.text, VMIRA, UrlReaders())
    assert again.text == once.text and not again.changed


def test_target_key_is_openai_api_key_itself_adds_nothing() -> None:
    target = resolve_target(base_url="http://localhost:8000/v1", api_key_env="OPENAI_API_KEY")
    assert rewrite_env_file("OPENAI_API_KEY=sk-x\n", target).text == "OPENAI_API_KEY=sk-x\n"


def test_a_multiline_quoted_value_is_one_entry_not_several() -> None:
    text = 'CERT="-----BEGIN-----\nOPENAI_API_KEY=not-a-line-of-its-own\n-----END-----"\nOPENAI_API_KEY=sk-x\n'
    result = rewrite_env_file(text, VMIRA)
    assert result.text == text.replace("OPENAI_API_KEY=sk-x\n", "OPENAI_API_KEY=sk-x\nMIRA_API_KEY=\n")
    assert [c.line for c in result.changes] == [4]


# --- base URL lines --------------------------------------------------------------------------


def test_a_url_read_only_by_moved_clients_is_pointed_at_the_target_keeping_quotes_and_comment() -> None:
    before = 'OPENAI_BASE_URL="https://api.openai.com/v1"  # default\nexport OPENAI_API_BASE=\n'
    result = rewrite_env_file(before, VMIRA, MOVED)
    assert (
        result.text
        == 'OPENAI_BASE_URL="https://api.vmira.ai/v1"  # default\nexport OPENAI_API_BASE=https://api.vmira.ai/v1\n'
    )
    assert [(c.line, c.message.split(":")[0]) for c in result.changes] == [
        (1, "OPENAI_BASE_URL -> https"),
        (2, "OPENAI_API_BASE -> https"),
    ]
    assert "--baseline-base-url" in result.changes[0].message  # smoke reads $OPENAI_BASE_URL


def test_a_url_the_code_never_read_is_left_alone_silently() -> None:
    before = "OPENAI_API_BASE=https://api.openai.com/v1\n"
    result = rewrite_env_file(before, VMIRA, UrlReaders(read=frozenset({"OPENAI_BASE_URL"})))
    assert result.text == before
    assert not result.changes and not result.review


def test_a_url_still_read_by_code_the_rewrite_did_not_move_is_reviewed_with_its_readers() -> None:
    readers = UrlReaders(
        read=frozenset({"OPENAI_BASE_URL"}),
        still_read={"OPENAI_BASE_URL": ("app.py:12", "nb.ipynb:cell 3:2", "b.py:1", "c.py:2")},
    )
    before = "OPENAI_BASE_URL=https://api.openai.com/v1\n"
    result = rewrite_env_file(before, VMIRA, readers)
    assert result.text == before
    [item] = result.review
    assert item.line == 1
    assert "app.py:12, nb.ipynb:cell 3:2, b.py:1 and 1 more" in item.reason
    assert "https://api.openai.com" not in item.reason


@pytest.mark.parametrize("value", ["http://localhost:4000/v1", '"https://proxy.internal/openai"', "${LITELLM_URL}"])
def test_a_url_that_is_not_openais_is_reviewed_and_its_value_never_shown(value: str) -> None:
    before = f"OPENAI_BASE_URL={value}\n"
    result = rewrite_env_file(before, VMIRA, MOVED)
    assert result.text == before
    [item] = result.review
    assert "value not shown" in item.reason
    assert value.strip('"') not in item.reason


def test_a_url_already_at_the_target_needs_nothing() -> None:
    before = "OPENAI_BASE_URL=https://api.vmira.ai/v1/\n"
    result = rewrite_env_file(before, VMIRA, MOVED)
    assert result.text == before and not result.changes and not result.review


def test_readers_are_collected_from_the_runs_results() -> None:
    results = [
        FileResult("app.py", "changed", url_env_reads=(UrlEnvRead("OPENAI_BASE_URL", 3, after=False),)),
        FileResult(
            "nb.ipynb",
            "unchanged",
            url_env_reads=(
                UrlEnvRead("OPENAI_API_BASE", 2, after=False, cell=4),
                UrlEnvRead("OPENAI_API_BASE", 2, after=True, cell=4),
            ),
        ),
        FileResult(
            "mod.py",
            "unchanged",
            review=(
                ReviewItem(
                    "MC002", 7, "uses the module-level client configured only by env vars: set OPENAI_BASE_URL=..."
                ),
            ),
        ),
    ]
    readers = UrlReaders.of(results)
    assert readers.read == {"OPENAI_BASE_URL", "OPENAI_API_BASE"}
    assert readers.still_read == {"OPENAI_API_BASE": ("nb.ipynb:cell 4:2",), "OPENAI_BASE_URL": ("mod.py:7",)}


# --- what may be shown -----------------------------------------------------------------------


def test_masked_text_shows_names_and_never_values() -> None:
    text = (
        "# OpenAI account\n"
        f"export OPENAI_API_KEY={REAL_LOOKING_KEY}  # mine\n"
        f"# OPENAI_API_KEY={REAL_LOOKING_KEY}\n"
        f"# old key was {REAL_LOOKING_KEY}\n"
        'PASSWORD="multi\nline secret"\n'
        "garbage line with hunter2\n"
        "\n"
        "EMPTY=\n"
        "OPENAI_BASE_URL=https://api.vmira.ai/v1\r\n"
    )
    shown = masked(text, VMIRA)
    assert shown == (
        "# OpenAI account\n"
        f"export OPENAI_API_KEY={MASK}\n"
        f"# OPENAI_API_KEY={MASK}\n"
        f"# old key was {MASK}\n"
        f"PASSWORD={MASK}\n"
        f"{MASK}\n"
        f"{MASK}\n"
        "\n"
        "EMPTY=\n"
        "OPENAI_BASE_URL=https://api.vmira.ai/v1\r\n"
    )
    for secret in (REAL_LOOKING_KEY, "secret", "hunter2", "multi"):
        assert secret not in shown


def test_the_display_copies_line_up_with_the_real_texts() -> None:
    result = rewrite_env_file(
        f"A=1\nOPENAI_API_KEY={REAL_LOOKING_KEY}\nOPENAI_BASE_URL=https://api.openai.com/v1\n", VMIRA, MOVED
    )
    assert result.shown_before == f"A={MASK}\nOPENAI_API_KEY={MASK}\nOPENAI_BASE_URL={MASK}\n"
    assert (
        result.shown_after
        == f"A={MASK}\nOPENAI_API_KEY={MASK}\nMIRA_API_KEY=\nOPENAI_BASE_URL=https://api.vmira.ai/v1\n"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".env", True),
        ("app/.env.local", True),
        (".env.example", True),
        ("deploy/prod.env", True),
        ("env.py", False),
        (".envrc", False),
        ("environment.yml", False),
        ("app/.env.py.txt", True),
    ],
)
def test_env_file_names(path: str, expected: bool) -> None:
    assert is_env_file(path) is expected
