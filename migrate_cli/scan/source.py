"""Scan one file's text: Python source, or a notebook's code cells analysed together.

Notebook cells run in one namespace (the import of cell 1 is what cell 3 calls), so, as the
rewrite does, the code cells Python can parse are joined into one module and analysed once; each
finding's line is mapped back to its cell. Cells Python cannot parse (IPython magics, shell lines)
are left out. A notebook whose kernel runs another language is not looked at.

Pure: text in, `ModuleScan` out; raises `SourceError` (or `NotebookFormatError`) on bad input.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from migrate_cli.config import Target
from migrate_cli.scan.engine_api import (
    RULES,
    ModuleInfo,
    NotebookFormatError,
    SourceError,
    analyze,
    is_python,
    locate_cells,
    parse,
)
from migrate_cli.scan.records import ModuleScan
from migrate_cli.scan.sites import scan_module


def scan_source(code: str, target: Target) -> ModuleScan:
    if "\r" in code and "\n" not in code:
        code = code.replace("\r", "\n")  # classic Mac line ends: the same lines, as the rewrite reads them
    tree = parse(code)
    return scan_module(ModuleInfo(source=code, tree=tree, analysis=analyze(tree), target=target, rules=RULES))


def scan_notebook(text: str, target: Target) -> ModuleScan:
    layout = locate_cells(text)
    if layout.nbformat != 4:  # as the rewrite says it (notebook.py): the cells are not where v4 has them
        raise NotebookFormatError(f"nbformat {layout.nbformat!r} is not supported (only nbformat 4 notebooks are read)")
    if layout.language is not None and not is_python(layout.language):
        return ModuleScan()
    pieces: list[str] = []
    numbers: list[int] = []
    starts: list[int] = []
    line = 1
    for cell in layout.cells:
        if cell.cell_type != "code" or cell.source is None:
            continue
        value = cell.source.value
        code = value if isinstance(value, str) else "".join(value)
        if not code.strip():
            continue
        try:
            parse(code)
        except SourceError:
            continue  # IPython syntax or a broken cell: the rest of the notebook still counts
        code = code if code.endswith(("\n", "\r")) else code + "\n"
        pieces.append(code)
        numbers.append(cell.number)
        starts.append(line)
        line += code.count("\n") or 1
    if not pieces:
        return ModuleScan()
    found = scan_source("".join(pieces), target)

    def locate(at: int) -> tuple[int, int]:
        index = bisect.bisect_right(starts, at) - 1
        return numbers[index], at - starts[index] + 1

    calls = tuple(replace(c, cell=locate(c.line)[0], line=locate(c.line)[1]) for c in found.calls)
    clients = tuple(replace(c, cell=locate(c.line)[0], line=locate(c.line)[1]) for c in found.clients)
    return ModuleScan(calls, clients)
