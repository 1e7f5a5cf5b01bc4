"""The per-file pipeline with the real engine: pre-filter, encodings kept, failures isolated, pool."""

from __future__ import annotations

import pickle
import stat
from pathlib import Path
from typing import Any

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.errors import ExitCode
from migrate_cli.rewrite import engine
from migrate_cli.rewrite.files import runner
from migrate_cli.rewrite.files import source_files as files
from migrate_cli.rewrite.files.runner import Failure, Outcome, RunResult, run_rewrite
from migrate_cli.rewrite.model import FileResult, RewriteSettings, SourceResult

SETTINGS = RewriteSettings(target=resolve_target())
FAKE_KEY = "sk-test" + "0123456789abcdefABCDEF" * 2  # shaped like a key, clearly not one

CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"


def write(path: Path, content: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return str(path)


def run(paths: list[str], *, write: bool = True, jobs: int = 1) -> dict[str, Outcome]:
    result = run_rewrite(paths, SETTINGS, write=write, jobs=jobs)
    return {Path(o.result.path).name: o for o in result.outcomes}


def test_files_without_the_needles_are_never_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = []
    real = engine.rewrite_source

    def recording(code: str, settings: RewriteSettings) -> SourceResult:
        parsed.append(code)
        return real(code, settings)

    monkeypatch.setattr(engine, "rewrite_source", recording)
    plain = write(tmp_path / "plain.py", "def broken(:\n")  # would be a parse error if parsed
    client = write(tmp_path / "client.py", "import openai\ndef broken(:\n")
    outcomes = run([plain, client])
    assert outcomes["plain.py"].result == FileResult(plain, "unchanged")
    assert outcomes["client.py"].result.status == "error"
    assert "cannot parse" in (outcomes["client.py"].result.error or "")
    assert outcomes["client.py"].failure is Failure.INPUT
    assert parsed == ["import openai\ndef broken(:\n"]


def test_rewrite_keeps_latin1_bytes_and_cookie(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n# Zoë's client\n" + CLIENT
    path = write(tmp_path / "latin.py", source.encode("latin-1"))
    assert run([path])["latin.py"].result.status == "changed"
    data = Path(path).read_bytes()
    assert data.startswith("# -*- coding: latin-1 -*-\n# Zoë's client\n".encode("latin-1"))
    assert 'base_url="https://api.vmira.ai/v1"' in data.decode("latin-1")


def test_rewrite_keeps_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.py", b"\xef\xbb\xbf" + CLIENT.encode())
    assert run([path])["bom.py"].result.status == "changed"
    data = Path(path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert b"from openai import OpenAI\n" in data and b"api.vmira.ai" in data


def test_rewrite_keeps_crlf_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path / "crlf.py", CLIENT.replace("\n", "\r\n"))
    outcome = run([path])["crlf.py"]
    data = Path(path).read_bytes()
    assert outcome.result.status == "changed" and b"import os\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert "\r" not in outcome.result.diff


def test_rewrite_keeps_the_file_mode(tmp_path: Path) -> None:
    path = write(tmp_path / "script.py", "#!/usr/bin/env python\n" + CLIENT)
    Path(path).chmod(0o755)
    run([path])
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o755


def test_dry_run_writes_nothing_but_reports_the_diff(tmp_path: Path) -> None:
    path = write(tmp_path / "app.py", CLIENT)
    before = Path(path).read_bytes()
    outcome = run([path], write=False)["app.py"]
    assert Path(path).read_bytes() == before
    assert outcome.result.status == "changed"
    shown = str(path).lstrip("/")
    assert outcome.result.diff.startswith(f"--- a/{shown}\n+++ b/{shown}\n")


def test_undecodable_file_is_an_error_and_left_alone(tmp_path: Path) -> None:
    data = "import openai\nname = 'Zoë'\n".encode("latin-1")
    path = write(tmp_path / "legacy.py", data)
    outcome = run([path])["legacy.py"]
    assert outcome.failure is Failure.INPUT
    assert "cannot decode: not valid utf-8 at line 2" in (outcome.result.error or "")
    assert Path(path).read_bytes() == data


def test_an_engine_crash_is_one_files_error_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine.rewrite_source

    def crash_on_marker(code: str, settings: RewriteSettings) -> SourceResult:
        if "CRASH" in code:
            raise ValueError(f"unexpected node\n\n  {FAKE_KEY}\n  ^")
        return real(code, settings)

    monkeypatch.setattr(engine, "rewrite_source", crash_on_marker)
    bad = write(tmp_path / "bad.py", "# CRASH\n" + CLIENT)
    good = write(tmp_path / "good.py", CLIENT)
    result = run_rewrite([bad, good], SETTINGS, write=True)
    by_name = {Path(o.result.path).name: o for o in result.outcomes}
    # One line, and a key the message happens to quote is redacted.
    assert by_name["bad.py"].result.error == "internal error: ValueError: unexpected node sk-…REDACTED ^"
    assert by_name["bad.py"].failure is Failure.INTERNAL
    assert Path(bad).read_text() == "# CRASH\n" + CLIENT
    assert by_name["good.py"].result.status == "changed"
    assert result.exit_code(check=False) is ExitCode.FAILURE


def test_a_failed_write_is_reported_and_the_file_is_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str, data: bytes, *, expected: bytes | None = None) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "write_atomic", refuse)
    path = write(tmp_path / "ro.py", CLIENT)
    outcome = run([path])["ro.py"]
    assert outcome.result.error == "cannot write: Permission denied"
    assert outcome.failure is Failure.WRITE
    assert Path(path).read_text() == CLIENT


def test_hard_coded_key_never_leaves_the_worker(tmp_path: Path) -> None:
    source = f'from openai import OpenAI\nclient = OpenAI(api_key="{FAKE_KEY}")\n'
    path = write(tmp_path / "leak.py", source)
    outcome = run([path], write=False)["leak.py"]
    assert outcome.result.status == "changed" and outcome.result.security
    assert FAKE_KEY.encode() not in pickle.dumps(outcome)
    assert FAKE_KEY[8:].encode() not in pickle.dumps(outcome)


@pytest.mark.parametrize("workers_prefilter", [False, True], ids=["parent-prefilters", "workers-prefilter"])
def test_pool_gives_the_same_results_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers_prefilter: bool
) -> None:
    if workers_prefilter:  # the big-tree mode, without writing hundreds of files
        monkeypatch.setattr(runner, "MIN_FILES_TO_SHARE_PREFILTER", 8)
    paths = [
        write(tmp_path / f"m{i:02}.py", CLIENT if i % 3 else f'import openai\nopenai.api_key = "{FAKE_KEY}"\n')
        for i in range(runner.MIN_FILES_FOR_POOL + 4)
    ]
    paths.append(write(tmp_path / "broken.py", "import openai\nx = (\n"))
    paths.append(write(tmp_path / "plain.py", "def broken(:\n"))  # no needle: never parsed
    serial = run_rewrite(paths, SETTINGS, write=False, jobs=1)
    pooled = []
    real_in_pool = runner._in_pool

    def counting(task: runner._Task, ps: list[str], *rest: Any) -> None:
        pooled.append(len(ps))
        real_in_pool(task, ps, *rest)

    monkeypatch.setattr(runner, "_in_pool", counting)
    parallel = run_rewrite(paths, SETTINGS, write=False, jobs=2)
    # Workers got every file in the big-tree mode, only the pre-filter's candidates otherwise.
    assert pooled == [len(paths) if workers_prefilter else len(paths) - 1]
    assert parallel == serial
    assert [o.result.path for o in parallel.outcomes] == paths
    statuses = [o.result.status for o in parallel.outcomes]
    assert statuses == ["changed"] * (len(paths) - 2) + ["error", "unchanged"]
    assert FAKE_KEY not in repr(parallel)


@pytest.mark.parametrize("workers_prefilter", [False, True], ids=["parent-prefilters", "workers-prefilter"])
def test_pool_writes_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers_prefilter: bool) -> None:
    if workers_prefilter:
        monkeypatch.setattr(runner, "MIN_FILES_TO_SHARE_PREFILTER", 8)
    paths = [write(tmp_path / f"m{i:02}.py", CLIENT) for i in range(runner.MIN_FILES_FOR_POOL)]
    run_rewrite(paths, SETTINGS, write=True, jobs=2)
    assert all("api.vmira.ai" in Path(p).read_text() for p in paths)
    second = run_rewrite(paths, SETTINGS, write=True, jobs=2)
    assert {o.result.status for o in second.outcomes} == {"unchanged"}


def _outcome(status: str, failure: Failure | None = None) -> Outcome:
    return Outcome(FileResult("x.py", status), failure)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcomes", "check", "expected"),
    [
        ([_outcome("unchanged")], True, ExitCode.OK),
        ([_outcome("changed")], False, ExitCode.OK),
        ([_outcome("changed")], True, ExitCode.CHANGES),
        ([_outcome("changed"), _outcome("error", Failure.INPUT)], True, ExitCode.USAGE),
        ([_outcome("error", Failure.INPUT), _outcome("error", Failure.WRITE)], False, ExitCode.FAILURE),
        ([_outcome("error", Failure.INTERNAL)], True, ExitCode.FAILURE),
    ],
)
def test_exit_code_worst_outcome_wins(outcomes: list[Outcome], check: bool, expected: ExitCode) -> None:
    assert RunResult(tuple(outcomes), dry=check).exit_code(check=check) is expected


def test_the_target_keys_value_is_redacted_from_diff_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not shaped like a key, so only knowing the env var's value can catch it.
    monkeypatch.setenv("MIRA_API_KEY", "correct-horse-battery")
    source = "from openai import OpenAI\n# staging uses correct-horse-battery\nclient = OpenAI()\n"
    path = write(tmp_path / "ctx.py", source)
    outcome = run([path], write=False)["ctx.py"]
    assert outcome.result.status == "changed"
    assert " # staging uses …REDACTED\n" in outcome.result.diff  # the mask keeps no character of the key
    assert "correct-horse-battery" not in repr(outcome)
