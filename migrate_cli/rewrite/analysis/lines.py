"""Split source into lines the way Python numbers them.

`str.splitlines()` also splits on form feeds, \\x85, \\u2028 and other separators that are legal
inside a Python source line, which would put every line number after them out of step with `ast`.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def source_lines(text: str) -> list[str]:
    """The lines of `text` as Python sees them, each with its own line end."""
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)  # the fast path for nearly every file
    return _LINE.findall(text)
