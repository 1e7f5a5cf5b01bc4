"""How a place in a file is written in every output: `app.py:12`, or `nb.ipynb:cell 3:2` in a notebook.

The notebook form is Ruff's (`path:cell N:line`): cell N is the N-th cell of the notebook from the
top, markdown cells included, and the line is counted within that cell. JSON output carries the same
numbers as `line` and `cell` fields.
"""

from __future__ import annotations


def location(path: str, line: int, cell: int | None = None) -> str:
    if cell is None:
        return f"{path}:{line}"
    return f"{path}:cell {cell}:{line}"
