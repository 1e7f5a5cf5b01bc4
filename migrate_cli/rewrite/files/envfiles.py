"""Env files (`--env-files`): make room for the target's key, and move OpenAI URL lines only when safe.

    OPENAI_API_KEY=sk-...                          OPENAI_API_KEY=sk-...
    OPENAI_BASE_URL=https://api.openai.com/v1  ->  MIRA_API_KEY=
                                                   OPENAI_BASE_URL=https://api.vmira.ai/v1   (see below)

Files: `.env`, `.env.*` (`.env.local`, `.env.production`, `.env.example`) and `*.env` (files.py).

The key. The target's key variable is added right after the first `OPENAI_API_KEY` line with an
EMPTY value for the user to fill in (the rewritten code reads it with `os.environ[...]`). The
OpenAI key stays: `migrate smoke` needs it for its baseline, and it would not work on the target
anyway. Nothing is added when the file already assigns the target's variable, so a second run
changes nothing. The new line copies the OpenAI line's indentation, `export ` prefix, `=` spacing,
quoting and line end.

The base URL. Libraries read OPENAI_BASE_URL / OPENAI_API_BASE *together with* OPENAI_API_KEY, and
that key stays the OpenAI key; pointing the URL at the target under a client the rewrite did not
move would send the OpenAI key to a third party (and `migrate smoke` takes its baseline URL from
$OPENAI_BASE_URL too). So a URL line is pointed at the target only when all of these hold:
  - the Python code of the same run read that variable for a client before its rewrite, and the
    rewrite replaced every such read by the target URL (the policy does so exactly for the clients
    it moves: url_env_reads.py compares the reads before and after);
  - no code of the run still reads it after the rewrite, and no review item names it (rules that
    find a client taking its URL from the environment implicitly — the module-level client,
    pydantic-settings fields, CrewAI's and pydantic-ai's defaults — name the variable in their
    reason);
  - its value is OpenAI's URL, or empty.
A reader left in place makes the line a review item listing the readers; a value that is not
OpenAI's URL (a proxy, a local server, `${OTHER}`) is a review item whatever reads it; with no
reader at all the line is left alone. A run over env files alone (no code) never moves a URL.

Nothing but names is ever shown: the diff of an env file is computed on a display copy in which
every value, every commented-out value and every key-like token of a comment is masked (`…`); only
an empty value and the target's own URL are shown as they are. Messages name variables, never
values. Comments, order, blank lines, quoting, `export ` prefixes and CRLF line ends are kept:
changed or added lines are spliced into the text, nothing else is re-written.

Pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from migrate_cli.config import Target
from migrate_cli.rewrite.analysis.lines import source_lines
from migrate_cli.rewrite.analysis.values import OPENAI_KEY_ENV, OPENAI_URL_ENVS, is_openai_url
from migrate_cli.rewrite.locations import location
from migrate_cli.rewrite.model import Change, FileResult, ReviewItem

ENV_FILES_RULE = "env-files"
MASK = "…"
_LISTED_SITES = 3

_ASSIGNMENT = re.compile(
    r"(?P<lead>[ \t]*)(?P<export>export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)(?P<eq>[ \t]*=[ \t]*)(?P<rest>.*)", re.S
)
_COMMENTED_ASSIGNMENT = re.compile(
    r"(?P<head>[ \t]*#+[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]*[ \t]*=[ \t]*)(?P<rest>.*)", re.S
)
_INLINE_COMMENT = re.compile(r"[ \t]+#")
_KEY_LIKE_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.:]{20,}")


@dataclass(frozen=True)
class UrlReaders:
    """What the code of a run does with each URL env var; built from the run's `FileResult`s."""

    #: Variables some file read before its rewrite.
    read: frozenset[str] = frozenset()
    #: Variable -> places that still read it after the rewrite, or review items that name it.
    still_read: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, results: Iterable[FileResult]) -> UrlReaders:
        read: set[str] = set()
        still: dict[str, list[str]] = {}
        for result in results:
            for item in result.url_env_reads:
                if item.after:
                    still.setdefault(item.var, []).append(location(result.path, item.line, item.cell))
                else:
                    read.add(item.var)
            for review in result.review:
                for var in sorted(OPENAI_URL_ENVS):
                    if re.search(rf"\b{var}\b", review.reason):
                        still.setdefault(var, []).append(location(result.path, review.line, review.cell))
        return cls(frozenset(read), {var: tuple(dict.fromkeys(sites)) for var, sites in still.items()})


@dataclass(frozen=True)
class EnvResult:
    text: str
    changes: tuple[Change, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    #: The text before and after with values masked: what a diff may show.
    shown_before: str = ""
    shown_after: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class _Entry:
    """One logical line: an assignment (possibly spanning lines in quotes), a comment, a blank, other."""

    first: int  # 0-based index of its first line
    last: int
    kind: str  # "assign" | "comment" | "blank" | "other"
    name: str = ""
    lead: str = ""
    export: str = ""
    eq: str = ""
    quote: str = ""
    value: str = ""
    #: (start, end) of the unquoted value within the first line; None when it spans lines.
    value_span: tuple[int, int] | None = None


def rewrite_env_file(text: str, target: Target, readers: UrlReaders = UrlReaders()) -> EnvResult:
    lines = source_lines(text)
    entries = _parse(lines)
    changes: list[Change] = []
    review: list[ReviewItem] = []
    new_lines = list(lines)
    insert_after: dict[int, str] = {}

    assigned = {e.name for e in entries if e.kind == "assign"}
    openai_key = next((e for e in entries if e.kind == "assign" and e.name == OPENAI_KEY_ENV), None)
    key_env = target.api_key_env
    if openai_key is not None and key_env not in assigned:
        insert_after[openai_key.last] = _key_line(openai_key, key_env, lines)
        changes.append(
            Change(
                ENV_FILES_RULE,
                openai_key.first + 1,
                f"added {key_env}= after {OPENAI_KEY_ENV}: fill in your key for {target.base_url} ({OPENAI_KEY_ENV} "
                "stays: `migrate smoke` uses it for the baseline)",
            )
        )

    for entry in entries:
        if entry.kind != "assign" or entry.name not in OPENAI_URL_ENVS:
            continue
        outcome = _url_decision(entry, target, readers)
        if isinstance(outcome, ReviewItem):
            review.append(outcome)
        elif outcome is not None:
            start, end = entry.value_span  # type: ignore[misc]  # only one-line values get an outcome
            line = new_lines[entry.first]
            new_lines[entry.first] = line[:start] + target.base_url + line[end:]
            changes.append(outcome)

    for index in sorted(insert_after, reverse=True):
        new_lines.insert(index + 1, insert_after[index])
    if insert_after and lines and not lines[-1].endswith(("\n", "\r")) and max(insert_after) == len(lines) - 1:
        # The OpenAI line was the last and had no line end: it gets one, the new last line has none.
        new_lines[len(lines) - 1] += _newline(lines)
        new_lines[len(lines)] = new_lines[len(lines)].rstrip("\r\n")
    new_text = "".join(new_lines)
    return EnvResult(
        text=new_text,
        changes=tuple(sorted(changes, key=lambda c: c.line)),
        review=tuple(review),
        shown_before=masked(text, target),
        shown_after=masked(new_text, target),
    )


def _url_decision(entry: _Entry, target: Target, readers: UrlReaders) -> Change | ReviewItem | None:
    var, line, url = entry.name, entry.first + 1, target.base_url
    value = entry.value
    if entry.value_span is None or not (value == "" or target.same_url(value) or is_openai_url(value)):
        return ReviewItem(
            ENV_FILES_RULE,
            line,
            f"{var} is set to something other than OpenAI's URL (a proxy, a local server, or a reference; value not "
            f"shown): left as is; point it at {url} if the clients that read it should move",
        )
    if target.same_url(value):
        return None
    sites = readers.still_read.get(var, ())
    if sites:
        listed = ", ".join(sites[:_LISTED_SITES]) + (
            f" and {len(sites) - _LISTED_SITES} more" if len(sites) > _LISTED_SITES else ""
        )
        return ReviewItem(
            ENV_FILES_RULE,
            line,
            f"{var} is left on OpenAI: code this run did not move still reads it ({listed}), with the OpenAI key from "
            f"${OPENAI_KEY_ENV}; point it at {url} once those clients have moved",
        )
    if var not in readers.read:
        return None  # nothing in this run reads it: nothing to move it for
    note = (
        " (`migrate smoke` takes its baseline URL from $OPENAI_BASE_URL: run it without this file loaded, or with "
        "--baseline-base-url)"
        if var == "OPENAI_BASE_URL"
        else ""
    )
    return Change(
        ENV_FILES_RULE,
        line,
        f"{var} -> {url}: the code of this run read it only for clients now moved to the target{note}",
    )


def _key_line(openai_key: _Entry, key_env: str, lines: list[str]) -> str:
    eq = openai_key.eq if openai_key.quote else openai_key.eq.rstrip()
    empty = openai_key.quote * 2
    last = lines[openai_key.last]
    end = last[len(last.rstrip("\r\n")) :] or _newline(lines)
    return f"{openai_key.lead}{openai_key.export}{key_env}{eq}{empty}{end}"


def _newline(lines: list[str]) -> str:
    for line in lines:
        stripped = line.rstrip("\r\n")
        if stripped != line:
            return line[len(stripped) :]
    return "\n"


def _parse(lines: list[str]) -> list[_Entry]:
    entries: list[_Entry] = []
    index = 0
    while index < len(lines):
        body = lines[index].rstrip("\r\n")
        stripped = body.strip()
        match = _ASSIGNMENT.fullmatch(body)
        if not stripped:
            entries.append(_Entry(index, index, "blank"))
        elif stripped.startswith("#"):
            entries.append(_Entry(index, index, "comment"))
        elif match is None:
            entries.append(_Entry(index, index, "other"))
        else:
            entry = _assignment(match, index, lines)
            entries.append(entry)
            index = entry.last
        index += 1
    return entries


def _assignment(match: re.Match[str], index: int, lines: list[str]) -> _Entry:
    rest, rest_start = match["rest"], match.start("rest")
    fields: dict[str, str] = dict(name=match["name"], lead=match["lead"], export=match["export"] or "", eq=match["eq"])
    if rest[:1] in ("'", '"'):
        quote = rest[0]
        close = _closing_quote(rest, quote, 1)
        if close is not None:
            span = (rest_start + 1, rest_start + close)
            return _Entry(index, index, "assign", quote=quote, value=rest[1:close], value_span=span, **fields)
        last = index + 1  # a quoted value over several lines: never edited, only masked
        while last < len(lines) and _closing_quote(lines[last], quote, 0) is None:
            last += 1
        return _Entry(index, min(last, len(lines) - 1), "assign", quote=quote, value=MASK, value_span=None, **fields)
    comment = _INLINE_COMMENT.search(rest)
    value = (rest[: comment.start()] if comment else rest).rstrip()
    return _Entry(index, index, "assign", value=value, value_span=(rest_start, rest_start + len(value)), **fields)


def _closing_quote(text: str, quote: str, start: int) -> int | None:
    position = start
    while True:
        found = text.find(quote, position)
        if found < 0:
            return None
        if quote == '"' and _escaped(text, found):
            position = found + 1
            continue
        return found


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


# -- what may be shown ------------------------------------------------------------------------


def masked(text: str, target: Target) -> str:
    """`text` line for line with every value masked, for diffs: names stay, values never show."""
    lines = source_lines(text)
    shown: list[str] = []
    for entry in _parse(lines):
        for index in range(entry.first, entry.last + 1):
            line = lines[index]
            body = line.rstrip("\r\n")
            shown.append(_masked_line(entry, index, body, target) + line[len(body) :])
    return "".join(shown)


def _masked_line(entry: _Entry, index: int, body: str, target: Target) -> str:
    if entry.kind == "blank":
        return body
    if entry.kind == "comment":
        commented = _COMMENTED_ASSIGNMENT.fullmatch(body)
        if commented is not None:
            return commented["head"] + (MASK if commented["rest"].strip() else "")
        return _KEY_LIKE_TOKEN.sub(MASK, body)
    if entry.kind == "other" or index != entry.first:
        return MASK
    head = f"{entry.lead}{entry.export}{entry.name}{entry.eq}"
    if entry.value_span is not None and (entry.value == "" or entry.value == target.base_url):
        return head + entry.quote + entry.value + entry.quote
    return head + MASK
