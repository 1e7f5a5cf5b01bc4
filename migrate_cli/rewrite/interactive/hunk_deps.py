"""Which regions of a rewrite must be accepted together, so a partly accepted file still works.

`plan_hunks(old, new)` turns the regions of hunks.py into the questions `--interactive` asks:

1. Regions that touch the same statement of the original are one hunk (the statement a line belongs
   to is the innermost one around it; a compound statement owns only its header lines).
2. A region that only inserts top-level imports, inside no statement, is a support: it is asked
   about only if no hunk needs it, and otherwise applied with the hunks that do.
3. Names: only a name the rewrite binds differently (bound more or fewer times, or an import now
   binding it to another class) can stop resolving in a partly rewritten file. A hunk whose lines
   mention such a name needs the supports that import it; where no support does, every hunk that
   mentions it is joined (renaming `from openai import AzureOpenAI` to `OpenAI` goes with every
   call it renames; `AsyncAzureOpenAI as LLM` -> `AsyncOpenAI as LLM` with every use of `LLM`).
   Mentions are words, strings and comments included: that can only join more than needed.
   When the texts do not parse, the whole file becomes one question.
4. What names cannot show (hunk_joins.py): a client's URL and its key move together, so no choice
   sends the OpenAI key to the new provider; an edit no engine change is reported on joins the
   nearest reported one, as a part of that change.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from migrate_cli.rewrite.analysis.python_syntax import parse_module
from migrate_cli.rewrite.interactive.hunk_joins import join_unreported, join_url_and_key
from migrate_cli.rewrite.interactive.hunks import FileChanges, Hunk, Region, split_text
from migrate_cli.rewrite.interactive.name_check import DoesNotParse, bound_name_counts, rebound_names
from migrate_cli.rewrite.model import Change

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
JOINED = "these edits depend on each other ({names}): they are applied together"
WHOLE_FILE = "the edits of this file could not be separated safely: they are applied together"


def plan_hunks(
    old: str, new: str, changes: Sequence[Change] = (), *, url: str | None = None, key_env: str | None = None
) -> FileChanges:
    """The questions to ask about turning `old` into `new`, each with the engine changes about it.

    `url` and `key_env` are the target's: edits that move only a URL there and edits that move only
    a key are joined (step 4 in the module docstring).
    """
    old_lines, new_lines, regions = split_text(old, new)
    base = FileChanges(old, new, old_lines, new_lines, regions)
    if not regions:
        return base
    owners = _statement_owners(old, len(old_lines))
    groups = _by_statement(regions, owners)
    supports = {i for i, r in enumerate(regions) if _is_support(r, owners, new_lines)} - {
        i for g in groups for i in g if len(g) > 1
    }
    groups = [g for g in groups if not (len(g) == 1 and next(iter(g)) in supports)]
    try:
        hunks = _resolve(base, groups, supports)
    except DoesNotParse:
        hunks = [Hunk(tuple(range(len(regions))), joined=WHOLE_FILE if len(regions) > 1 else None)]
    hunks = join_unreported(_with_changes(hunks, regions, owners, changes))
    hunks = join_url_and_key(base, hunks, url, key_env)
    hunks.sort(key=lambda h: min(regions[i].old_start for i in h.regions))
    return replace(base, hunks=tuple(hunks))


# -- 1. statements --------------------------------------------------------------------------


def _statement_owners(code: str, line_count: int) -> list[int | None]:
    """owners[n]: an id of the innermost statement that line n (1-based) belongs to, or None."""
    owners: list[int | None] = [None] * (line_count + 2)
    try:
        tree = parse_module(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return owners
    counter = 0

    def visit(node: ast.AST) -> None:
        nonlocal counter
        if isinstance(node, ast.stmt):
            counter += 1
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
            for line in range(first, (node.end_lineno or node.lineno) + 1):
                if line < len(owners):
                    owners[line] = counter
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)  # outer statements first, so inner ones overwrite their lines
    return owners


def _region_owners(region: Region, owners: list[int | None]) -> set[int]:
    if region.old_start == region.old_end:  # an insertion between two old lines
        before, after = owners[region.old_start], owners[region.old_start + 1]
        return {before} if before is not None and before == after else set()
    return {o for o in owners[region.old_start + 1 : region.old_end + 1] if o is not None}


def _by_statement(regions: Sequence[Region], owners: list[int | None]) -> list[set[int]]:
    groups: list[set[int]] = []
    by_owner: dict[int, set[int]] = {}
    for index, region in enumerate(regions):
        group = {index}
        for owner in _region_owners(region, owners):
            other = by_owner.get(owner)
            if other is not None and other is not group:
                group |= other
                groups = [g for g in groups if g is not other]
        groups.append(group)
        for member in group:
            for owner in _region_owners(regions[member], owners):
                by_owner[owner] = group
    return groups


def _is_support(region: Region, owners: list[int | None], new_lines: Sequence[str]) -> bool:
    """An insertion, inside no statement, of top-level import statements only."""
    if region.old_start != region.old_end or _region_owners(region, owners):
        return False
    text = "".join(new_lines[region.new_start : region.new_end])
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return bool(tree.body) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)


# -- 2 and 3. dependencies -----------------------------------------------------------------


@dataclass
class _Group:
    regions: set[int]
    needs: set[int]
    joined_for: set[str]


def _resolve(base: FileChanges, groups: list[set[int]], supports: set[int]) -> list[Hunk]:
    """Join the groups that need each other for a name, and give each the supports it needs.

    Only a name bound a different number of times after the rewrite than before, or bound to
    another thing by an import, can stop resolving in a partly rewritten file (every other name is
    bound exactly as in both texts). So for each such name: a group whose lines mention it needs the
    supports that import it; without such a support, every group mentioning it is joined (an import
    rename and the calls it renames). Mentions are words of the lines, strings and comments
    included: that can only join more than needed. Linear in the size of the change, where
    resolving each group's partly applied file would cost a parse of the file per group.
    """
    changed = _binding_changes(base.old, base.new)
    binds = {s: _bound_by(base, s) for s in supports}
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    needs: list[set[int]] = [set() for _ in groups]
    mentions: dict[str, list[int]] = {}
    for index, group in enumerate(groups):
        for name in _words(base, group) & changed:
            mentions.setdefault(name, []).append(index)
    joined_for: dict[int, set[str]] = {}
    for name, members in mentions.items():
        providers = {s for s, bound in binds.items() if name in bound}
        if providers:
            for index in members:
                needs[index] |= providers
        elif len(members) > 1:
            first = root(members[0])
            for index in members[1:]:
                parent[root(index)] = first
            joined_for.setdefault(first, set()).add(name)

    merged: dict[int, _Group] = {}
    for index, group in enumerate(groups):
        into = merged.setdefault(root(index), _Group(set(), set(), set()))
        into.regions |= group
        into.needs |= needs[index]
    for first, names in joined_for.items():
        merged[root(first)].joined_for |= names
    return _hunks(list(merged.values()), supports)


def _binding_changes(old: str, new: str) -> frozenset[str]:
    """Names bound a different number of times in `new` than in `old`, or rebound by an import."""
    before, after = bound_name_counts(old), bound_name_counts(new)
    counted = {name for name in before.keys() | after.keys() if before.get(name, 0) != after.get(name, 0)}
    return frozenset(counted) | rebound_names(old, new)


def _hunks(work: list[_Group], supports: set[int]) -> list[Hunk]:
    needed = {s for g in work for s in g.needs}
    hunks = [
        Hunk(
            tuple(sorted(g.regions)),
            tuple(sorted(g.needs)),
            joined=JOINED.format(names=", ".join(sorted(g.joined_for))) if g.joined_for else None,
        )
        for g in work
    ]
    # A support no hunk turned out to need is an edit of its own.
    hunks += [Hunk((s,)) for s in sorted(supports - needed)]
    return hunks


def _bound_by(base: FileChanges, support: int) -> frozenset[str]:
    region = base.regions[support]
    tree = ast.parse("".join(base.new_lines[region.new_start : region.new_end]))
    names = set()
    for stmt in tree.body:
        for alias in stmt.names:  # type: ignore[attr-defined]  # a support region holds imports only
            names.add(alias.asname or alias.name.split(".")[0])
    return frozenset(names)


def _words(base: FileChanges, regions: Iterable[int]) -> frozenset[str]:
    """Every identifier-like word of the regions' old and new lines."""
    text = "".join(
        "".join(base.old_lines[r.old_start : r.old_end]) + "".join(base.new_lines[r.new_start : r.new_end])
        for r in (base.regions[i] for i in regions)
    )
    return frozenset(_WORD.findall(text))


# -- messages -------------------------------------------------------------------------------


def _with_changes(
    hunks: list[Hunk], regions: Sequence[Region], owners: list[int | None], changes: Sequence[Change]
) -> list[Hunk]:
    """Give each hunk the lines it covers and the engine changes on them (else the nearest hunk's)."""
    if not hunks:
        return hunks
    lines_of: dict[int, set[int]] = {}
    for number, owner in enumerate(owners):
        if owner is not None:
            lines_of.setdefault(owner, set()).add(number)
    covered: list[set[int]] = []
    for hunk in hunks:
        lines: set[int] = set()
        for region in (regions[i] for i in hunk.regions):
            lines |= set(range(region.old_start + 1, region.old_end + 1)) or {region.old_start + 1}
            for owner in _region_owners(region, owners):
                lines |= lines_of.get(owner, set())
        covered.append(lines)
    attached: list[list[Change]] = [[] for _ in hunks]
    for change in changes:
        at = next((i for i, lines in enumerate(covered) if change.line in lines), None)
        if at is None:
            at = min(range(len(hunks)), key=lambda i: min(abs(change.line - n) for n in covered[i]))
        attached[at].append(change)
    return [
        replace(hunk, changes=tuple(changes), lines=frozenset(lines))
        for hunk, changes, lines in zip(hunks, attached, covered, strict=True)
    ]
