"""A notebook's JSON text: where each cell's source sits in it, and new sources spliced in place.

`json.loads` gives the values but forgets where they were; re-serialising the whole document with
`json.dumps` would have to guess the writer's indentation, key order, `ensure_ascii` and separators, and
any wrong guess rewrites every line of outputs and metadata. So this module walks the three levels
a rewrite needs by hand (the top-level object, the `cells` array, each cell's members, and a
`source` list's items), records the character span of each `source` value and of its items, and
hands every other value to the C-accelerated `JSONDecoder.raw_decode`, which also validates it.
Big base64 outputs therefore cost what `json.loads` costs.

`splice_sources` writes new sources back at those positions, in the document's own style.

Pure: text in, positions and values (or new text) out; a malformed document raises
`NotebookFormatError`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # public in json.decoder, missing in typeshed
# A \uXXXX escape of a non-ASCII character: the writer used ensure_ascii=True.
_NON_ASCII_ESCAPE = re.compile(r"\\u(?!00[0-7])[0-9a-fA-F]{4}")


class NotebookFormatError(ValueError):
    """The text is not a notebook this tool can edit; the message says where and why."""


@dataclass(frozen=True)
class SourceSpan:
    """A cell's `source` value: a string, or a list of strings (one per line, as Jupyter writes it)."""

    start: int
    end: int
    value: str | tuple[str, ...]
    #: (start, end) of each list item's JSON string; None when the source is one string.
    items: tuple[tuple[int, int], ...] | None


@dataclass(frozen=True)
class CellLocation:
    #: 1-based position among all the notebook's cells, markdown and raw cells included.
    number: int
    cell_type: Any
    source: SourceSpan | None
    #: The language the cell's own metadata gives (polyglot notebooks mix C#, F#, PowerShell and
    #: Python cells under one kernel); None when it says nothing.
    language: str | None = None


@dataclass(frozen=True)
class NotebookLayout:
    nbformat: Any
    cells: tuple[CellLocation, ...]
    #: True when the document has "worksheets" (nbformat 3) instead of "cells".
    has_worksheets: bool = False
    #: The kernel's language as the metadata gives it (`kernelspec.language`, else
    #: `language_info.name`); None when it says nothing.
    language: str | None = None


def locate_cells(text: str) -> NotebookLayout:
    return _Scanner(text).document()


def _cell_language(metadata: Any) -> str | None:
    """The language a cell's metadata declares: .NET Interactive / Polyglot Notebooks write
    `dotnet_interactive.language` and `polyglot_notebook.kernelName` per cell
    (https://github.com/dotnet/interactive/blob/main/docs/polyglot-notebooks.md), VS Code
    `vscode.languageId`."""
    if not isinstance(metadata, dict):
        return None
    for section, key in (
        ("polyglot_notebook", "kernelName"),
        ("dotnet_interactive", "language"),
        ("vscode", "languageId"),
    ):
        value = metadata.get(section)
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key].strip():
            return str(value[key])
    return None


def _language(metadata: Any) -> str | None:
    """The kernel language a notebook declares (nbformat 4 metadata), as written."""
    if not isinstance(metadata, dict):
        return None
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(section)
        if isinstance(value, dict) and isinstance(value.get(key), str) and value[key].strip():
            return str(value[key]).strip()
    return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text

    # -- the levels a rewrite needs ----------------------------------------------------------

    def document(self) -> NotebookLayout:
        found: dict[str, Any] = {"nbformat": None, "cells": (), "worksheets": False, "metadata": None}

        def member(key: str, pos: int) -> int:
            if key == "cells" and self._char(pos) == "[":
                cells: list[CellLocation] = []
                end = self._array(pos, lambda index, at: self._cell(index, at, cells))
                found["cells"] = tuple(cells)
                return end
            value, end = self._value(pos)
            if key in ("nbformat", "metadata"):
                found[key] = value
            elif key == "worksheets":
                found["worksheets"] = True
            return end

        pos = self._skip(0)
        if self._char(pos) != "{":
            raise self._error("a notebook is a JSON object", pos)
        end = self._skip(self._object(pos, member))
        if end != len(self.text):
            raise self._error("extra data after the notebook's JSON object", end)
        return NotebookLayout(found["nbformat"], found["cells"], found["worksheets"], _language(found["metadata"]))

    def _cell(self, index: int, pos: int, cells: list[CellLocation]) -> int:
        if self._char(pos) != "{":
            _, end = self._value(pos)
            cells.append(CellLocation(index + 1, None, None))
            return end
        found: dict[str, Any] = {"cell_type": None, "source": None, "metadata": None}

        def member(key: str, at: int) -> int:
            if key == "source":
                found["source"], end = self._source(at)
                return end
            value, end = self._value(at)
            if key in ("cell_type", "metadata"):
                found[key] = value
            return end

        end = self._object(pos, member)
        language = _cell_language(found["metadata"])
        cells.append(CellLocation(index + 1, found["cell_type"], found["source"], language))
        return end

    def _source(self, pos: int) -> tuple[SourceSpan | None, int]:
        char = self._char(pos)
        if char == '"':
            value, end = self._string(pos)
            return SourceSpan(pos, end, value, None), end
        if char != "[":
            _, end = self._value(pos)
            return None, end  # not a notebook source; the cell is left alone
        strings: list[str] = []
        spans: list[tuple[int, int]] = []
        shape_ok = True

        def item(index: int, at: int) -> int:
            nonlocal shape_ok
            if self._char(at) != '"':
                shape_ok = False
                return self._value(at)[1]
            value, end = self._string(at)
            strings.append(value)
            spans.append((at, end))
            return end

        end = self._array(pos, item)
        if not shape_ok:
            return None, end
        return SourceSpan(pos, end, tuple(strings), tuple(spans)), end

    # -- JSON structure --------------------------------------------------------------------

    def _object(self, pos: int, member: Callable[[str, int], int]) -> int:
        """Walk the object at `pos` ('{'); `member(key, value_pos)` returns where the value ends."""
        pos = self._skip(pos + 1)
        if self._char(pos) == "}":
            return pos + 1
        while True:
            if self._char(pos) != '"':
                raise self._error("expected a string key", pos)
            key, pos = self._string(pos)
            pos = self._skip(pos)
            if self._char(pos) != ":":
                raise self._error("expected ':' after a key", pos)
            pos = self._skip(member(key, self._skip(pos + 1)))
            char = self._char(pos)
            if char == "}":
                return pos + 1
            if char != ",":
                raise self._error("expected ',' or '}' in an object", pos)
            pos = self._skip(pos + 1)

    def _array(self, pos: int, item: Callable[[int, int], int]) -> int:
        pos = self._skip(pos + 1)
        if self._char(pos) == "]":
            return pos + 1
        index = 0
        while True:
            pos = self._skip(item(index, pos))
            index += 1
            char = self._char(pos)
            if char == "]":
                return pos + 1
            if char != ",":
                raise self._error("expected ',' or ']' in an array", pos)
            pos = self._skip(pos + 1)

    def _string(self, pos: int) -> tuple[str, int]:
        try:
            return _scanstring(self.text, pos + 1, True)
        except json.JSONDecodeError as exc:
            raise self._error(exc.msg, exc.pos) from None

    def _value(self, pos: int) -> tuple[Any, int]:
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise self._error(exc.msg, exc.pos) from None

    def _skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.text, pos).end()  # type: ignore[union-attr]  # `[...]*` always matches

    def _char(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def _error(self, message: str, pos: int) -> NotebookFormatError:
        line = self.text.count("\n", 0, pos) + 1
        return NotebookFormatError(f"not valid notebook JSON: {message} (line {line})")


# -- write-back -------------------------------------------------------------------------------


def splice_sources(text: str, replacements: Sequence[tuple[SourceSpan, str]]) -> str:
    """`text` with each (source, new code) written in place of that source's JSON value.

    A list-of-lines source stays a list of lines (split as nbformat splits them); lines that did not
    change keep their original JSON text, escapes and all; new lines follow the document's
    separators and its `ensure_ascii` style. Every other character of `text` is kept.
    """
    if not replacements:
        return text
    style = _JsonStyle(text)
    parts, pos = [], 0
    for source, code in sorted(replacements, key=lambda r: r[0].start):
        parts += [text[pos : source.start], _source_json(text, source, code, style)]
        pos = source.end
    parts.append(text[pos:])
    return "".join(parts)


class _JsonStyle:
    """How the document writes what the new JSON text must match; each asked for only when needed
    (the `ensure_ascii` question scans the whole document, base64 outputs and all)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ensure_ascii: bool | None = None

    def dumps(self, value: str) -> str:
        if value.isascii():
            return json.dumps(value)
        if self._ensure_ascii is None:
            self._ensure_ascii = self.text.isascii() and _NON_ASCII_ESCAPE.search(self.text) is not None
        return json.dumps(value, ensure_ascii=self._ensure_ascii)

    @property
    def spaced(self) -> bool:
        return '": ' in self.text or '", ' in self.text


def _source_json(text: str, source: SourceSpan, code: str, style: _JsonStyle) -> str:
    if source.items is None:
        return style.dumps(code)
    old_lines = list(source.value)
    new_lines = code.splitlines(keepends=True)  # as nbformat splits a source into its list
    items: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":  # unchanged lines keep their JSON text, escapes and all
            items += [text[start:end] for start, end in source.items[i1:i2]]
        else:
            items += [style.dumps(line) for line in new_lines[j1:j2]]
    if not items:
        return "[]"
    opening, separator, closing = _list_layout(text, source, style.spaced)
    return "[" + opening + separator.join(items) + closing + "]"


def _list_layout(text: str, source: SourceSpan, spaced: bool) -> tuple[str, str, str]:
    """The whitespace after `[`, between items and before `]`, as the original list has it."""
    items = source.items or ()
    if not items:
        return "", ", " if spaced else ",", ""
    opening = text[source.start + 1 : items[0][0]]
    closing = text[items[-1][1] : source.end - 1]
    if len(items) > 1:
        separator = text[items[0][1] : items[1][0]]
    elif "\n" in opening:
        separator = "," + opening
    else:
        separator = ", " if spaced else ","
    return opening, separator, closing
