"""`migrate rewrite` end to end, with the real engine, through Typer's CliRunner and a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from migrate_cli.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAKE_KEY = "sk-proj-FAKE0000EXAMPLE0000KEY0000NOTREAL"  # the one in examples/app/nightly_digest.py
CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A fresh copy of examples/app to run on."""
    dest = tmp_path / "app"
    shutil.copytree(EXAMPLES / "app", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def migrate(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["rewrite", *map(str, args)])


def test_dry_run_prints_the_diff_and_leaves_the_tree_byte_identical(tree: Path) -> None:
    before = snapshot(tree)
    result = migrate(tree, "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(tree) == before
    shown = str(tree).lstrip("/")  # an absolute path, shown as git shows it
    assert f"--- a/{shown}/clients.py\n+++ b/{shown}/clients.py\n" in result.stdout
    assert '+        base_url="https://api.vmira.ai/v1",' in result.stdout
    assert result.stderr.splitlines()[0] == ("Target: vmira https://api.vmira.ai/v1 (key from $MIRA_API_KEY; default)")
    assert result.stderr.splitlines()[-1] == (
        "3 files would be rewritten, 4 sites to review, 1 hard-coded key (7 files scanned; dry run: nothing written)"
    )


def test_check_exits_1_while_changes_are_pending_and_0_after_a_real_run(tree: Path) -> None:
    before = snapshot(tree)
    pending = migrate(tree, "--check")
    assert pending.exit_code == 1
    assert snapshot(tree) == before
    assert f"would rewrite {tree}/service.py (1 change: MC001)" in pending.stderr.splitlines()
    assert pending.stdout == ""

    assert migrate(tree).exit_code == 0
    done = migrate(tree, "--check")
    assert done.exit_code == 0, done.output
    assert "0 files would be rewritten" in done.stderr


def test_a_second_run_changes_nothing(tree: Path) -> None:
    assert migrate(tree).exit_code == 0
    after_first = snapshot(tree)
    second = migrate(tree)
    assert second.exit_code == 0
    assert snapshot(tree) == after_first
    assert "0 files rewritten" in second.stderr


def test_rewrite_of_examples_app_equals_the_committed_expected_copy(tree: Path) -> None:
    assert migrate(tree).exit_code == 0
    expected_root = EXAMPLES / "app.expected"
    expected = {p.relative_to(expected_root).as_posix(): p.read_bytes() for p in expected_root.rglob("*.py")}
    actual = {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*.py")}
    assert actual.keys() == expected.keys()
    for name, content in expected.items():
        assert actual[name] == content, f"{name} differs from examples/app.expected/{name}"


def test_json_schema(tree: Path) -> None:
    result = migrate(tree, "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # exactly one object: anything else on stdout fails here
    assert result.stderr == ""
    assert {"target", "changed", "review", "security", "errors", "files", "summary", "dry_run", "check"} <= data.keys()
    assert data["target"] == {"base_url": "https://api.vmira.ai/v1", "api_key_env": "MIRA_API_KEY", "provider": "vmira"}
    assert data["dry_run"] is True and data["check"] is False
    assert sorted(data["changed"]) == [f"{tree}/{n}.py" for n in ("clients", "nightly_digest", "service")]
    for item in data["review"]:
        assert set(item) == {"path", "line", "rule", "reason"}
        assert isinstance(item["line"], int) and item["reason"]
    assert {(Path(i["path"]).name, i["line"]) for i in data["review"]} == {
        ("clients.py", 26),
        ("local_dev.py", 5),
        ("nightly_digest.py", 17),  # MC004: unmapped OpenAI model ids
        ("service.py", 17),
    }
    assert [(Path(s["path"]).name, s["line"], s["rule"]) for s in data["security"]] == [
        ("nightly_digest.py", 11, "MC002")
    ]
    assert data["errors"] == []
    for entry in data["files"]:
        assert entry["status"] in {"changed", "unchanged", "error"}
        assert isinstance(entry["diff"], str)
        for change in entry["changes"]:
            assert set(change) == {"rule", "line", "message"} and isinstance(change["line"], int)
    assert data["summary"]["files_scanned"] == 7 and data["summary"]["files_changed"] == 3


def test_json_with_check_reports_and_exits_1(tree: Path) -> None:
    result = migrate(tree, "--json", "--check")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["check"] is True and data["exit_code"] == 1 and len(data["changed"]) == 3


def test_a_syntax_error_file_is_reported_and_the_rest_is_rewritten(tree: Path) -> None:
    broken = tree / "broken.py"
    broken.write_bytes(b"import openai\n\ndef half_written(:\n")
    result = migrate(tree)
    assert result.exit_code == 2
    assert broken.read_bytes() == b"import openai\n\ndef half_written(:\n"
    assert "api.vmira.ai" in (tree / "service.py").read_text()
    assert f"  {broken}: cannot parse: invalid syntax (line 3)" in result.stderr.splitlines()
    assert "1 file could not be parsed" in result.stderr.splitlines()[-1]


def test_an_undecodable_file_is_an_error_left_untouched(tree: Path) -> None:
    legacy = tree / "legacy.py"
    legacy.write_bytes("import openai\nname = 'Zoë'\n".encode("latin-1"))
    result = migrate(tree, "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["errors"] == [
        {
            "path": str(legacy),
            "message": "cannot decode: not valid utf-8 at line 2 (byte offset 24) "
            "(add a '# -*- coding: ...' line if it is not UTF-8)",
        }
    ]
    assert legacy.read_bytes() == "import openai\nname = 'Zoë'\n".encode("latin-1")


def test_the_hard_coded_key_never_appears_in_any_output(tree: Path) -> None:
    outputs = [
        migrate(tree, "--dry-run"),
        migrate(tree, "--json", "--dry-run"),
        migrate(tree, "--check"),
        migrate(tree),
    ]
    for result in outputs:
        assert FAKE_KEY not in result.stdout + result.stderr
        assert FAKE_KEY[8:24] not in result.stdout + result.stderr
    assert FAKE_KEY not in (tree / "nightly_digest.py").read_text()
    assert "sk-…REDACTED" in outputs[0].stdout


def test_missing_path_is_exit_2_with_a_clear_message(tmp_path: Path) -> None:
    result = migrate(tmp_path / "nope")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[0] == f"error: no such file or directory: {tmp_path / 'nope'}"
    no_path = CliRunner().invoke(app, ["rewrite", "--dry-run"])
    assert no_path.exit_code == 2 and "Missing argument 'PATH'" in no_path.stderr


def test_include_and_exclude_from_config_and_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.migrate]\nexclude = ["legacy/"]\n')
    for rel in ("src/app.py", "src/legacy/old.py", "src/tests/test_app.py", "src/gui.pyw"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(CLIENT)
    monkeypatch.chdir(tmp_path)
    result = migrate("src", "--exclude", "tests/", "--include", "*.pyw", "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changed"] == ["src/app.py", "src/gui.pyw"]


def test_bad_config_globs_are_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "migrate.toml").write_text("include = [1, 2]\n")
    (tmp_path / "a.py").write_text(CLIENT)
    monkeypatch.chdir(tmp_path)
    result = migrate("a.py")
    assert result.exit_code == 2
    assert "'include' must be a list of glob strings" in result.stderr
    assert (tmp_path / "a.py").read_text() == CLIENT


def test_base_url_and_key_env_flags_pick_the_target(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CLIENT)
    result = migrate(tmp_path, "--base-url", "http://127.0.0.1:9/v1", "--api-key-env", "LOCAL_LLM_KEY")
    assert result.exit_code == 0, result.output
    assert (
        'OpenAI(api_key=os.environ["LOCAL_LLM_KEY"], base_url="http://127.0.0.1:9/v1")'
        in (tmp_path / "a.py").read_text()
    )
    assert result.stderr.startswith("Target: http://127.0.0.1:9/v1 (key from $LOCAL_LLM_KEY; command line)")


# --- a real process ---------------------------------------------------------------------------


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_subprocess_dry_run_pipes_a_plain_diff_that_applies(tree: Path) -> None:
    # The hunk that removes the hard-coded key is redacted, so by design it cannot apply.
    (tree / "nightly_digest.py").unlink()
    before = snapshot(tree)
    proc = run_cli("app", "--dry-run", cwd=tree.parent)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(tree) == before
    assert "\x1b[" not in proc.stdout  # piped: no colour codes
    assert proc.stdout.startswith("--- a/app/clients.py\n+++ b/app/clients.py\n")
    assert proc.stderr.startswith("Target: vmira https://api.vmira.ai/v1")
    if shutil.which("patch"):
        subprocess.run(["patch", "-p1", "--quiet"], input=proc.stdout, text=True, cwd=tree.parent, check=True)
        expected = snapshot(EXAMPLES / "app.expected")
        del expected["nightly_digest.py"]
        assert snapshot(tree) == expected


def test_subprocess_check_and_exit_codes(tree: Path) -> None:
    assert run_cli(tree, "--check").returncode == 1
    assert run_cli(tree, "--jobs", "2").returncode == 0
    assert run_cli(tree, "--check").returncode == 0
    assert run_cli(tree / "missing.py").returncode == 2


IMPORT_CHECK = r"""
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
import openai
from app import clients, nightly_digest, service
seen = {}
url = lambda client: str(client.base_url).rstrip("/")
sync = clients.get_client()
seen["get_client"] = (url(sync), sync.api_key)
lam = clients.default_client_factory()
seen["default_client_factory"] = (url(lam), lam.api_key)
tenant = clients.client_for_tenant("tenant-key")
seen["client_for_tenant"] = (url(tenant), tenant.api_key)
summarizer = service.Summarizer()
seen["Summarizer"] = (url(summarizer.client), summarizer.client.api_key)
module_client = openai._load_client()
seen["openai module client"] = (url(module_client), module_client.api_key)
print(json.dumps(seen))
"""


def test_rewritten_code_builds_clients_that_point_at_the_target(tree: Path) -> None:
    """Import the rewritten app with only the target's key set: every client must use it."""
    assert migrate(tree).exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["MIRA_API_KEY"] = "mira-test-key"
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK, str(tree.parent)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    target = ["https://api.vmira.ai/v1", "mira-test-key"]
    assert seen == {
        "get_client": target,
        "default_client_factory": target,
        # The tenant's own key decides where it may go: that client stays on OpenAI (reviewed).
        "client_for_tenant": ["https://api.openai.com/v1", "tenant-key"],
        "Summarizer": target,
        "openai module client": target,
    }


def test_original_code_would_not_have_pointed_at_the_target(tree: Path) -> None:
    """The control for the test above: the same import on the untouched app talks to OpenAI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["OPENAI_API_KEY"] = "openai-test-key"
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK, str(tree.parent)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["get_client"] == ["https://api.openai.com/v1", "openai-test-key"]


def test_a_diff_whose_keys_are_placeholders_applies_with_git_apply(tmp_path: Path) -> None:
    """`OPENAI_API_KEY=test` in the shell and `api_key="test"` in the code are no secrets: masking
    them would garble an unrelated URL and the diff's context lines, and the patch would not apply."""
    app_dir = tmp_path / "repo"
    app_dir.mkdir()
    before = (
        "from openai import OpenAI\n\n"
        'DOCS = "https://example.com/test/page"\n'
        'client = OpenAI(api_key="test")\n'
        'local = OpenAI(api_key="your-api-key-here")\n'
    )
    (app_dir / "app.py").write_text(before)
    env = {**os.environ, "OPENAI_API_KEY": "test", "MIRA_API_KEY": "EMPTY"}
    proc = subprocess.run(
        [sys.executable, "-m", "migrate_cli", "rewrite", ".", "--dry-run"],
        capture_output=True,
        text=True,
        cwd=app_dir,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "REDACTED" not in proc.stdout
    assert ' DOCS = "https://example.com/test/page"\n' in proc.stdout  # the context line as it is
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q"], cwd=app_dir, check=True)
    subprocess.run([git, "apply"], input=proc.stdout, text=True, cwd=app_dir, check=True)
    assert (app_dir / "app.py").read_text() == (
        "import os\n"
        "from openai import OpenAI\n\n"
        'DOCS = "https://example.com/test/page"\n'
        'client = OpenAI(api_key=os.environ.get("MIRA_API_KEY", "test"), base_url="https://api.vmira.ai/v1")\n'
        'local = OpenAI(api_key=os.environ.get("MIRA_API_KEY", "your-api-key-here"), base_url="https://api.vmira.ai/v1")\n'
    )


def test_a_target_url_with_a_password_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    result = migrate(tmp_path, "--base-url", "https://bob:hunter22@proxy.example/v1", "--api-key-env", "PROXY_KEY")
    assert result.exit_code == 2
    assert "hunter22" not in result.output
    assert "error: the target URL https://bob:…REDACTED@proxy.example/v1 carries a password" in result.output
    assert (tmp_path / "app.py").read_text() == "from openai import OpenAI\nclient = OpenAI()\n"
