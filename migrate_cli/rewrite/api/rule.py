"""The shape every rewrite rule has.

A rule is a small class with a stable code (MC001, ...), a one-line summary for `migrate rules`, the
byte strings a file must contain for the rule to have anything to do (the pre-filter), and `find()`:
a pure function of the module that reports what it saw and returns the edits it wants made.

A rule that moves clients also declares them: `client_sites()` (pure, no findings) lists the URL and
key values of every client it would move, which MC006 needs before any rule runs (sites.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import ClassVar

from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.sites import ClientSite


class FixSafety(StrEnum):
    """Whether a rule's edits can be taken as they are (`migrate rules`, `migrate rules --explain`)."""

    #: The code still runs and no key goes where it should not; what the new provider answers is for
    #: `migrate smoke` to show.
    SAFE = "safe"
    #: The edit (or the review it lists instead) changes something a person must judge.
    NEEDS_REVIEW = "needs review"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    #: Said again, with the reasons, in the last paragraph of the rule's documentation (rules/docs/).
    fix_safety: ClassVar[FixSafety]
    #: Lower-case byte strings; a file containing none of them (case-insensitively) is never parsed.
    needles: ClassVar[tuple[bytes, ...]] = (b"openai",)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        raise NotImplementedError

    def constructions(self) -> tuple[Rule, ...]:
        """The construction machinery this rule runs (construction.py), one per constructor family."""
        return ()

    def client_sites(self, module: ModuleInfo) -> Iterator[ClientSite]:
        """Every client this rule would move in `module`, with its URL and key values (pure)."""
        for construction in self.constructions():
            yield from construction.client_sites(module)
