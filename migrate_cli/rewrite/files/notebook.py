"""Notebooks (`.ipynb`): rewrite the code cells, keep every other byte of the JSON document.

Scope across cells. The cells of a notebook run one after another in one namespace: the class
imported in cell 1 is the one `client = OpenAI()` calls in cell 3, a `BASE_URL = ...` of cell 2 is
the constant a client of cell 4 uses, `os` imported anywhere is there for every later cell. So the
cells are analysed TOGETHER: the parseable code cells, in notebook order, are joined into one
module with a marker comment line between cells, `rewrite_source` runs once on it, and the result
is cut back at the markers. (The alternative, rewriting each cell with the earlier cells' imports
prepended, sees imports but not the other names earlier cells bind, and would add `import os` to
every cell that needs it.) The engine never edits a comment line and edits whole statements, which
never span a marker, so each cell's new code is exactly what lies between its markers. Line numbers
of findings are mapped back to (cell, line within the cell).

Where `import os` lands: where the engine puts it in a module, among the module's top-level imports
— in practice the cell that holds the notebook's imports — or before the first statement of the
first parseable code cell when there are none.

Cells Python cannot parse (IPython magics `%pip`, `%%time`, shell lines `!ls`, help `?obj`, or a
plain syntax error) are left as they are; each one that mentions something a rule looks for is
listed for review (cell and line), except when the only such lines install packages
(`%pip install openai`), which have nothing to migrate.

Write-back. Only the `source` values of changed cells are replaced, spliced into the original
document text (notebook_json.py); outputs, metadata, execution counts, key order, indentation and
the final newline are never re-serialised.

Numbering: "cell N" is the N-th cell of the notebook from the top, markdown and raw cells included
(1-based), and a line is counted within that cell's source.

Pure: notebook text in, `NotebookResult` out.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from migrate_cli.rewrite.analysis.lines import source_lines
from migrate_cli.rewrite.analysis.url_env_reads import url_env_reads
from migrate_cli.rewrite.engine import might_contain_client, parse, rewrite_source
from migrate_cli.rewrite.files.notebook_json import (
    CellLocation,
    NotebookFormatError,
    SourceSpan,
    locate_cells,
    splice_sources,
)
from migrate_cli.rewrite.model import (
    Change,
    ReviewItem,
    RewriteSettings,
    SecurityFinding,
    SourceError,
    UrlEnvRead,
)

NOTEBOOK_RULE = "notebook"
#: Kernel languages that run Python code under another name.
_PYTHON_KERNELS = frozenset({"sage", "sagemath", "xonsh"})

# A line the engine never touches and no notebook contains; the salt is changed if one does.
_MARKER = "# migrate: end of cell {index} ({salt})\n"
_ESCAPE = re.compile(r"([%!]{1,2}\w*)")  # %pip, %%time, !ls, !!ls
_ASSIGNED_ESCAPE = re.compile(r"[A-Za-z_][\w.,\s]*=\s*([%!]{1,2}\w*)")  # files = !ls, t = %timeit f()
_INSTALL = re.compile(r"^\s*[!%]{1,2}\s*(?:pip3?|conda|mamba|micromamba|uv(?:\s+pip)?)\s+install\b")
# A line an IPython escape could start or end (`%pip`, `!ls`, `?obj`, `obj?`, `x = !ls`): such a
# cell is parsed alone to learn whether it is Python.
_ESCAPED_LINE = re.compile(r"^[ \t]*[%!?]|\?[ \t]*$|=[ \t]*[%!]", re.M)

Finding = TypeVar("Finding", Change, ReviewItem, SecurityFinding)


@dataclass(frozen=True)
class CellEdit:
    number: int
    before: str
    after: str


@dataclass(frozen=True)
class NotebookResult:
    text: str
    #: The changed cells, in notebook order.
    cells: tuple[CellEdit, ...] = ()
    changes: tuple[Change, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    security: tuple[SecurityFinding, ...] = ()
    secrets: tuple[str, ...] = ()
    #: Only with `settings.env_files`.
    url_env_reads: tuple[UrlEnvRead, ...] = ()
    #: The notebook's kernel runs another language (C#, R, ...): it was not looked at.
    other_language: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.cells)


@dataclass(frozen=True)
class _CodeCell:
    location: CellLocation
    code: str

    @property
    def number(self) -> int:
        return self.location.number


def rewrite_notebook(text: str, settings: RewriteSettings) -> NotebookResult:
    """Raises NotebookFormatError when the text is not an nbformat 4 notebook."""
    layout = locate_cells(text)
    if layout.has_worksheets and not layout.cells:
        raise NotebookFormatError("nbformat 3 notebooks are not supported: open and save it in Jupyter to upgrade it")
    if layout.nbformat != 4:
        raise NotebookFormatError(
            f"nbformat {layout.nbformat!r} is not supported (only nbformat 4 notebooks are rewritten)"
        )

    if layout.language is not None and not is_python(layout.language):
        # Its code cells are C#, R, ... : Python's parser would only report every one of them.
        return NotebookResult(text, other_language=layout.language)
    code_cells = [
        _CodeCell(location, _joined(location.source))
        for location in layout.cells
        if location.cell_type == "code"
        and location.source is not None
        and (location.language is None or is_python(location.language))
    ]
    runnable, skipped = _runnable_cells([cell for cell in code_cells if cell.code.strip()])
    if not runnable:
        return NotebookResult(text, review=tuple(skipped))

    program = _Program.join(runnable)
    result = rewrite_source(program.code, settings, line_label=program.label)
    new_codes = program.split(result.code)
    edits = tuple(
        CellEdit(cell.number, cell.code, new) for cell, new in zip(runnable, new_codes, strict=True) if new != cell.code
    )
    reads: tuple[UrlEnvRead, ...] = ()
    if settings.env_files:
        after = _Program.of_pieces(runnable, program.pieces_of(result.code))
        reads = (*_reads(program, program.code, after=False), *_reads(after, result.code, after=True))
    return NotebookResult(
        text=splice_sources(text, [(_source_of(runnable, edit.number), edit.after) for edit in edits]),
        cells=edits,
        changes=tuple(program.locate_all(result.changes)),
        review=tuple(sorted((*skipped, *program.locate_all(result.review)), key=lambda r: (r.cell or 0, r.line))),
        security=tuple(program.locate_all(result.security)),
        secrets=result.secrets,
        url_env_reads=reads,
    )


def is_python(language: str) -> bool:
    """Whether a notebook kernel language names Python or a kernel that runs it (ipython,
    pyspark, sage, xonsh ...). Anything else (C#, F#, R, Julia, Scala ...) is another language."""
    name = language.strip().lower()
    return "python" in name or name.startswith("py") or name in _PYTHON_KERNELS


def _runnable_cells(cells: list[_CodeCell]) -> tuple[list[_CodeCell], list[ReviewItem]]:
    """The cells Python parses, and a review item for each other one that mentions OpenAI.

    Parsing each cell alone costs a parse call per cell; so the cells without an IPython escape
    are parsed joined, once, and taken whole when every top-level statement stays inside its own
    cell (then each cell parses alone too). Otherwise, and for cells with escapes, cell by cell.
    """
    escaped = {id(cell) for cell in cells if _ESCAPED_LINE.search(cell.code)}
    plain = [cell for cell in cells if id(cell) not in escaped]
    if not plain or not _Program.join(plain).statements_stay_in_cells():
        return _parse_each(cells)
    parsed, skipped = _parse_each([cell for cell in cells if id(cell) in escaped])
    keep = {id(cell) for cell in (*plain, *parsed)}
    return [cell for cell in cells if id(cell) in keep], skipped


def _parse_each(cells: list[_CodeCell]) -> tuple[list[_CodeCell], list[ReviewItem]]:
    runnable, skipped = [], []
    for cell in cells:
        try:
            parse(cell.code)
        except SourceError as exc:
            item = _skipped_cell_review(cell, exc)
            if item is not None:
                skipped.append(item)
            continue
        runnable.append(cell)
    return runnable, skipped


def _source_of(cells: Sequence[_CodeCell], number: int) -> SourceSpan:
    source = next(cell.location.source for cell in cells if cell.number == number)
    assert source is not None  # a runnable cell has one
    return source


def _joined(source: SourceSpan) -> str:
    return source.value if isinstance(source.value, str) else "".join(source.value)


def _skipped_cell_review(cell: _CodeCell, error: SourceError) -> ReviewItem | None:
    lines = cell.code.splitlines()
    mentions = [
        n
        for n, line in enumerate(lines, 1)
        if not line.lstrip().startswith("#") and might_contain_client(line.encode("utf-8", "replace"))
    ]
    if all(_INSTALL.match(lines[n - 1]) for n in mentions):
        return None  # nothing mentioned, or only `%pip install openai`: nothing to migrate here
    magic = _magic_in(lines)
    if magic is not None:
        reason = (
            f"cell not rewritten: it uses IPython syntax ({magic}) that Python cannot parse; "
            "migrate the OpenAI code in it by hand, or move that code to a cell of plain Python"
        )
    else:
        where = f" at line {error.line}" if error.line else ""
        reason = (
            f"cell not rewritten: it does not parse ({error.message}{where}); "
            "fix it, or migrate its OpenAI code by hand"
        )
    return ReviewItem(NOTEBOOK_RULE, mentions[0], reason, cell=cell.number)


def _magic_in(lines: Sequence[str]) -> str | None:
    """The first IPython escape in the cell, by name only (`%env`, `!pip`): the rest of a line may hold a key."""
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        escape = _ESCAPE.match(stripped) or _ASSIGNED_ESCAPE.match(stripped)
        if escape is not None:
            return escape.group(1)
        if stripped.startswith("?") or stripped.endswith("?"):
            return "? (help)"
    return None


@dataclass(frozen=True)
class _Program:
    """The runnable cells joined into one module, and where each cell starts in it."""

    code: str
    cells: tuple[_CodeCell, ...]
    #: 1-based line of the module on which each cell starts.
    starts: tuple[int, ...]
    salt: str

    @classmethod
    def join(cls, cells: Sequence[_CodeCell]) -> _Program:
        salt = "0"
        while any(f"({salt})" in cell.code and "# migrate: end of cell" in cell.code for cell in cells):
            salt = str(int(salt) + 1)
        return cls.of_pieces(cells, [_terminated(cell.code) for cell in cells], salt)

    @classmethod
    def of_pieces(cls, cells: Sequence[_CodeCell], pieces: Sequence[str], salt: str = "0") -> _Program:
        starts, line, parts = [], 1, []
        for index, piece in enumerate(pieces):
            if index:
                parts.append(_MARKER.format(index=index, salt=salt))
                line += 1
            starts.append(line)
            parts.append(piece)
            line += len(source_lines(piece))
        return cls("".join(parts), tuple(cells), tuple(starts), salt)

    def statements_stay_in_cells(self) -> bool:
        """The joined code parses, and no top-level statement runs across a cell boundary."""
        if not self.cells:
            return True
        try:
            tree = parse(self.code)
        except SourceError:
            return False
        cell_ends = (*(start - 2 for start in self.starts[1:]), len(source_lines(self.code)))
        index = 0
        for stmt in tree.body:
            # A decorated definition starts at its first decorator, above `lineno`.
            first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
            while first > cell_ends[index]:
                index += 1
            if (stmt.end_lineno or stmt.lineno) > cell_ends[index]:
                return False
        return True

    def pieces_of(self, code: str) -> list[str]:
        """Cut `code` (this program, rewritten) back into one piece per cell, at the markers."""
        pieces, pos = [], 0
        for index in range(1, len(self.cells)):
            marker = _MARKER.format(index=index, salt=self.salt)
            at = code.find(marker, pos)
            while at > 0 and code[at - 1] not in "\r\n":
                at = code.find(marker, at + 1)
            if at < 0:
                raise RuntimeError(f"the rewrite lost the boundary after notebook cell {self.cells[index - 1].number}")
            pieces.append(code[pos:at])
            pos = at + len(marker)
        pieces.append(code[pos:])
        return pieces

    def split(self, code: str) -> list[str]:
        """Each cell's new code, with the line end this program added to an unterminated cell taken off."""
        new_codes = []
        for cell, piece in zip(self.cells, self.pieces_of(code), strict=True):
            added = _terminated(cell.code)[len(cell.code) :]
            if added and piece.endswith(added):
                piece = piece[: -len(added)]
            new_codes.append(piece)
        return new_codes

    def locate(self, line: int) -> tuple[int | None, int]:
        if line < 1:
            return None, line
        index = bisect.bisect_right(self.starts, line) - 1
        return self.cells[index].number, line - self.starts[index] + 1

    def label(self, line: int) -> str:
        """How a message names a line of the joined code: "cell 3:2", as the summary writes places."""
        cell, within = self.locate(line)
        return f"cell {cell}:{within}" if cell is not None else f"line {line}"

    def locate_all(self, findings: Sequence[Finding]) -> list[Finding]:
        located = []
        for finding in findings:
            cell, line = self.locate(finding.line)
            located.append(replace(finding, cell=cell, line=line))
        return located


def _terminated(code: str) -> str:
    if code.endswith(("\n", "\r")):
        return code
    return code + ("\r\n" if "\r\n" in code else "\n")


def _reads(program: _Program, code: str, *, after: bool) -> list[UrlEnvRead]:
    reads = []
    for var, line in url_env_reads(code):
        cell, within = program.locate(line)
        reads.append(UrlEnvRead(var, within, after, cell))
    return reads
