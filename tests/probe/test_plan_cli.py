"""`migrate plan` end to end: the code's features joined with the probe's verdicts, with the real
openai SDK over real HTTP against the probe tests' fake provider, set per feature to accept,
ignore, reject or confuse it. Exit codes, --probe reuse, the Markdown report, keys never shown."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from probe_server import KEY, MODEL, ProbeProvider
from typer.testing import CliRunner

from migrate_cli.features import FEATURE_NAMES

KEY_ENV = "PLAN_TARGET_KEY"
TOOLS = '[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]'

# One call per feature, as code writes it (line 4 of app.py, after the HEAD lines).
USES = {
    "chat": "",
    "stream": "stream=True",
    "stream_usage": 'stream=True, stream_options={"include_usage": True}',
    "tools": f"tools={TOOLS}",
    "tool_choice_required": f'tools={TOOLS}, tool_choice="required"',
    "tool_choice_named": f'tools={TOOLS}, tool_choice={{"type": "function", "function": {{"name": "f"}}}}',
    "parallel_tool_calls": f"tools={TOOLS}, parallel_tool_calls=False",
    "json_object": 'response_format={"type": "json_object"}',
    "json_schema": 'response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}',
    "seed": "seed=7",
    "n": "n=2",
    "logprobs": "logprobs=True",
    "stop": 'stop=["5"]',
    "max_tokens": "max_tokens=5",
    "max_completion_tokens": "max_completion_tokens=5",
}
HEAD = "from openai import OpenAI\n\nclient = OpenAI()\n"
# A mode of the fake provider that leaves the probe unable to decide, per feature.
UNDECIDABLE = {
    "stream": "cut",
    "stream_usage": "cut",
    "tools": "mute",
    "tool_choice_required": "cut",
    "tool_choice_named": "cut",
    "parallel_tool_calls": "one_call",
    "json_object": "cut",
    "json_schema": "cut",
    "seed": "repeat",
    "n": "malformed",
    "logprobs": "cut",
    "stop": "mute",
    "max_tokens": "mute",
    "max_completion_tokens": "mute",
    "embeddings": "malformed",
    "responses": "malformed",
}


def code_using(feature: str) -> str:
    if feature == "embeddings":
        return HEAD + 'client.embeddings.create(model="text-embedding-3-small", input="x")\n'
    if feature == "responses":
        return HEAD + 'client.responses.create(model="gpt-5", input="x")\n'
    return HEAD + f'client.chat.completions.create(model="gpt-4o", messages=[], {USES[feature]})\n'


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def item(self, feature: str) -> dict[str, Any]:
        return next(i for i in self.document["items"] if i["feature"] == feature)


def run(*args: str) -> Result:
    from migrate_cli.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def plan(provider: ProbeProvider, *extra: str) -> Result:
    return run("plan", "app.py", "--base-url", provider.url, "--api-key-env", KEY_ENV, "--model", MODEL, *extra)


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)


def _cases() -> list[tuple[str, str, str, int]]:
    cases: list[tuple[str, str, str, int]] = []
    for feature in FEATURE_NAMES:
        cases.append((feature, "accept", "accepted", 0))
        # A refused plain chat request leaves nothing probed: a provider failure, as in probe.
        cases.append((feature, "reject", "rejected", 3 if feature == "chat" else 1))
        if feature not in ("chat", "embeddings", "responses"):  # an endpoint is not half-served
            cases.append((feature, "ignore", "ignored", 1))
        if feature in UNDECIDABLE:
            cases.append((feature, UNDECIDABLE[feature], "unknown", 0))
    return cases


@pytest.mark.parametrize(("feature", "mode", "verdict", "exit_code"), _cases(), ids=str)
def test_every_verdict_of_every_feature_reaches_the_plan_and_its_exit_code(
    provider: ProbeProvider, workdir: Path, keyed: None, feature: str, mode: str, verdict: str, exit_code: int
) -> None:
    (workdir / "app.py").write_text(code_using(feature))
    provider.behaviour[feature] = mode
    result = plan(provider, "--json", "--embedding-model", MODEL)

    assert result.exit_code == exit_code, result.stderr
    if exit_code == 3:
        assert result.stdout == ""
        assert "the plain chat request" in result.stderr
        return
    item = result.item(feature)
    assert item["verdict"] == verdict
    assert item["sites"] == [{"path": "app.py", "line": 4}]
    assert item["probed"] is True and item["evidence"]
    assert result.document["exit_code"] == exit_code


def test_only_the_features_the_code_uses_are_probed(provider: ProbeProvider, workdir: Path, keyed: None) -> None:
    (workdir / "app.py").write_text(code_using("n"))
    result = plan(provider, "--json")

    assert [i["feature"] for i in result.document["items"]] == ["chat", "n"]
    bodies = [r.body for r in provider.chat_requests()]
    assert bodies and all(set(body) <= {"model", "messages", "max_tokens", "n"} for body in bodies)
    assert not [r for r in provider.requests if r.path in ("/v1/embeddings", "/v1/responses")]


def test_a_saved_probe_is_reused_and_nothing_is_sent(provider: ProbeProvider, workdir: Path, keyed: None) -> None:
    provider.behaviour.update({"seed": "ignore", "tools": "reject"})
    saved = run("probe", "--base-url", provider.url, "--api-key-env", KEY_ENV, "--model", MODEL, "--save", "probe.json")
    assert saved.exit_code == 0, saved.stderr
    sent = len(provider.requests)
    (workdir / "app.py").write_text(code_using("seed") + code_using("tools").replace(HEAD, ""))

    result = run("plan", "app.py", "--probe", "probe.json", "--json")

    assert len(provider.requests) == sent
    assert [(i["feature"], i["verdict"]) for i in result.document["items"]] == [
        ("chat", "accepted"),
        ("tools", "rejected"),
        ("seed", "ignored"),
    ]
    assert result.item("tools")["evidence"] == "HTTP 400: Unrecognized request argument supplied: tools"
    assert result.exit_code == 1
    assert "probe: probe.json (probe-model at " in result.stderr


def test_a_feature_the_saved_probe_never_checked_is_unknown_and_fails(
    provider: ProbeProvider, workdir: Path, keyed: None
) -> None:
    run("probe", "--base-url", provider.url, "--api-key-env", KEY_ENV, "--model", MODEL, "--only", "chat",
        "--save", "probe.json")  # fmt: skip
    (workdir / "app.py").write_text(code_using("logprobs"))

    result = run("plan", "app.py", "--probe", "probe.json", "--json")

    assert result.exit_code == 1
    item = result.item("logprobs")
    assert (item["verdict"], item["probed"]) == ("unknown", False)
    assert item["evidence"].startswith("not probed: probe.json has no verdict for logprobs")
    assert result.item("chat")["verdict"] == "accepted"


def test_the_checklist_and_the_markdown_report(provider: ProbeProvider, workdir: Path, keyed: None) -> None:
    provider.behaviour.update({"n": "ignore", "stop": "mute"})
    (workdir / "app.py").write_text(
        code_using("n")
        + 'client.chat.completions.create(model="gpt-4o", messages=[], stop=["5"])\n'
        + 'client.files.create(file=b"", purpose="batch")\n'
        + "def f(opts):\n    client.chat.completions.create(**opts)\n"
    )
    result = plan(provider, "--report", "plan.md")

    assert result.exit_code == 1
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "[ ok] chat accepted 3 site(s): app.py:4, app.py:5, app.py:8" in lines
    assert "[FIX] n ignored 1 site(s): app.py:4" in lines
    assert "asked for n=2, got 1 choice" in result.stdout
    assert "[ ?] stop unknown 1 site(s): app.py:5" in lines
    assert "no probe checks these endpoints; test them on the target by hand: files.create (1)" in result.stdout
    assert "3 feature(s) used: 1 accepted, 1 ignored, 1 unknown; 1 to fix before switching" in lines
    report = (workdir / "plan.md").read_text()
    assert report.startswith("## `migrate plan`\n\nTarget: http://127.0.0.1:")
    assert "- [x] `chat`: accepted, 3 site(s)\n" in report
    assert "- [ ] `n`: **ignored**, 1 site(s)\n  - evidence: asked for n=2, got 1 choice" in report
    assert "  - sites: `app.py:4`\n" in report
    assert "- [ ] `stop`: unknown, 1 site(s)\n" in report
    assert "> note: 1 call(s) pass values the scan could not read" in report
    assert "report: plan.md" in result.stderr


def test_code_without_api_calls_needs_no_probe_and_passes(provider: ProbeProvider, workdir: Path, keyed: None) -> None:
    (workdir / "app.py").write_text(HEAD)
    result = plan(provider, "--json")

    assert result.exit_code == 0
    assert result.document == {"items": [], "unchecked_calls": [], "unread_calls": [], "exit_code": 0}
    assert provider.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("app.py",), "--model is required to probe the target"),
        (("missing.py", "--model", "m"), "no such file or directory: missing.py"),
        (("app.py", "--probe", "nope.json"), "cannot read the saved probe nope.json"),
        (("app.py", "--probe", "app.py"), "app.py is not a saved probe"),
        (("app.py", "--model", "m", "--report", "no/such/dir/plan.md"), "the folder no/such/dir does not exist"),
    ],
)
def test_bad_usage_is_one_line_exit_2_and_sends_nothing(
    provider: ProbeProvider, workdir: Path, keyed: None, args: tuple[str, ...], message: str
) -> None:
    (workdir / "app.py").write_text(code_using("seed"))
    result = run("plan", *args, "--base-url", provider.url, "--api-key-env", KEY_ENV)

    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error, and at most its hint
    assert provider.requests == []


def test_an_unset_key_is_exit_2_and_a_dead_host_exit_3(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "app.py").write_text(code_using("seed"))
    unset = run("plan", "app.py", "--base-url", "http://127.0.0.1:9/v1", "--api-key-env", KEY_ENV, "--model", "m")
    monkeypatch.setenv(KEY_ENV, KEY)
    dead = run("plan", "app.py", "--base-url", "http://127.0.0.1:9/v1", "--api-key-env", KEY_ENV, "--model", "m")

    assert unset.exit_code == 2 and KEY_ENV in unset.stderr
    assert dead.exit_code == 3 and dead.stdout == ""
    assert "Traceback" not in dead.stderr


KEYS = {
    "hex64": "0123456789abcdef" * 4,
    "groq": "gsk_" + "Q" * 48,
    "xai": "xai-" + "z9" * 30,
    "short": "k3y!",
}


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_keys_of_every_shape_never_reach_any_output(workdir: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv(KEY_ENV, key)
    (workdir / "app.py").write_text(code_using("tools") + f'BAD = "{key}"\n')
    # A careless provider quotes the key in its refusal: the evidence must not.
    with ProbeProvider({"tools": "reject"}, api_key=key, echo_key=True) as provider:
        result = plan(provider, "--report", "plan.md", "--json")
        saved = run("probe", "--base-url", provider.url, "--api-key-env", KEY_ENV, "--model", MODEL,
                    "--only", "tools", "--save", "probe.json")  # fmt: skip
        reused = run("plan", "app.py", "--probe", "probe.json", "--report", "again.md")

    assert result.exit_code == 1 and saved.exit_code == 0 and reused.exit_code == 1
    assert "request made with" in result.item("tools")["evidence"]  # the refusal is quoted, redacted
    for text in (result.stdout, result.stderr, reused.stdout, reused.stderr):
        assert key not in text
    for written in workdir.glob("*.md"):
        assert key not in written.read_text()
