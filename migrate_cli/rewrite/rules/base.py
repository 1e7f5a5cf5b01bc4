"""The shape every rewrite rule has.

A rule is a small class with a stable code (MC001, ...), a one-line summary for `migrate rules`, the
byte strings a file must contain for the rule to have anything to do (the pre-filter), and `find()`:
a pure function of the module that reports what it saw and returns the edits it wants made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    #: Lower-case byte strings; a file containing none of them (case-insensitively) is never parsed.
    needles: ClassVar[tuple[bytes, ...]] = (b"openai",)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        raise NotImplementedError
