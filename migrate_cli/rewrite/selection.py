"""Which rules a run uses: `--only` / `--skip` values checked against the registry.

Each option is repeatable and takes comma-separated values (`--only MC001,MC004 --only MC010`); a
value is a rule code in any case (`mc001`) or a rule name (`openai-client`). An unknown value is a
usage error that names it and suggests the closest code or name, so a typo never silently runs every
rule (or none).

Some rules work through others. MC006 rewrites a module constant only where a client that this run
migrates reads it: a construction of a rule built on the shared construction machinery
(`Rule.constructions()`: MC001, MC010 ... today) or MC002's module client. So MC006 without any of them
does nothing: as the whole selection that is refused (nothing would be done); next to other rules it
is a note the user sees before the run.

Pure: `select_rules` decides and raises; the command prints the notes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from migrate_cli.errors import UsageError
from migrate_cli.rewrite.api.rule import Rule

#: The rule that follows constants into the calls of other rules (see constants.py).
CONSTANTS_RULE = "MC006"
#: The module-client rule, whose `openai.base_url = NAME` settings MC006 also follows.
MODULE_CLIENT_RULE = "MC002"


@dataclass(frozen=True)
class Selection:
    #: Codes given to --only; None when --only was not used (every rule).
    only: frozenset[str] | None
    skip: frozenset[str]
    #: The codes that will run, in registry order.
    enabled: tuple[str, ...]
    #: What the user should know about this selection before the run (a rule that can do nothing).
    notes: tuple[str, ...] = ()


def select_rules(only: Sequence[str] | None, skip: Sequence[str] | None, rules: Sequence[Rule]) -> Selection:
    """Check `--only`/`--skip` values against `rules`; raise UsageError for anything a run cannot use."""
    only_codes = parse_codes(only, "--only", rules) if only else None
    skip_codes = parse_codes(skip, "--skip", rules) if skip else frozenset()
    enabled = tuple(r.code for r in rules if (only_codes is None or r.code in only_codes) and r.code not in skip_codes)
    if not enabled:
        raise UsageError(
            "--only and --skip leave no rule to run",
            hint="`migrate rules` lists the codes; --skip wins over --only",
        )
    notes = []
    if CONSTANTS_RULE in enabled and not _feeds_constants(enabled, rules):
        feeders = _constant_feeders(rules)
        if enabled == (CONSTANTS_RULE,):
            raise UsageError(
                f"--only {CONSTANTS_RULE} changes nothing on its own: it rewrites module constants only where "
                f"a client this run migrates reads them",
                hint=f"add the rules of those clients, e.g. --only MC001,{CONSTANTS_RULE} "
                f"({CONSTANTS_RULE} follows constants into the clients of {_listing(feeders)})",
            )
        notes.append(
            f"{CONSTANTS_RULE} follows constants only into the clients of {_listing(feeders)}, and none of "
            f"them is selected: {CONSTANTS_RULE} will change nothing in this run"
        )
    return Selection(only=only_codes, skip=skip_codes, enabled=enabled, notes=tuple(notes))


def parse_codes(values: Iterable[str], option: str, rules: Sequence[Rule]) -> frozenset[str]:
    """Rule codes from repeatable, comma-separated option values; codes or names, any case."""
    by_key = {r.code.upper(): r.code for r in rules} | {r.name.lower(): r.code for r in rules}
    codes = set()
    for value in values:
        for piece in (p.strip() for p in value.split(",")):
            if not piece:
                continue
            code = by_key.get(piece.upper()) or by_key.get(piece.lower())
            if code is None:
                raise UsageError(f"{option}: unknown rule '{piece}'", hint=rule_suggestion(piece, rules))
            codes.add(code)
    if not codes:
        raise UsageError(f"{option} needs a rule code, e.g. {option} MC001", hint="`migrate rules` lists them")
    return frozenset(codes)


def rule_suggestion(piece: str, rules: Sequence[Rule]) -> str:
    codes = [r.code for r in rules]
    names = {r.name: r.code for r in rules}
    close = _numbered(piece, codes) or difflib.get_close_matches(piece.upper(), codes, n=1, cutoff=0.6)
    if not close:
        named = difflib.get_close_matches(piece.lower(), list(names), n=1, cutoff=0.6)
        close = [f"{names[named[0]]} ({named[0]})"] if named else []
    listing = "`migrate rules` lists every code"
    return f"did you mean {' or '.join(close)}? {listing}" if close else listing


def _numbered(piece: str, codes: Sequence[str]) -> list[str]:
    """A code with a digit too few or too many: "MC01" may be MC001 or MC010, "MC0004" is MC004."""
    match = re.fullmatch(r"MC(\d{1,6})", piece.upper())
    if match is None:
        return []
    digits = match[1]
    candidates = [f"MC{int(digits):03d}", f"MC{digits.ljust(3, '0')}"]
    return [code for code in dict.fromkeys(candidates) if code in codes]


def _constant_feeders(rules: Sequence[Rule]) -> tuple[str, ...]:
    """The rules whose clients MC006 follows constants into, in registry order."""
    return tuple(r.code for r in rules if r.code == MODULE_CLIENT_RULE or r.constructions())


def _feeds_constants(enabled: Sequence[str], rules: Sequence[Rule]) -> bool:
    return bool(set(enabled) & set(_constant_feeders(rules)))


def _listing(codes: Sequence[str]) -> str:
    return ", ".join(codes)
