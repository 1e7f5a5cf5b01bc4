"""Unified diffs of a rewrite, with secrets redacted, and their rendering.

`unified_diff` is pure: text in, text out, in the format `git diff` and `patch` read. The renderer
colours it on a terminal and writes it byte-for-byte when piped, so `migrate rewrite --dry-run >
change.patch` gives a patch that applies.
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable

from rich.console import Console
from rich.text import Text

from migrate_cli.redact import redact

CONTEXT_LINES = 3
NO_NEWLINE = "\\ No newline at end of file\n"

# Python's own line ends. str.splitlines() would also split on form feeds and other separators
# that are legal inside a source line, and put lines in the diff that the file does not have.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def diff_lines(text: str) -> list[str]:
    """The lines of `text`, each ending in "\\n" whatever the file uses (CRLF shows no stray \\r).

    A last line without a newline carries git's "\\ No newline at end of file" marker, so adding or
    removing the final newline shows up as a change.
    """
    lines = []
    for match in _LINE.finditer(text):
        line = match.group()
        stripped = line.rstrip("\r\n")
        lines.append(stripped + "\n" if stripped != line else line + "\n" + NO_NEWLINE)
    return lines


def unified_diff(path: str, before: str, after: str, secrets: Iterable[str] = ()) -> str:
    """`--- a/path` / `+++ b/path` diff with 3 lines of context; "" when nothing changed."""
    if before == after:
        return ""
    shown = path.replace("\\", "/")
    chunks = difflib.unified_diff(
        diff_lines(before),
        diff_lines(after),
        fromfile=f"a/{shown}",
        tofile=f"b/{shown}",
        n=CONTEXT_LINES,
    )
    return redact("".join(chunks), secrets)


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
    printed literally. When the output is not a terminal we skip rich entirely: it would expand
    tabs, and a piped diff must stay a valid patch.
    """
    if not diff:
        return
    if not console.is_terminal:
        console.file.write(diff)
        console.file.flush()
        return
    text = Text(no_wrap=True)
    # Split on "\n" only: a form feed inside a code line must not start a new, unstyled line.
    lines = diff.split("\n")
    if lines[-1] == "":
        lines.pop()
    for line in lines:
        style = next((s for prefix, s in _STYLES if line.startswith(prefix)), "")
        text.append(line + "\n", style=style)
    console.print(text, end="", soft_wrap=True)
