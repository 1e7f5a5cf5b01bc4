"""Discovery (ignore rules, skipped dirs, globs, explicit files) and byte-exact reads and writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from migrate_cli.errors import UsageError
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.source_files import FileFilter, discover


def make_tree(root: Path, layout: dict[str, str]) -> None:
    for rel, content in layout.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def found(root: Path, *args: str, file_filter: FileFilter | None = None) -> list[str]:
    """Discovered files as paths relative to `root`, for readable assertions."""
    paths = [str(root / a) if a else str(root) for a in (args or ("",))]
    return [Path(p).relative_to(root).as_posix() for p in discover(paths, file_filter or FileFilter()).files]


# --- discovery ---------------------------------------------------------------------------------


def test_gitignore_at_every_level_with_negation(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "generated/\n*_pb2.py\n",
            "app.py": "",
            "generated/client.py": "",
            "proto/api_pb2.py": "",
            "pkg/.gitignore": "local_*.py\n!local_keep.py\n",
            "pkg/local_secret.py": "",
            "pkg/local_keep.py": "",
            "pkg/mod.py": "",
            "other/local_x.py": "",  # pkg's rules do not reach outside pkg
        },
    )
    assert found(tmp_path) == ["app.py", "other/local_x.py", "pkg/local_keep.py", "pkg/mod.py"]


def test_gitignore_above_the_path_argument_and_git_info_exclude(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".git/info/exclude": "scratch.py\n",
            ".gitignore": "src/vendored/\n",
            "src/app.py": "",
            "src/scratch.py": "",
            "src/vendored/lib.py": "",
        },
    )
    assert found(tmp_path, "src") == ["src/app.py"]


def test_an_ignored_directory_named_explicitly_is_walked(tmp_path: Path) -> None:
    make_tree(tmp_path, {".git/HEAD": "", ".gitignore": "legacy/\n", "legacy/old.py": ""})
    assert found(tmp_path) == []
    assert found(tmp_path, "legacy") == ["legacy/old.py"]


@pytest.mark.parametrize(
    "skipped",
    [
        ".git/hooks/x.py",
        ".hg/x.py",
        "venv/lib/x.py",
        ".venv/lib/x.py",
        "env/lib/x.py",
        "lib/python3.11/site-packages/openai/x.py",
        "web/node_modules/pkg/x.py",
        "pkg/__pycache__/x.py",
        "build/lib/x.py",
        "dist/x.py",
        ".tox/py311/x.py",
        ".nox/tests/x.py",
        ".mypy_cache/x.py",
        "my_pkg.egg-info/x.py",
    ],
)
def test_tool_and_build_directories_are_skipped(tmp_path: Path, skipped: str) -> None:
    make_tree(tmp_path, {"keep.py": "", skipped: ""})
    assert found(tmp_path) == ["keep.py"]


def test_a_virtualenv_under_any_name_is_skipped(tmp_path: Path) -> None:
    make_tree(tmp_path, {"keep.py": "", "py311/pyvenv.cfg": "home = /usr/bin\n", "py311/lib/x.py": ""})
    assert found(tmp_path) == ["keep.py"]


def test_default_include_is_py_and_notebooks(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "", "b.pyi": "", "c.txt": "", "d.pyw": "", "e.ipynb": "{}", ".env": ""})
    assert found(tmp_path) == ["a.py", "e.ipynb"]


def test_include_and_exclude_globs_relative_to_the_path_argument(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "src/a.py": "",
            "src/gui.pyw": "",
            "src/tests/test_a.py": "",
            "src/db/migrations/0001.py": "",
            "src/db/models.py": "",
            "src/deep/er/migrations/0002.py": "",
        },
    )
    file_filter = FileFilter(include=("*.py", "*.pyw"), exclude=("tests/", "**/migrations/*.py"))
    assert found(tmp_path, "src", file_filter=file_filter) == [
        "src/a.py",
        "src/db/models.py",
        "src/gui.pyw",
    ]
    # Anchored: "/a.py" is relative to the PATH argument, not to the file system root.
    assert found(tmp_path, "src", file_filter=FileFilter(exclude=("/a.py",))) == [
        "src/db/migrations/0001.py",
        "src/db/models.py",
        "src/deep/er/migrations/0002.py",
        "src/tests/test_a.py",
    ]


def test_an_explicit_file_is_processed_even_if_ignored(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "gen.py\n", "gen.py": "", "script": "#!/usr/bin/env python\n"})
    assert found(tmp_path) == []
    assert found(tmp_path, "gen.py", "script") == ["gen.py", "script"]


def test_sorted_and_each_file_once(tmp_path: Path) -> None:
    make_tree(tmp_path, {"b/z.py": "", "b/a.py": "", "a.py": "", "C.py": ""})
    assert found(tmp_path, "b", "", "b/a.py") == ["C.py", "a.py", "b/a.py", "b/z.py"]


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    make_tree(tmp_path, {"tree/a.py": "", "outside/b.py": ""})
    (tmp_path / "tree" / "loop").symlink_to(tmp_path / "tree")
    (tmp_path / "tree" / "b.py").symlink_to(tmp_path / "outside" / "b.py")
    assert found(tmp_path, "tree") == ["tree/a.py"]


def test_paths_are_shown_as_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"src/a.py": "", "top.py": ""})
    monkeypatch.chdir(tmp_path)
    assert discover(["."]).files == ("src/a.py", "top.py")
    assert discover(["./src/"]).files == (os.path.join("src", "a.py"),)


def test_missing_path_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": ""})
    with pytest.raises(UsageError, match="no-such-dir"):
        discover([str(tmp_path / "a.py"), str(tmp_path / "no-such-dir")])


# --- reading -----------------------------------------------------------------------------------


def test_decode_latin1_cookie() -> None:
    data = "# -*- coding: latin-1 -*-\nname = 'Zoë'\n".encode("latin-1")
    source = files.decode_source(data)
    assert "Zoë" in source.text
    assert files.encode_source(source.text, source.encoding) == data


def test_decode_utf8_bom_round_trips_with_the_bom() -> None:
    data = "\ufeffimport openai\n".encode("utf-8")
    source = files.decode_source(data)
    assert source.text == "import openai\n"  # the parser gets no BOM character
    assert files.encode_source(source.text, source.encoding) == data


def test_decode_keeps_crlf_and_lone_cr() -> None:
    data = b"a = 1\r\nb = 2\rc = 3\n"
    assert files.decode_source(data).text == "a = 1\r\nb = 2\rc = 3\n"


def test_non_utf8_without_cookie_is_a_decode_error() -> None:
    data = "import openai\nx = 'Zo\u00eb'\n".encode("latin-1")
    with pytest.raises(files.SourceDecodeError, match=r"not valid utf-8 at line 2 \(byte offset 21\).*coding"):
        files.decode_source(data)


def test_unknown_cookie_is_a_decode_error() -> None:
    with pytest.raises(files.SourceDecodeError, match="unknown encoding"):
        files.decode_source(b"# coding: klingon\nx = 1\n")


def test_unencodable_rewrite_is_an_error_not_a_mangled_file() -> None:
    with pytest.raises(files.SourceDecodeError, match="cannot be written in iso-8859-1"):
        files.encode_source("url = 'https://例え.jp'\n", "iso-8859-1")


# --- writing -----------------------------------------------------------------------------------


def test_write_atomic_keeps_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "tool.py"
    target.write_bytes(b"old\n")
    target.chmod(0o751)
    original = files.read_file(str(target))
    files.write_atomic(str(target), b"new\r\n", expected=original)
    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool.py"]


def test_write_atomic_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    files.write_atomic(str(link), b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_crash_mid_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b"original content\n")

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the worst case: not even an Exception

    monkeypatch.setattr(files.os, failing, crash)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(str(target), b"new content that is longer than the old one\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"original content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]


def test_write_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b"v1\n")
    original = files.read_file(str(target))
    target.write_bytes(b"v2 by the editor\n")
    with pytest.raises(files.FileChangedError, match="changed on disk"):
        files.write_atomic(str(target), b"rewritten\n", expected=original)
    assert target.read_bytes() == b"v2 by the editor\n"
