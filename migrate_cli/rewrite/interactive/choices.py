"""What the answers of `migrate rewrite --interactive` mean, and what a file's result is after them.

Pure: the prompt loop (review.py) reads a line, `parse_answer` says which answer it was,
`Choice` says what it does; `reviewed_result` turns the accepted and skipped hunks of a file into
the `FileResult` the summary reports.

The answers follow `git add -p`, plus one for every file at once:

    y  apply this change                 n  skip this change
    a  apply it and the rest of the file d  skip it and the rest of the file
    A  apply it and everything after it, in every file (no more questions)
    q  quit: skip it and everything after it; what was accepted is written
    ?  help
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from migrate_cli.rewrite.interactive.hunks import Hunk
from migrate_cli.rewrite.model import Change, FileResult, ReviewItem


class Answer(Enum):
    YES = "y"
    NO = "n"
    FILE_YES = "a"
    FILE_NO = "d"
    EVERYTHING = "A"
    QUIT = "q"
    HELP = "?"


HELP = (
    "y - apply this change\n"
    "n - skip this change\n"
    "a - apply this change and every later change in this file\n"
    "d - skip this change and every later change in this file\n"
    "A - apply this change and every later change in every file (no more questions)\n"
    "q - quit: skip this change and everything after it; the changes accepted so far are written\n"
    "? - show this help\n"
    "Ctrl-D is q. Ctrl-C stops at once: files already finished stay written, the current one is left untouched."
)
#: The answers offered for a file that is asked about as a whole (a notebook, an env file).
WHOLE_FILE_KEYS = "y,n,A,q,?"
HUNK_KEYS = "y,n,a,d,A,q,?"

SKIPPED = "change skipped in the interactive review: not written"
KEY_LEFT = (
    "hard-coded API key left in the code (its change was skipped in the interactive review): "
    "move it to an env var, and revoke it: it is in your history"
)


def parse_answer(text: str) -> Answer | None:
    """The answer a typed line means, or None. Letters are case-sensitive (`a` is not `A`)."""
    typed = text.strip()
    if typed.lower() in ("yes", "no"):
        typed = typed[0].lower()
    for answer in Answer:
        if typed == answer.value:
            return answer
    return None


@dataclass(frozen=True)
class Choice:
    #: Apply the change asked about.
    accept: bool
    #: What to do with the rest of this file without asking: True apply, False skip, None ask.
    rest_of_file: bool | None = None
    #: Apply every later change in every file without asking.
    everything: bool = False
    #: Ask nothing more: write what was accepted, skip the rest.
    stop: bool = False


def choice_for(answer: Answer) -> Choice:
    """What an answer (other than HELP) does."""
    return {
        Answer.YES: Choice(accept=True),
        Answer.NO: Choice(accept=False),
        Answer.FILE_YES: Choice(accept=True, rest_of_file=True),
        Answer.FILE_NO: Choice(accept=False, rest_of_file=False),
        Answer.EVERYTHING: Choice(accept=True, rest_of_file=True, everything=True),
        Answer.QUIT: Choice(accept=False, rest_of_file=False, stop=True),
    }[answer]


def reviewed_result(
    result: FileResult, accepted: Sequence[Hunk], skipped: Sequence[Hunk], diff: str, fallback_line: int = 1
) -> FileResult:
    """`result` (the dry run's) as it stands once only the `accepted` hunks are written.

    Changes of skipped hunks become review items, so the summary lists each one with file:line for
    a later look; a hard-coded key whose replacement was skipped is still a security finding, with
    a message that no longer says it was replaced.
    """
    skipped_lines = frozenset(n for h in skipped for n in h.lines)
    review = [_skipped_item(change) for hunk in skipped for change in hunk.changes]
    review += [ReviewItem("-", min(hunk.lines, default=fallback_line), SKIPPED) for hunk in skipped if not hunk.changes]
    security = tuple(
        replace(finding, message=KEY_LEFT) if finding.line in skipped_lines else finding for finding in result.security
    )
    return replace(
        result,
        status="changed" if accepted else "unchanged",
        changes=tuple(sorted((c for h in accepted for c in h.changes), key=lambda c: c.line)),
        review=tuple(sorted((*result.review, *review), key=lambda r: r.line)),
        security=security,
        diff=diff,
    )


def _skipped_item(change: Change) -> ReviewItem:
    # A notebook's entries carry their cell, so the summary says `nb.ipynb:cell 3:2`.
    return ReviewItem(change.rule, change.line, SKIPPED, cell=change.cell)
