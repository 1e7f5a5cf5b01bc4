"""A file's rewrite cut into changes a person can accept or skip one at a time (`--interactive`).

The engine returns the whole new text; here it is compared line by line with the old text, and
each run of differing lines is a `Region`. Regions become the `Hunk`s that are asked about:

- Regions inside one statement are one hunk: half of a rewritten call is never a choice.
- An import the rewrite adds (`import os`, `from haystack.utils import Secret`) is not asked
  about. It is a *support* region, applied with the first accepted hunk that needs it, and only
  then: skipping every `os.environ[...]` change leaves no stray `import os` behind.
- Hunks that would leave a name undefined without each other are joined: renaming
  `from openai import AzureOpenAI` to `OpenAI` only works together with every `AzureOpenAI(...)`
  call it renames (hunk_deps.py decides this by resolving names in the partly applied code).

A file is written with the accepted hunks applied to the original text (`compose`), so what is
written is exactly the original lines plus the new lines of what was accepted; `problem()` checks
that result once more before it is written.

Pure: text in, values out.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from migrate_cli.rewrite.analysis.lines import source_lines
from migrate_cli.rewrite.diff import CONTEXT_LINES, display_line
from migrate_cli.rewrite.model import Change


@dataclass(frozen=True)
class Region:
    """Old lines [old_start, old_end) became new lines [new_start, new_end) (0-based, half-open)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int

    @property
    def line(self) -> int:
        """The 1-based old line where this region starts (for an insertion: the line it goes before)."""
        return self.old_start + 1


@dataclass(frozen=True)
class Hunk:
    """One question: regions that are applied together, and the support regions they need."""

    regions: tuple[int, ...]
    #: Support regions (added imports) this hunk needs; applied with it unless already applied.
    needs: tuple[int, ...] = ()
    #: The engine's change records about these lines (what each rule did here).
    changes: tuple[Change, ...] = ()
    #: The old lines (1-based) this hunk covers: its regions and the statements they touch.
    lines: frozenset[int] = frozenset()
    #: Why separate edits were joined into this one question, when they were.
    joined: str | None = None


@dataclass(frozen=True)
class FileChanges:
    old: str
    new: str
    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]
    regions: tuple[Region, ...]
    hunks: tuple[Hunk, ...] = field(default=())

    def line_of(self, hunk: Hunk) -> int:
        return min(self.regions[i].line for i in hunk.regions)

    def applied(self, hunks: Iterable[Hunk]) -> frozenset[int]:
        """The regions applied when these hunks are accepted: their own and the supports they need."""
        return frozenset(i for h in hunks for i in (*h.regions, *h.needs))


def line_regions(old_lines: Sequence[str], new_lines: Sequence[str]) -> tuple[Region, ...]:
    """Every run of differing lines, in file order.

    A run that replaces n lines by n lines is cut line by line: consecutive one-line statements
    (`BASE_URL = ...` above `API_KEY = ...`) become separate regions, which hunk_deps joins again
    where the lines belong to one statement.
    """
    # Only the part between the common head and tail goes to difflib (a rewrite touches a few lines
    # of a file; difflib's cost grows with the square of what it is given).
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < min(len(old_lines), len(new_lines)) - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(
        None, old_lines[head : len(old_lines) - tail], new_lines[head : len(new_lines) - tail]
    )
    regions: list[Region] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            regions += [Region(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        else:
            regions.append(Region(i1, i2, j1, j2))
    return tuple(regions)


def split_text(old: str, new: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Region, ...]]:
    old_lines, new_lines = tuple(source_lines(old)), tuple(source_lines(new))
    return old_lines, new_lines, line_regions(old_lines, new_lines)


def compose(
    old_lines: Sequence[str], new_lines: Sequence[str], regions: Sequence[Region], applied: Iterable[int]
) -> str:
    """The old text with only the regions in `applied` (indexes into `regions`) replaced."""
    chosen = set(applied)
    out: list[str] = []
    at = 0
    for index, region in enumerate(regions):
        out.extend(old_lines[at : region.old_start])
        if index in chosen:
            out.extend(new_lines[region.new_start : region.new_end])
        else:
            out.extend(old_lines[region.old_start : region.old_end])
        at = region.old_end
    out.extend(old_lines[at:])
    return "".join(out)


def compose_file(changes: FileChanges, applied: Iterable[int]) -> str:
    return compose(changes.old_lines, changes.new_lines, changes.regions, applied)


def hunk_diff(changes: FileChanges, regions: Iterable[int], context: int = CONTEXT_LINES) -> str:
    """The regions as unified-diff hunks against the original text, `context` lines around each.

    Old line numbers are the file's; new ones are those the file would have with only these
    regions applied. Lines end in "\\n" whatever the file uses (see diff.display_line).
    """
    chosen = sorted(set(regions), key=lambda i: changes.regions[i].old_start)
    clusters: list[list[Region]] = []
    for index in chosen:
        region = changes.regions[index]
        if clusters and region.old_start - clusters[-1][-1].old_end <= 2 * context:
            clusters[-1].append(region)
        else:
            clusters.append([region])

    out: list[str] = []
    shift = 0  # how many lines the regions shown before this cluster add (or remove, if negative)
    old = changes.old_lines
    for cluster in clusters:
        start = max(0, cluster[0].old_start - context)
        end = min(len(old), cluster[-1].old_end + context)
        body: list[str] = []
        at = start
        new_count = 0
        for region in cluster:
            body += [" " + display_line(line) for line in old[at : region.old_start]]
            body += ["-" + display_line(line) for line in old[region.old_start : region.old_end]]
            added = changes.new_lines[region.new_start : region.new_end]
            body += ["+" + display_line(line) for line in added]
            new_count += (region.old_start - at) + len(added)
            at = region.old_end
        body += [" " + display_line(line) for line in old[at:end]]
        new_count += end - at
        out.append(f"@@ -{_range(start, end - start)} +{_range(start + shift, new_count)} @@\n")
        out += body
        shift += sum((r.new_end - r.new_start) - (r.old_end - r.old_start) for r in cluster)
    return "".join(out)


def _range(start: int, count: int) -> str:
    """A unified-diff range: 1-based start, count omitted when 1, start 0 for an empty range at the top."""
    if count == 0:
        return f"{start},0"
    return f"{start + 1}" if count == 1 else f"{start + 1},{count}"
