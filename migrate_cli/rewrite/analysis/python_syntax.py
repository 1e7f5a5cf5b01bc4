"""Parse Python source into `ast` whatever the version of the interpreter migrate runs on.

The analysis reads `ast` trees, and Python 3.11's `ast` cannot read 3.12/3.13 syntax: PEP 701
f-strings (`f"{x["a"]}"`, a backslash or a comment inside a replacement field, a field over several
lines), PEP 695 type parameters (`def f[T](x: T)`, `class C[T]`) and `type X = ...`, PEP 696
defaults. A file using any of them would be "cannot parse".

So when `ast.parse` refuses a file, `analysable_text` writes it again with each construct the
running `ast` cannot read *neutralised*, every other byte where it was (same lines, same UTF-8
byte columns): the tree `ast` makes of that text has the original's positions, so the rules'
edits, made by libcst on the original text, land where they should.

- An f-string (or t-string) that Python 3.11 cannot read becomes a call of its replacement fields'
  expressions, each at its own place, the literal text blanked: `f"{x["a"]}!"` -> `_( x["a"],  )`.
  A call of an unknown function is a value the rewrite proves nothing about: a client argument
  holding one is reviewed, never rewritten; a client built inside a field is still seen. An
  implicitly concatenated string (`"a" f"{x["b"]}"`) becomes one call.
- `type X[T] = V` becomes `_ =  X = V`: X is bound, V is read.
- The type parameters of `def f[T](...)` and `class C[T](...)` are blanked.

Then the neutralised pieces are confirmed by libcst's parser, which knows the newer grammar, one
piece at a time: invalid code is still "cannot parse", with its line. (The whole file never goes to
libcst here: its native parser overflows its stack on nesting CPython's parser takes in stride,
2,000 nested brackets or 5,000 chained lambdas, and would crash the process.) Names used only in
type-parameter bounds are not seen by the analysis; PEP 695 evaluates them lazily, so no rewrite
can break them at import time.

    parse_module(code) -> ast.Module    raises SyntaxError / ValueError / RecursionError / MemoryError
    analysable_text(code) -> str        the text `ast` (or `symtable`) reads in place of `code`
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from migrate_cli.rewrite.analysis.deep_stack import on_deep_stack

# Worth a scan only when the text has something of the newer syntax's shape.
_MAYBE_NEWER = re.compile(r"""(?i:(?<![\w])[rb]?[ft][rb]?['"])|\btype\b|\b(?:def|class)\s+\w+\s*\[""")
_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\f]+)
    |(?P<continuation>\\(?:\r\n|\r|\n))
    |(?P<newline>\r\n|\r|\n)
    |(?P<comment>\#[^\r\n]*)
    |(?P<string>(?P<prefix>[rRbBuUfFtT]{1,2})?(?P<quote>'''|\"\"\"|'|"))
    |(?P<name>[^\W\d]\w*)
    |(?P<number>\.?\d(?:[\w.]|[eE][+-])*)
    |(?P<op>\*\*=|//=|>>=|<<=|->|:=|==|!=|<=|>=|\*\*|//|<<|>>|\.\.\.|[-+*/%@&|^~<>]=?|[()\[\]{}.,:;=!])
    """,
    re.VERBOSE,
)
_OPENING = {"(": ")", "[": "]", "{": "}"}
# f-strings may nest 150 deep in CPython 3.12; deeper is not Python, and would cost recursion.
_MAX_NESTING = 150


def parse_module(code: str) -> ast.Module:
    """`ast.parse(code)`, or the tree of `analysable_text(code)` when the syntax is newer than ours."""
    try:
        return _ast_parse(code)
    except SyntaxError as error:
        neutral = _newer_or_raise(code, error)
    return _ast_parse(neutral)


def analysable_text(code: str) -> str:
    """`code` itself when the running `ast` reads it, else its neutralised form (see above)."""
    try:
        _ast_parse(code)
        return code
    except SyntaxError as error:
        neutral = _newer_or_raise(code, error)
    _ast_parse(neutral)
    return neutral


def _newer_or_raise(code: str, error: SyntaxError) -> str:
    """The neutralised text, or `error` again when the code holds nothing of the newer syntax."""
    try:
        neutral = _neutralised(code) if _MAYBE_NEWER.search(code) else None
    except SyntaxError as refused:
        # libcst refused a piece: where ast failed on the same line, its words are the better ones
        # ("f-string: empty expression not allowed" rather than "invalid f-string").
        raise (error if error.lineno == refused.lineno else refused) from None
    if neutral is None:
        raise error
    return neutral


def _ast_parse(code: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # e.g. invalid escapes in user strings
        return ast.parse(code)


def _neutralised(code: str) -> str | None:
    """The neutralised text, its pieces confirmed by libcst; None when there is nothing newer in it
    (the original SyntaxError stands). A piece libcst refuses raises SyntaxError at its line."""
    try:
        tokens = _Tokenizer(code).tokens(0, len(code), in_field=False)
    except _NotPython:
        return None
    writer = _Writer(code)
    writer.statements(tokens)
    writer.strings(tokens, inside=False)
    if not writer.checks:
        return None
    _confirm(writer.checks)
    return "".join(writer.out)


def _confirm(checks: list[tuple[int, str, str]]) -> None:
    import libcst as cst

    def parse_all() -> None:
        for line, piece, what in checks:
            try:
                if what == "f-string":
                    cst.parse_expression(piece)
                else:
                    cst.parse_statement(piece)
            except cst.ParserSyntaxError:
                raise SyntaxError(f"invalid {what}", ("<unknown>", line, 0, "")) from None

    on_deep_stack(parse_all)


# --- tokens ---------------------------------------------------------------------------------


class _NotPython(Exception):
    """The text does not even tokenize: no neutralising helps, the SyntaxError stands."""


@dataclass
class _Token:
    kind: str
    start: int
    end: int
    text: str
    #: For an f-string or t-string: its replacement fields.
    fields: list[_Field] = field(default_factory=list)

    @property
    def formatted(self) -> bool:
        return bool(self.kind == "string" and set(self.text[:2].lower()) & {"f", "t"} and self.text[0] not in "'\"")


@dataclass
class _Field:
    """The expression of a replacement field, `{expression!r:spec}`: its span and its tokens; the
    character right after it (`}`, `!`, `:` or the `=` of `{x=}`) is where a comma goes."""

    start: int
    end: int
    tokens: list[_Token]


class _Tokenizer:
    """Python's tokens, as far as neutralising needs them: strings (with their replacement fields,
    PEP 701 style), comments, names, brackets, line ends. Linear, no recursion but for fields."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.depth = 0

    def tokens(self, pos: int, stop: int, *, in_field: bool) -> list[_Token]:
        """Tokens from `pos`; in a field, up to its end at bracket depth 0 (`}`, `!`, `:`, `=`)."""
        text, found, brackets = self.text, [], 0
        while pos < stop:
            match = _TOKEN.match(text, pos)
            if match is None:
                raise _NotPython
            kind = match.lastgroup or ""
            if kind == "string":
                if match["prefix"] and not _valid_prefix(match["prefix"]):
                    raise _NotPython
                token = self._string(pos, match.end(), match["prefix"] or "", match["quote"])
                found.append(token)
                pos = token.end
                continue
            value = match.group()
            if in_field and brackets == 0 and kind == "op" and value in ("}", "!", ":", "="):
                if value == "=" and not self._debug_equals(match.end()):
                    raise _NotPython
                self.field_end = pos
                return found
            if kind == "op" and value in _OPENING:
                brackets += 1
            elif kind == "op" and value in (")", "]", "}"):
                brackets -= 1
                if brackets < 0:
                    if in_field:
                        raise _NotPython
                    brackets = 0  # a stray closer: ast already said so; keep going
            if kind != "space":
                found.append(_Token(kind, pos, match.end(), value))
            pos = match.end()
        if in_field:
            raise _NotPython  # a field that never ends
        return found

    def _debug_equals(self, after: int) -> bool:
        """`{x=}`, `{x = !r}`, `{x=:>5}`: the `=` is the debug marker when a field end follows."""
        rest = self.text[after:].lstrip(" \t")
        return rest[:1] in ("}", "!", ":")

    def _string(self, start: int, body: int, prefix: str, quote: str) -> _Token:
        kinds = set(prefix.lower())
        if kinds & {"f", "t"}:
            self.depth += 1
            if self.depth > _MAX_NESTING:
                raise _NotPython
            try:
                fields: list[_Field] = []
                end = self._formatted_body(body, quote, raw="r" in kinds, fields=fields)
            finally:
                self.depth -= 1
            return _Token("string", start, end, self.text[start:end], fields)
        end = _plain_string_end(self.text, body, quote)
        return _Token("string", start, end, self.text[start:end])

    def _formatted_body(self, pos: int, quote: str, *, raw: bool, fields: list[_Field]) -> int:
        """The end of an f-string's body from `pos` (after the opening quote): literal text with
        `{{`/`}}` escapes, `\\N{...}` names, and replacement fields."""
        text = self.text
        while True:
            if text.startswith(quote, pos):
                return pos + len(quote)
            if pos >= len(text):
                raise _NotPython
            char = text[pos]
            if char == "\\":
                pos = _after_backslash(text, pos, raw=raw)
            elif char in "\r\n" and len(quote) == 1:
                raise _NotPython  # an unterminated single-quoted string
            elif text.startswith("{{", pos) or text.startswith("}}", pos):
                pos += 2
            elif char == "{":
                pos = self._field(pos + 1, quote, raw=raw, fields=fields)
            elif char == "}":
                raise _NotPython
            else:
                pos += 1

    def _field(self, pos: int, quote: str, *, raw: bool, fields: list[_Field]) -> int:
        """A replacement field from after its `{`; returns the position after its `}`."""
        tokens = self.tokens(pos, len(self.text), in_field=True)
        end = self.field_end
        fields.append(_Field(pos, end, tokens))
        text = self.text
        if text[end] == "=":  # the debug marker; a conversion or a spec may follow
            end += 1
            end += len(text[end:]) - len(text[end:].lstrip(" \t"))
        if text[end] == "!":
            match = re.compile(r"![a-z]").match(text, end)
            if match is None:
                raise _NotPython
            end = match.end()
        if text[end] == ":":
            return self._format_spec(end + 1, quote, raw=raw, fields=fields)
        if text[end] != "}":
            raise _NotPython
        return end + 1

    def _format_spec(self, pos: int, quote: str, *, raw: bool, fields: list[_Field]) -> int:
        """A format spec, which may hold fields of its own (`{x:>{width}}`), up to its field's `}`."""
        text = self.text
        while True:
            if pos >= len(text) or text.startswith(quote, pos):
                raise _NotPython
            char = text[pos]
            if char == "\\":
                pos = _after_backslash(text, pos, raw=raw)
            elif char in "\r\n" and len(quote) == 1:
                raise _NotPython
            elif char == "{":
                pos = self._field(pos + 1, quote, raw=raw, fields=fields)
            elif char == "}":
                return pos + 1
            else:
                pos += 1

    field_end: int = 0


def _after_backslash(text: str, pos: int, *, raw: bool) -> int:
    """Past a backslash in an f-string's literal text. It never escapes a brace (`\\{x}` is a
    backslash, then a field); `\\N{...}` names a character (not in a raw string); otherwise it
    takes the next character with it, a quote or a line end included, raw or not."""
    following = text[pos + 1 : pos + 2]
    if following in ("{", "}"):
        return pos + 1
    if not raw and following == "N" and text.startswith("{", pos + 2):
        close = text.find("}", pos)
        if close < 0:
            raise _NotPython
        return close + 1
    return pos + 2


def _valid_prefix(prefix: str) -> bool:
    lowered = prefix.lower()
    return lowered in {"r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt"}


def _plain_string_end(text: str, pos: int, quote: str) -> int:
    """The end of a string literal without fields (backslash escapes its next character, raw or not)."""
    while True:
        if text.startswith(quote, pos):
            return pos + len(quote)
        if pos >= len(text):
            raise _NotPython
        char = text[pos]
        if char == "\\":
            pos += 2
        elif char in "\r\n" and len(quote) == 1:
            raise _NotPython
        else:
            pos += 1


# --- writing the neutralised text -----------------------------------------------------------


class _Writer:
    """The original text, character by character, with the neutralised constructs rewritten in place."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out = list(text)
        self.checks: list[tuple[int, str, str]] = []

    def line_of(self, pos: int) -> int:
        return len(re.findall(r"\r\n|\r|\n", self.text[:pos])) + 1

    def put(self, pos: int, replacement: str) -> None:
        """Replace one character, keeping its UTF-8 length: ast's columns count bytes."""
        width = len(self.text[pos].encode("utf-8", "surrogatepass"))
        self.out[pos] = replacement + " " * (width - len(replacement.encode("utf-8")))

    def blank(self, start: int, end: int) -> None:
        for pos in range(start, end):
            if self.text[pos] not in "\r\n":
                self.put(pos, " ")

    # -- PEP 695 -----------------------------------------------------------------------------

    def statements(self, tokens: list[_Token]) -> None:
        """`type X[...] = V` at the start of a statement; `def f[...]`, `class C[...]`."""
        depth = 0
        previous: _Token | None = None
        significant = [t for t in tokens if t.kind not in ("comment", "continuation")]
        for index, token in enumerate(significant):
            following = significant[index + 1 : index + 3]
            starts_statement = previous is None or (depth == 0 and previous.text in ("\n", "\r\n", "\r", ";", ":"))
            if (
                token.kind == "name"
                and token.text == "type"
                and starts_statement
                and len(following) == 2
                and following[0].kind == "name"
                and following[1].text in ("[", "=")
            ):
                self._type_alias(significant, index)
            elif (
                token.kind == "name"
                and token.text in ("def", "class")
                and len(following) == 2
                and following[0].kind == "name"
                and following[1].text == "["
            ):
                close = _matching(significant, index + 2)
                header = self.text[following[1].start : significant[close].end]
                piece = f"def _{header}(): pass\n" if token.text == "def" else f"class _{header}: pass\n"
                self.checks.append((self.line_of(token.start), piece, "type parameters"))
                self.blank(following[1].start, significant[close].end)
            if token.kind == "op" and token.text in _OPENING:
                depth += 1
            elif token.kind == "op" and token.text in (")", "]", "}"):
                depth = max(0, depth - 1)
            previous = token

    def _type_alias(self, tokens: list[_Token], index: int) -> None:
        keyword, after = tokens[index], tokens[index + 2]
        equals = after
        if after.text == "[":
            close = _matching(tokens, index + 2)
            if close + 1 >= len(tokens) or tokens[close + 1].text != "=":
                return  # not an alias after all; ast's error stands
            equals = tokens[close + 1]
            self.blank(after.start, tokens[close].end)
        piece = self.text[keyword.start : equals.end] + " 0\n"
        self.checks.append((self.line_of(keyword.start), piece, "type alias"))
        for offset, char in enumerate("_ = "):  # `type X = V` -> `_ =  X = V`: X bound, V read
            self.put(keyword.start + offset, char)

    # -- PEP 701 -----------------------------------------------------------------------------

    def strings(self, tokens: list[_Token], *, inside: bool) -> None:
        """Neutralise each group of adjacent strings holding an f-string 3.11 cannot read; look
        into the fields of the ones it can read too (a field may hold one it cannot). `inside`:
        the tokens are a field's, where a line break does not end a statement."""
        for group in _string_groups(tokens, inside=inside):
            if any(t.formatted and not _readable(t.text) for t in group):
                self._call(group)
            else:
                for token in group:
                    for fld in token.fields:
                        self.strings(fld.tokens, inside=True)

    def _call(self, group: list[_Token]) -> None:
        start, end = group[0].start, group[-1].end
        self.checks.append((self.line_of(start), "(" + self.text[start:end] + ")", "f-string"))
        kept = [fld for token in group for fld in token.fields]
        pos = start
        for fld in kept:
            self.blank(pos, fld.start)
            self.strings(fld.tokens, inside=True)
            pos = fld.end
            self.put(pos, ",")  # the `}`, `!`, `:` or `=` after the expression
            pos += 1
        self.blank(pos, end)
        self.put(start, "_")
        self.put(start + 1, "(")
        self.put(end - 1, ")")


def _matching(tokens: list[_Token], index: int) -> int:
    """The index of the bracket that closes the one at `index`."""
    depth = 0
    for position in range(index, len(tokens)):
        text = tokens[position].text
        if text in _OPENING:
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return position
    raise _NotPython


def _string_groups(tokens: list[_Token], *, inside: bool) -> list[list[_Token]]:
    """Runs of string tokens Python concatenates: only spaces, comments and line breaks inside
    brackets (or a field) between them; a line break at depth 0 ends the statement."""
    groups: list[list[_Token]] = []
    joined, depth = False, 0
    for token in tokens:
        if token.kind == "string":
            if joined:
                groups[-1].append(token)
            else:
                groups.append([token])
            joined = True
        elif token.kind == "newline":
            joined = joined and (inside or depth > 0)
        elif token.kind not in ("comment", "continuation"):
            joined = False
            if token.text in _OPENING:
                depth += 1
            elif token.text in (")", "]", "}"):
                depth = max(0, depth - 1)
    return groups


def _readable(literal: str) -> bool:
    """Whether the running `ast` reads this one f-string as it is."""
    try:
        _ast_parse("(" + literal + "\n)")
    except SyntaxError:
        return False
    return True
