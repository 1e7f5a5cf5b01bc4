"""Text from outside (file names, messages that quote code) made safe to print on a terminal.

A file name may hold any byte but "/" and NUL: an ANSI escape sequence (`\\x1b[2J` clears the
screen, OSC 8 writes links, some terminals answer queries into the input), a newline that forges
a line of our report, a carriage return that overwrites one. So every name we print goes through
`shown_path`, every message that can quote a name or a line of code through `printable`, and the
`--- a/...` headers of a diff are quoted the way git quotes them (`git_quoted`), which `git apply`
and `patch` read back. JSON output needs none of this: `json.dumps` escapes control characters.

Escaped: C0 and C1 control characters and DEL (`\\n`, `\\x1b`, `\\x9b`), Unicode line and paragraph
separators, the bidirectional controls that reorder what is shown (CVE-2021-42574, "Trojan
Source"), and lone surrogates, which is how Python hands over the bytes of a name that is not
valid UTF-8 (os.fsdecode's "surrogateescape"): they are shown as the byte they stand for.
"""

from __future__ import annotations

import re

# Bidirectional formatting characters: https://www.unicode.org/reports/tr9/#Directional_Formatting_Characters
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
_UNSAFE_BUT_TAB = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte 0x80..0xFF
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_tabs: bool = False) -> str:
    """`text` with every character that could drive a terminal written as an escape (`\\x1b`).

    `keep_tabs`: a tab stays a tab (a line of code, whose indentation it may be).
    """
    unsafe = _UNSAFE_BUT_TAB if keep_tabs else _UNSAFE
    if unsafe.search(text) is None:
        return text
    return unsafe.sub(lambda m: _escaped(m.group()), text)


def shown_path(path: str) -> str:
    """A path as our reports print it: as is, or quoted like git does when it holds anything unsafe.

    The quotes tell the escaped form from a name that really holds a backslash: `"a\\x1bb.py"` is
    the name with an ESC in it, `a\\x1bb.py` (no quotes) the name with a backslash.
    """
    if _UNSAFE.search(path) is None:
        return path
    inner = path.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _UNSAFE.sub(lambda m: _escaped(m.group()), inner) + '"'


# git's C-style quoting of a path in a diff header (quote_c_style in git's quote.c): these short
# forms, octal escapes for any other byte that needs it; `git apply` and GNU patch unquote it.
_GIT_SHORT = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}
_GIT_NEEDS_QUOTING = re.compile(f'["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]')


def git_quoted(name: str) -> str:
    """`name` (say `a/src/app.py`) as git writes it in a diff header: bare, or C-quoted if needed."""
    if _GIT_NEEDS_QUOTING.search(name) is None:
        return name
    out = []
    for char in name:
        if char in '"\\':
            out.append("\\" + char)
        elif char in _GIT_SHORT:
            out.append(_GIT_SHORT[char])
        elif _GIT_NEEDS_QUOTING.match(char):
            try:
                raw = char.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:  # a surrogate no file name decodes to; shown all the same
                raw = char.encode("utf-8", "surrogatepass")
            out.append("".join(f"\\{byte:03o}" for byte in raw))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
