"""Unified diffs: the format patch tools read, no stray \\r, secrets redacted, safe rendering."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from migrate_cli.rewrite.diff import diff_lines, render_diff, unified_diff

BEFORE = "".join(f"line {i}\n" for i in range(1, 11))
AFTER = BEFORE.replace("line 5\n", "line five\n")


def test_header_and_three_lines_of_context() -> None:
    assert unified_diff("src/app.py", BEFORE, AFTER) == (
        "--- a/src/app.py\n"
        "+++ b/src/app.py\n"
        "@@ -2,7 +2,7 @@\n"
        " line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n"
    )


def test_an_absolute_path_is_shown_as_git_shows_it() -> None:
    assert unified_diff("/srv/app.py", BEFORE, AFTER).startswith("--- a/srv/app.py\n+++ b/srv/app.py\n@@ ")


def test_no_change_no_diff() -> None:
    assert unified_diff("a.py", BEFORE, BEFORE) == ""


def test_crlf_file_diff_has_no_carriage_returns() -> None:
    before, after = BEFORE.replace("\n", "\r\n"), AFTER.replace("\n", "\r\n")
    diff = unified_diff("a.py", before, after)
    assert "\r" not in diff
    assert diff == unified_diff("a.py", BEFORE, AFTER)


def test_missing_final_newline_is_marked_like_git() -> None:
    diff = unified_diff("a.py", "x = 1\ny = 2", "x = 1\ny = 3")
    assert diff.endswith("-y = 2\n\\ No newline at end of file\n+y = 3\n\\ No newline at end of file\n")


def test_form_feed_inside_a_line_does_not_split_it() -> None:
    # The stdlib has form feeds between sections; str.splitlines() would split there.
    assert diff_lines("a = 1\x0c# section\nb = 2\n") == ["a = 1\x0c# section\n", "b = 2\n"]


def test_known_secrets_and_key_shapes_are_redacted() -> None:
    key = "sk-proj-" + "A1b2C3d4" * 5
    before = f'client = OpenAI(api_key="{key}")\npassword = "hunter2-hunter2"\n'
    after = 'client = OpenAI(api_key=os.environ["MIRA_API_KEY"])\npassword = "x"\n'
    diff = unified_diff("a.py", before, after, secrets=["hunter2-hunter2"])
    assert key not in diff and "hunter2-hunter2" not in diff
    assert "REDACTED" in diff


def test_diff_applies_with_patch(tmp_path: Path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("patch(1) is not installed")
    before = "import openai\n\tclient = openai.OpenAI()  # tab-indented\n"
    after = "import openai\nimport os\n\tclient = openai.OpenAI(base_url='x')  # tab-indented\n"
    (tmp_path / "a.py").write_text(before)
    out = io.StringIO()
    render_diff(Console(file=out), unified_diff("a.py", before, after))  # not a terminal: raw
    subprocess.run(["patch", "-p1", "--quiet"], input=out.getvalue(), text=True, cwd=tmp_path, check=True)
    assert (tmp_path / "a.py").read_text() == after


def test_piped_rendering_is_byte_exact() -> None:
    diff = unified_diff("a.py", "x = '[red]:smile:'\n\ty = 1\n", "x = '[red]:smile:'\n\ty = 2\n")
    out = io.StringIO()
    render_diff(Console(file=out), diff)
    assert out.getvalue() == diff


def test_terminal_rendering_colours_lines_and_never_interprets_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)  # conftest turns colour off for other tests
    diff = unified_diff("a.py", "x = '[red]:smile:[/red]'\ny = 1\n", "x = '[red]:smile:[/red]'\ny = 2\n")
    out = io.StringIO()
    render_diff(Console(file=out, force_terminal=True, color_system="standard", width=200), diff)
    shown = out.getvalue()
    assert "\x1b[" in shown  # coloured
    assert "x = '[red]:smile:[/red]'" in shown  # markup and emoji codes printed literally
    assert "\x1b[31m-y = 1" in shown and "\x1b[32m+y = 2" in shown


def apply_unified_diff(text: str, diff: str) -> str:
    """A minimal `patch`: enough to check that every hunk lands where its header says."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    hunk_lines = diff.splitlines(keepends=True)[2:]
    i = 0
    while i < len(hunk_lines):
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", hunk_lines[i])
        assert header, hunk_lines[i]
        start = int(header[1]) - (0 if header[2] == "0" else 1)
        out += lines[cursor:start]
        cursor = start
        i += 1
        while i < len(hunk_lines) and not hunk_lines[i].startswith("@@"):
            tag, body = hunk_lines[i][0], hunk_lines[i][1:]
            if tag in " -":
                assert lines[cursor] == body, f"context mismatch at line {cursor + 1}"
                cursor += 1
            if tag in " +":
                out.append(body)
            i += 1
    return "".join(out + lines[cursor:])


def test_diffs_of_random_edits_apply_exactly() -> None:
    # The diff is computed on the part that differs only; check the hunk offsets always land.
    rng = random.Random(7)
    for _ in range(2000):
        before = [rng.choice(["x\n", "y\n", "z\n", "wx\n"]) for _ in range(rng.randint(0, 40))]
        after = list(before)
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(0, len(after))
            roll = rng.random()
            if roll < 0.4:
                after.insert(at, rng.choice(["q\n", "x\n"]))
            elif after and roll < 0.7:
                del after[min(at, len(after) - 1)]
            elif after:
                after[min(at, len(after) - 1)] = "m\n"
        old, new = "".join(before), "".join(after)
        assert apply_unified_diff(old, unified_diff("f.py", old, new)) == new, (old, new)
