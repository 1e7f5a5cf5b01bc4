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

DEFAULT_INCLUDE = ("*.py", "*.ipynb")
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_include", pathspec.GitIgnoreSpec.from_lines(self.include))
        object.__setattr__(self, "_exclude", pathspec.GitIgnoreSpec.from_lines(self.exclude))
        object.__setattr__(self, "_unignore", pathspec.GitIgnoreSpec.from_lines(self.unignore))

    def wants_file(self, rel: str) -> bool:
        return bool(self._include.match_file(rel)) and not self._exclude.match_file(rel)  # type: ignore[attr-defined]

    def wants_dir(self, rel: str) -> bool:
        return not self._exclude.match_file(rel + "/")  # type: ignore[attr-defined]

    def overrides_ignore(self, rel: str) -> bool:
        return bool(self.unignore) and bool(self._unignore.match_file(rel))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Discovery:
    """The files to process, in a stable order, and the places that could not be listed."""

    files: tuple[str, ...]
    #: (path, message) for directories that could not be read; reported, never fatal.
    errors: tuple[tuple[str, str], ...] = ()


def discover(paths: Sequence[str], file_filter: FileFilter = FileFilter()) -> Discovery:
    """List the files under `paths`, sorted, each once. Raises UsageError if a PATH does not exist."""
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        listed = ", ".join(missing)
        raise UsageError(f"no such file or directory: {listed}", hint="pass files or directories that exist")
    found: dict[str, str] = {}  # real path -> path as shown
    errors: list[tuple[str, str]] = []
    for arg in paths:
        if os.path.isdir(arg):
            walker = _Walker(arg, file_filter, errors)
            # The walk follows no links, so a file's real path is its root's plus the walked part:
            # no realpath() (one lstat per path component) per file.
            real_root = os.path.realpath(arg)
            for shown in walker.files():
                rel = shown if walker.root == os.curdir else shown[len(walker.root) :].lstrip(os.sep)
                found.setdefault(os.path.join(real_root, rel), shown)
        else:
            found.setdefault(os.path.realpath(arg), os.path.normpath(arg))
    return Discovery(files=tuple(sorted(set(found.values()))), errors=tuple(errors))


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
            elif entry.is_file():
                if self.file_filter.wants_file(rel) and (
                    not _ignored(rules, rel_anchor + entry.name) or self.file_filter.overrides_ignore(rel)
                ):
                    yield path

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
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
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
class Stamp:
    """Enough of a file's stat to notice that someone changed it while we were working."""

    mtime_ns: int
    size: int
    mode: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stamp:
        return cls(st.st_mtime_ns, st.st_size, stat.S_IMODE(st.st_mode))


@dataclass(frozen=True)
class SourceText:
    text: str
    #: The codec that reproduces the file's bytes: "utf-8-sig" when there is a BOM.
    encoding: str


def read_file(path: str) -> tuple[bytes, Stamp]:
    with open(path, "rb") as fh:
        data = fh.read()
        return data, Stamp.of(os.fstat(fh.fileno()))


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


def write_atomic(path: str, data: bytes, *, expected: Stamp | None = None) -> None:
    """Replace `path`'s content with `data` in one step, keeping its permission bits.

    The new content goes to a temporary file next to the original (same filesystem, so the
    rename is atomic), is flushed to disk, then renamed over the original. Symlinks are written
    through: the file they point at is replaced, the link stays a link.
    """
    real = os.path.realpath(path)
    current = Stamp.of(os.stat(real))
    if expected is not None and (current.mtime_ns, current.size) != (expected.mtime_ns, expected.size):
        raise FileChangedError(f"{path} changed on disk during the run; left as it is now")
    directory, name = os.path.split(real)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".migrate-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, current.mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
