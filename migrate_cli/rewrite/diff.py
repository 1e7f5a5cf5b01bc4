"""Unified diffs of a rewrite, with secrets redacted, and their rendering.

`unified_diff` is pure: text in, text out, in the format `git diff` and `patch` read. The renderer
colours it on a terminal and writes it byte-for-byte when piped, so `migrate rewrite --dry-run >
change.patch` gives a patch that applies.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from migrate_cli.console import write_all
from migrate_cli.escape import git_quoted, printable
from migrate_cli.redact import redact
from migrate_cli.rewrite.analysis.lines import source_lines

CONTEXT_LINES = 3
NO_NEWLINE = "\\ No newline at end of file\n"

_HUNK = re.compile(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@$", re.MULTILINE)


def display_line(line: str) -> str:
    """A line as a diff shows it: ending in "\\n" whatever the file uses (no stray \\r in a CRLF
    file's diff), and git's marker after a last line that has no newline at all."""
    stripped = line.rstrip("\r\n")
    return stripped + "\n" if stripped != line else line + "\n" + NO_NEWLINE


def diff_lines(text: str) -> list[str]:
    return [display_line(line) for line in source_lines(text)]


def unified_diff(path: str, before: str, after: str, secrets: Iterable[str] = ()) -> str:
    """`--- a/path` / `+++ b/path` diff with 3 lines of context; "" when nothing changed."""
    if before == after:
        return ""
    old, new = source_lines(before), source_lines(after)
    # A rewrite touches a few lines of a long file: hand difflib only the part that differs (plus
    # its context), then shift the hunk line numbers back. Same diff, a fraction of the time.
    head = _common_prefix(old, new)
    tail = _common_prefix(old[head:][::-1], new[head:][::-1])
    skip = max(0, head - CONTEXT_LINES)
    keep_tail = max(0, tail - CONTEXT_LINES)
    shown = path.replace("\\", "/").lstrip("/")  # as git shows an absolute path: a/tmp/x.py, not a//tmp/x.py
    chunks = difflib.unified_diff(
        [display_line(line) for line in old[skip : len(old) - keep_tail]],
        [display_line(line) for line in new[skip : len(new) - keep_tail]],
        # A name with a control character is quoted as git quotes it: it can neither drive the
        # terminal nor end the header line, and `git apply` reads it back.
        fromfile=git_quoted(f"a/{shown}"),
        tofile=git_quoted(f"b/{shown}"),
        n=CONTEXT_LINES,
    )
    text = "".join(chunks)
    if skip:
        text = _HUNK.sub(lambda m: f"@@ -{int(m[1]) + skip}{m[2]} +{int(m[3]) + skip}{m[4]} @@", text)
    return redact(text, secrets)


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):  # the prefix ends with the shorter list
        if x != y:
            break
        n += 1
    return n


_STYLES = (
    ("+++", "bold"),
    ("---", "bold"),
    ("@@", "cyan"),
    ("+", "green"),
    ("-", "red"),
    ("\\", "dim"),
)


def render_diff(console: Console, diff: str) -> None:
    """Print a diff: coloured on a terminal, exactly as is otherwise.

    Code is wrapped in `Text`, never passed as markup, so `[red]` or `:smile:` in a source line is
    printed literally, and on a terminal a control character in a line of code is shown escaped
    (`\x1b`), never sent to the terminal. When the output is not a terminal we skip rich entirely:
    it would expand tabs, and a piped diff must stay a valid patch (file names in its headers are
    quoted, see `unified_diff`).
    """
    if not diff:
        return
    if not console.is_terminal:
        write_all(console.file, diff)
        return
    text = Text(no_wrap=True)
    # Split on "\n" only: a form feed inside a code line must not start a new, unstyled line.
    lines = diff.split("\n")
    if lines[-1] == "":
        lines.pop()
    for line in lines:
        style = next((s for prefix, s in _STYLES if line.startswith(prefix)), "")
        text.append(printable(line, keep_tabs=True) + "\n", style=style)
    console.print(text, end="", soft_wrap=True)
