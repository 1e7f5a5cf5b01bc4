"""Which files a rewrite looks at, and how they are read and written without losing a byte.

Discovery walks the PATH arguments the way `git` would see them: `.gitignore` files at every level
(and `.git/info/exclude`) are honoured, virtualenvs, caches and build output are never entered, and
`--include/--exclude` globs (gitignore syntax, relative to the PATH argument) refine the default
`*.py` and `*.ipynb`. With `--env-files`, env files (`ENV_FILE_GLOBS`) are listed too, even when
.gitignore ignores them: they hold keys, so they nearly always are, and they are where the new key
goes. A file named on the command line is always processed: the user asked for it.

Reading decodes exactly as Python does (BOM, PEP 263 cookie) and keeps newlines as they are;
writing goes through a temporary file in the same directory and `os.replace`, so a crash leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pathspec

from migrate_cli.errors import UsageError
from migrate_cli.escape import shown_path

DEFAULT_INCLUDE = ("*.py", "*.ipynb")
#: The end of the name of the temporary file a write goes through (`.app.py.x1y2.migrate-tmp`).
TEMP_SUFFIX = ".migrate-tmp"
#: `--env-files`: `.env`, `.env.local`, `.env.example`, `prod.env` ... (gitignore syntax).
ENV_FILE_GLOBS = (".env", ".env.*", "*.env")

# Directories that hold somebody else's code or generated output. Entered only when a PATH
# argument names them directly.
SKIPPED_DIR_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "venv",
        ".venv",
        "env",
        "site-packages",
        "node_modules",
        "__pycache__",
        ".ipynb_checkpoints",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
VENV_MARKER = "pyvenv.cfg"
NOT_A_FILE = "not a regular file"


def is_skipped_dir_name(name: str) -> bool:
    return name in SKIPPED_DIR_NAMES or name.endswith(".egg-info")


def is_env_file(path: str) -> bool:
    """A file ENV_FILE_GLOBS matches, by its name."""
    name = os.path.basename(path)
    return name == ".env" or name.startswith(".env.") or (name.endswith(".env") and name != ".env")


@dataclass(frozen=True)
class FileFilter:
    """`--include/--exclude` globs, gitignore syntax, matched on the path relative to the PATH."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    #: Files matching these are listed even where .gitignore ignores them (`--env-files`).
    unignore: tuple[str, ...] = ()

    # The compiled specs, built once from the globs above (object.__setattr__: the class is frozen).
    _include: pathspec.GitIgnoreSpec = field(init=False, repr=False, compare=False)
    _exclude: pathspec.GitIgnoreSpec = field(init=False, repr=False, compare=False)
    _unignore: pathspec.GitIgnoreSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_include", pathspec.GitIgnoreSpec.from_lines(self.include))
        object.__setattr__(self, "_exclude", pathspec.GitIgnoreSpec.from_lines(self.exclude))
        object.__setattr__(self, "_unignore", pathspec.GitIgnoreSpec.from_lines(self.unignore))

    def wants_file(self, rel: str) -> bool:
        return bool(self._include.match_file(rel)) and not self._exclude.match_file(rel)

    def wants_dir(self, rel: str) -> bool:
        return not self._exclude.match_file(rel + "/")

    def overrides_ignore(self, rel: str) -> bool:
        return bool(self.unignore) and bool(self._unignore.match_file(rel))


@dataclass(frozen=True)
class Discovery:
    """The files to process, in a stable order, and the places that could not be listed."""

    files: tuple[str, ...]
    #: (path, message) for directories that could not be read; reported, never fatal.
    errors: tuple[tuple[str, str], ...] = ()
    #: (path, why) for FIFOs, sockets and devices named on the command line or matching the globs:
    #: never opened (reading a FIFO waits for a writer forever), listed as skipped.
    skipped: tuple[tuple[str, str], ...] = ()


def discover(paths: Sequence[str], file_filter: FileFilter = FileFilter()) -> Discovery:
    """List the files under `paths`, sorted, each once. Raises UsageError if a PATH does not exist."""
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        listed = ", ".join(shown_path(p) for p in missing)
        raise UsageError(f"no such file or directory: {listed}", hint="pass files or directories that exist")
    found: dict[str, str] = {}  # real path -> path as shown
    errors: list[tuple[str, str]] = []
    skipped: dict[str, str] = {}
    for arg in paths:
        if os.path.isdir(arg):
            walker = _Walker(arg, file_filter, errors, skipped)
            # The walk follows no links, so a file's real path is its root's plus the walked part:
            # no realpath() (one lstat per path component) per file.
            real_root = os.path.realpath(arg)
            for shown in walker.files():
                rel = shown if walker.root == os.curdir else shown[len(walker.root) :].lstrip(os.sep)
                found.setdefault(os.path.join(real_root, rel), shown)
            continue
        kind = _special_kind(arg)
        if kind is not None:
            skipped.setdefault(os.path.normpath(arg), not_a_file_reason(kind))
        else:
            found.setdefault(os.path.realpath(arg), os.path.normpath(arg))
    return Discovery(
        files=tuple(sorted(set(found.values()))), errors=tuple(errors), skipped=tuple(sorted(skipped.items()))
    )


def _special_kind(path: str) -> str | None:
    """What `path` is when it is not a regular file or a directory ("a FIFO"); None otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # reading it will say what is wrong
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else special_kind(mode)


def _entry_kind(entry: os.DirEntry[str]) -> str:
    try:
        return special_kind(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return NOT_A_FILE


def special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return NOT_A_FILE


def not_a_file_reason(kind: str) -> str:
    """What a skipped file is listed with: "a FIFO (named pipe), not a regular file: skipped ..."."""
    what = "" if kind == NOT_A_FILE else f"{kind}, "
    return f"{what}{NOT_A_FILE}: skipped without opening it"


@dataclass
class _IgnoreFile:
    #: Directory of the ignore file, relative to the anchor, "" or ending in "/".
    base: str
    spec: pathspec.GitIgnoreSpec


@dataclass
class _Walker:
    """Walks one directory argument. Ignore rules are matched relative to the repository root
    (the anchor) when there is one, so `.gitignore` files above the PATH argument count too."""

    root: str
    file_filter: FileFilter
    errors: list[tuple[str, str]]
    skipped: dict[str, str]
    anchor: str = ""
    inherited: list[_IgnoreFile] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = os.path.normpath(self.root)
        absolute = os.path.abspath(self.root)
        top = _git_top(absolute)
        self.anchor = top or absolute
        if top is not None:
            self.inherited = self._ancestor_rules(top, absolute)

    def files(self) -> Iterator[str]:
        yield from self._walk(self.root, "", list(self.inherited))

    def _walk(self, directory: str, rel_to_root: str, rules: list[_IgnoreFile]) -> Iterator[str]:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.errors.append((directory, f"cannot list directory: {exc.strerror or exc}"))
            return
        names = {e.name for e in entries}
        if rel_to_root and VENV_MARKER in names:
            return  # a virtualenv that is not called venv/.venv/env
        rel_anchor = self._anchor_rel(directory)
        if ".gitignore" in names:
            own = _load_ignore_file(os.path.join(directory, ".gitignore"), rel_anchor)
            if own is not None:
                rules = [*rules, own]
        for entry in entries:
            if entry.is_symlink():
                continue  # never follow links out of the tree, nor loop through them
            rel = f"{rel_to_root}{entry.name}"
            # Shown as the user would write it: "src/a.py", not "./src/a.py".
            path = entry.path if directory != os.curdir else entry.name
            if entry.is_dir():
                if is_skipped_dir_name(entry.name) or not self.file_filter.wants_dir(rel):
                    continue
                if _ignored(rules, rel_anchor + entry.name + "/"):
                    continue
                yield from self._walk(path, rel + "/", rules)
            elif self.file_filter.wants_file(rel) and (
                not _ignored(rules, rel_anchor + entry.name) or self.file_filter.overrides_ignore(rel)
            ):
                if entry.is_file():
                    yield path
                else:  # a FIFO, socket or device named like a source file: say so, never open it
                    self.skipped.setdefault(path, not_a_file_reason(_entry_kind(entry)))

    def _anchor_rel(self, directory: str) -> str:
        rel = os.path.relpath(os.path.abspath(directory), self.anchor)
        return "" if rel == "." else PurePosixPath(*rel.split(os.sep)).as_posix() + "/"

    def _ancestor_rules(self, top: str, absolute: str) -> list[_IgnoreFile]:
        rules: list[_IgnoreFile] = []
        exclude = _load_ignore_file(os.path.join(top, ".git", "info", "exclude"), "")
        if exclude is not None:
            rules.append(exclude)
        directory = top
        for part in self._anchor_rel(absolute).split("/")[:-1]:
            rel = self._anchor_rel(directory)
            found = _load_ignore_file(os.path.join(directory, ".gitignore"), rel)
            if found is not None:
                rules.append(found)
            if _ignored(rules, rel + part + "/"):
                # The PATH argument itself is ignored: it was named explicitly, so walk it, but
                # then the rules that ignore it wholesale must not hide its contents either.
                return []
            directory = os.path.join(directory, part)
        return rules


def _git_top(start: str) -> str | None:
    """The repository root above `start` (a `.git` directory, or a `.git` file in a worktree)."""
    directory = start
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _load_ignore_file(path: str, base: str) -> _IgnoreFile | None:
    try:
        lines = read_file(path).decode("utf-8", errors="replace").splitlines()
    except OSError:  # absent, unreadable, or a FIFO that would block the walk
        return None
    return _IgnoreFile(base=base, spec=pathspec.GitIgnoreSpec.from_lines(lines))


def _ignored(rules: list[_IgnoreFile], rel: str) -> bool:
    """Git semantics: the last matching pattern wins, deeper ignore files after shallower ones."""
    ignored = False
    for rule in rules:
        if not rel.startswith(rule.base):
            continue
        verdict = rule.spec.check_file(rel[len(rule.base) :]).include
        if verdict is not None:
            ignored = verdict
    return ignored


# --- reading and writing --------------------------------------------------------------------


class SourceDecodeError(Exception):
    """The bytes are not text in the encoding Python would use for them."""


@dataclass(frozen=True)
class SourceText:
    text: str
    #: The codec that reproduces the file's bytes: "utf-8-sig" when there is a BOM.
    encoding: str


class NotRegularFileError(OSError):
    """The path is a FIFO, a socket or a device: it is passed over, never read."""

    def __init__(self, kind: str) -> None:
        super().__init__(not_a_file_reason(kind))
        self.kind = kind


# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever (and the file
# can become one between the walk and the read). O_NOCTTY: a terminal device never becomes ours.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def read_file(path: str) -> bytes:
    """The bytes of a regular file; NotRegularFileError (an OSError) for anything else, unread."""
    kind = _special_kind(path)
    if kind is not None:  # not even opened: opening some devices has effects of its own
        raise NotRegularFileError(kind)
    fd = os.open(path, _READ_FLAGS)
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # replaced since the check above
            raise NotRegularFileError(special_kind(mode))
        return fh.read()


def decode_source(data: bytes) -> SourceText:
    """Decode as the interpreter would; newlines are left exactly as they are in the bytes."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # a bad or unknown coding cookie, or a BOM that contradicts it
        if not exc.msg.startswith("invalid or missing encoding declaration"):
            raise SourceDecodeError(exc.msg) from None
        # Not UTF-8 in the first two lines and no cookie: decoding below says at which byte.
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceDecodeError(
            f"not valid {_codec_label(encoding)} at line {line} (byte offset {exc.start})"
            + ("" if encoding != "utf-8" else " (add a '# -*- coding: ...' line if it is not UTF-8)")
        ) from None
    return SourceText(text=text, encoding=encoding)


def encode_source(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise SourceDecodeError(
            f"the rewritten code cannot be written in {_codec_label(encoding)}: {exc.reason}"
        ) from None


def _codec_label(encoding: str) -> str:
    return "UTF-8 (with BOM)" if encoding == "utf-8-sig" else encoding


class FileChangedError(Exception):
    """The file changed on disk between our read and our write; we leave the newer version."""


def write_atomic(path: str, data: bytes, *, expected: bytes | None = None) -> None:
    """Replace `path`'s content with `data` in one step, keeping its permission bits.

    The new content goes to a temporary file next to the original (same filesystem, so the
    rename is atomic) and is flushed to disk. Then, with `expected` (the bytes the rewrite was
    computed from), the file is read once more and compared byte for byte: an edit made since
    our read, even one that keeps the size and the modification time, makes this raise
    FileChangedError and leaves the file as it is now. Only then is the temporary file renamed
    over the original, so the window in which a concurrent edit can still be lost is that of
    one read and one rename. Symlinks are written through: the file they point at is replaced,
    the link stays a link.
    """
    real = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(real).st_mode)
    directory, name = os.path.split(real)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if expected is not None and read_file(real) != expected:
            raise FileChangedError(f"{shown_path(path)} changed on disk during the run; left as it is now")
        os.replace(tmp, real)
    except BaseException:  # Ctrl-C and SIGTERM (stopping.py) too: never leave the temporary file
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
