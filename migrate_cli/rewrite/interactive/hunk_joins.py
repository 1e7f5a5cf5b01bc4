"""The joins of hunks that names cannot show (steps 4 and 5 of hunk_deps.py).

- A client's URL and its key move together. Edits that only point a URL at the target and edits
  that only read the target's key (MC006 constants, MC002 lines, env writes), when they are not one
  hunk already, are joined: with only the URL accepted the OpenAI key would go to the new provider;
  with only the key, the new key would go to OpenAI.
- An edit no engine change is reported on (a config dict's `kwargs["base_url"] = ...` line, while
  the change is reported at the construction) is a part of the nearest reported change.

Joining only ever makes questions coarser; it cannot make a partly accepted file less sound.
"""

from __future__ import annotations

from dataclasses import replace

from migrate_cli.rewrite.interactive.hunks import FileChanges, Hunk

URL_AND_KEY = (
    "the URL and the key move together: with only the URL moved the OpenAI key would go to the new "
    "provider, with only the key the new key would go to OpenAI"
)
PARTS = "edits on several lines that make up this change: they are applied together"


def join_unreported(hunks: list[Hunk]) -> list[Hunk]:
    """Each hunk without an engine change joins the nearest hunk with one."""
    reported = [h for h in hunks if h.changes]
    if not reported or len(reported) == len(hunks):
        return hunks
    joined: dict[int, Hunk] = {id(h): h for h in reported}
    for hunk in (h for h in hunks if not h.changes):
        nearest = min(reported, key=lambda r: _distance(r.lines, hunk.lines))
        into = joined[id(nearest)]
        joined[id(nearest)] = replace(
            into,
            regions=tuple(sorted({*into.regions, *hunk.regions})),
            needs=tuple(sorted({*into.needs, *hunk.needs})),
            lines=into.lines | hunk.lines,
            joined=into.joined or hunk.joined or PARTS,
        )
    return list(joined.values())


def join_url_and_key(base: FileChanges, hunks: list[Hunk], url: str | None, key_env: str | None) -> list[Hunk]:
    """Hunks that move only the URL to `url` and hunks that move only the key to `key_env`: one hunk."""
    if not url or not key_env:
        return hunks
    url_only = [h for h in hunks if _moves(base, h, url) and not _moves(base, h, key_env)]
    key_only = [h for h in hunks if _moves(base, h, key_env) and not _moves(base, h, url)]
    if not url_only or not key_only:
        return hunks
    parts = [*url_only, *key_only]
    together = Hunk(
        regions=tuple(sorted({i for h in parts for i in h.regions})),
        needs=tuple(sorted({i for h in parts for i in h.needs})),
        changes=tuple(sorted((c for h in parts for c in h.changes), key=lambda c: c.line)),
        lines=frozenset(n for h in parts for n in h.lines),
        joined=URL_AND_KEY,
    )
    return [h for h in hunks if all(h is not p for p in parts)] + [together]


def _moves(base: FileChanges, hunk: Hunk, marker: str) -> bool:
    """Whether the hunk's new lines bring `marker` (the target URL, or its key variable) in."""
    regions = [base.regions[i] for i in hunk.regions]
    before = "".join("".join(base.old_lines[r.old_start : r.old_end]) for r in regions)
    after = "".join("".join(base.new_lines[r.new_start : r.new_end]) for r in regions)
    return marker in after and marker not in before


def _distance(a: frozenset[int], b: frozenset[int]) -> int:
    return min((abs(x - y) for x in a for y in b), default=0)
