"""`migrate probe` end to end: exit codes, the JSON contract, --dry-run, --save/--compare, and keys
that never leak. The real openai SDK over real HTTP against the fake provider on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from probe_helpers import KEY_ENV, Probe, run_cli
from probe_server import MODEL, ProbeProvider

from migrate_cli.features import FEATURE_NAMES, VERDICTS

STREAMING = {"stream", "stream_usage"}


def test_a_full_probe_prints_the_contract_json(probe: Probe) -> None:
    result = probe("--json")

    assert result.exit_code == 0, result.stderr
    document = result.document
    assert document["target"] == {"provider": None, "base_url": probe.provider.url, "api_key_env": KEY_ENV}
    assert document["model"] == MODEL
    assert document["models"] == {"available": [MODEL], "requested_found": True}
    assert [f["feature"] for f in document["features"]] == list(FEATURE_NAMES)
    assert all(set(f) == {"feature", "verdict", "evidence"} for f in document["features"])
    assert all(f["verdict"] == "accepted" and f["evidence"] for f in document["features"])
    assert document["summary"] == {"accepted": 17, "ignored": 0, "rejected": 0, "unknown": 0}


def test_the_table_shows_each_feature_with_its_verdict_and_evidence(probe: Probe) -> None:
    probe.provider.behaviour.update({"seed": "ignore", "n": "reject", "stop": "mute"})
    result = probe()

    assert result.exit_code == 0
    # A row starts at the left edge; evidence that wraps continues on indented lines.
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:] if line[:1].strip()}
    assert {name: rows[name] for name in ("chat", "seed", "n", "stop")} == {
        "chat": "accepted",
        "seed": "ignored",
        "n": "rejected",
        "stop": "unknown",
    }
    assert set(FEATURE_NAMES) <= set(rows)
    assert "17 feature(s): 14 accepted, 1 ignored, 1 rejected, 1 unknown" in result.stdout
    assert f"target: {probe.provider.url} (key from ${KEY_ENV}; command line)" in result.stderr
    assert "GET /models lists 1 model(s), probe-model among them" in result.stderr


def test_streams_go_last_and_alone_so_a_one_at_a_time_server_cannot_cut_them(probe: Probe) -> None:
    probe("--json", "--concurrency", "8")

    arrivals = probe.provider.arrivals
    # stream, stream_usage, and the two token-limit probes (streamed so they can be cut off).
    assert [streamed for streamed, _ in arrivals][-4:] == [True] * 4
    assert sum(streamed for streamed, _ in arrivals) == 4
    assert [in_flight for streamed, in_flight in arrivals if streamed] == [1] * 4


def test_concurrency_bounds_the_features_in_flight(probe: Probe) -> None:
    # Each request is held until a third arrives (or half a second passes): with two features at a
    # time a third never comes, and one more in flight would show in max_in_flight.
    probe.provider.hold_features = {"n", "logprobs", "json_object", "json_schema"}
    probe.provider.hold_until_in_flight, probe.provider.hold_limit = 3, 0.5
    result = probe("--only", "n,logprobs,json_object,json_schema", "--concurrency", "2", "--json")

    assert result.exit_code == 0
    assert probe.provider.max_in_flight == 2


def test_only_takes_names_and_lists_in_the_contract_order(probe: Probe) -> None:
    result = probe("--only", "stop", "--only", "seed,n", "--json")

    assert [f["feature"] for f in result.document["features"]] == ["seed", "n", "stop"]


# --- --dry-run ----------------------------------------------------------------------------------


def test_dry_run_lists_every_request_and_sends_nothing_even_without_a_key(
    probe: Probe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    result = probe("--dry-run")

    assert result.exit_code == 0, result.stderr
    assert probe.provider.requests == []
    assert "Dry run: 25 request(s) for 17 feature(s), plus GET /models; nothing was sent." in result.stdout
    for feature in FEATURE_NAMES:
        assert f"\n{feature} " in result.stdout
    assert "POST /embeddings" in result.stdout and "POST /responses" in result.stdout


def test_dry_run_json_holds_the_exact_bodies(probe: Probe) -> None:
    result = probe("--dry-run", "--json", "--only", "seed")

    assert probe.provider.requests == []
    document = result.document
    assert document["dry_run"] is True
    assert [(r["role"], r["body"].get("seed"), r["body"].get("temperature")) for r in document["requests"]] == [
        ("seeded", 424242, 1),
        ("seeded", 424242, 1),
        ("unseeded", None, 1),
        ("unseeded", None, 1),
        ("greedy", None, 0),
        ("greedy", None, 0),
    ]
    assert all(r["path"] == "/chat/completions" and r["body"]["max_tokens"] == 48 for r in document["requests"])


# --- exit code 2: bad usage, nothing sent ----------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--only", "sed"), "--only: unknown feature 'sed'. Did you mean 'seed'?"),
        (("--timeout", "0"), "--timeout must be a number of seconds above 0"),
        (("--concurrency", "0"), "--concurrency must be at least 1"),
        (("--max-tokens", "0"), "--max-tokens must be at least 1"),
        (("--compare", "missing.json"), "cannot read the saved probe missing.json"),
        (("--save", "no/such/folder/probe.json"), "the folder no/such/folder does not exist"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_send_nothing(probe: Probe, extra: tuple[str, ...], message: str) -> None:
    result = probe(*extra)

    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert probe.provider.requests == []


def test_a_missing_model_is_bad_usage(provider: ProbeProvider, workdir: Path) -> None:
    result = run_cli("probe", "--base-url", provider.url, "--api-key-env", KEY_ENV)

    assert result.exit_code == 2
    assert "--model is required" in result.stderr
    assert provider.requests == []


def test_an_unset_key_variable_is_bad_usage(probe: Probe, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    result = probe()

    assert result.exit_code == 2
    assert f"${KEY_ENV} is not set" in result.stderr
    assert probe.provider.requests == []


@pytest.mark.parametrize(
    "content", ["{not json", '{"features": {}}', '{"features": [{"feature": "seed", "verdict": "maybe"}]}']
)
def test_a_file_that_is_not_a_saved_probe_is_refused_before_sending(probe: Probe, workdir: Path, content: str) -> None:
    (workdir / "old.json").write_text(content, "utf-8")
    result = probe("--compare", "old.json")

    assert result.exit_code == 2
    assert "old.json" in result.stderr and "Traceback" not in result.stderr
    assert probe.provider.requests == []


# --- exit code 3: the key or the host cannot be used ------------------------------------------------


def test_a_rejected_key_is_one_line_and_exit_3(probe: Probe, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-wrong-key-0123456789abcdefghij")
    result = probe()

    assert result.exit_code == 3
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: candidate ({probe.provider.url}) rejected the API key: check {KEY_ENV}"]
    assert [r.path for r in probe.provider.requests] == ["/v1/models"]


def test_a_key_refused_for_chat_is_one_line_and_exit_3(probe: Probe) -> None:
    probe.provider.fail(403, message="Your plan does not include this model", style="vmira", times=None)
    result = probe("--only", "chat,n")

    assert result.exit_code == 3
    assert result.stdout == ""
    assert (
        f"error: candidate ({probe.provider.url}) refused the request with this API key (HTTP 403: Your plan "
        f"does not include this model): check {KEY_ENV} and its plan or permissions"
    ) in result.stderr
    assert len(probe.provider.chat_requests()) == 1  # nothing after the refused plain chat


def test_a_dead_host_is_one_line_and_exit_3(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(KEY_ENV, "sk-any-key-000000000000000000")
    result = run_cli("probe", "--base-url", f"http://127.0.0.1:{port}/v1", "--api-key-env", KEY_ENV, "--model", "m")

    assert result.exit_code == 3
    assert result.stdout == ""
    assert f"error: candidate (http://127.0.0.1:{port}/v1) is unreachable (cannot connect" in result.stderr
    assert "check the base URL and the network" in result.stderr


def test_a_model_the_provider_does_not_have_fails_the_plain_chat_and_exits_3(probe: Probe) -> None:
    result = run_cli(*[arg if arg != MODEL else "no-such-model" for arg in probe.args("--json")])

    assert result.exit_code == 3
    document = result.document  # what was found is still printed
    assert document["models"] == {"available": [MODEL], "requested_found": False}
    chat = document["features"][0]
    assert chat["verdict"] == "rejected" and "HTTP 404: The model `no-such-model` does not exist" in chat["evidence"]
    assert all(f["verdict"] == "unknown" for f in document["features"][1:15])
    assert "GET /models lists 1 model(s), not no-such-model: probe-model" in result.stderr
    assert "no chat feature could be probed: check --model and the base URL" in result.stderr


def test_a_model_missing_from_models_but_served_is_reported_not_fatal(workdir: Path, monkeypatch) -> None:
    from server import Reply

    with ProbeProvider(models=("listed-model",), default=Reply()) as provider:
        monkeypatch.setenv(KEY_ENV, provider.api_key)
        result = run_cli(*Probe(provider).args("--only", "chat", "--json"))

    assert result.exit_code == 0
    assert result.document["models"] == {"available": ["listed-model"], "requested_found": False}


def test_a_provider_without_models_listing_gives_null_not_false(workdir: Path, monkeypatch) -> None:
    with ProbeProvider(serve_models=False) as provider:
        monkeypatch.setenv(KEY_ENV, provider.api_key)
        result = run_cli(*Probe(provider).args("--only", "chat", "--json"))

    assert result.exit_code == 0
    models = result.document["models"]
    assert models["available"] == [] and models["requested_found"] is None
    assert models["error"].startswith("the provider did not list its models: HTTP 404")


def test_a_models_answer_that_is_not_a_list_is_said_so(probe: Probe) -> None:
    probe.provider.models_page = {"html": "<h1>Welcome to the proxy</h1>"}
    result = probe("--only", "chat", "--json")

    assert result.exit_code == 0
    assert result.document["models"] == {
        "available": [],
        "requested_found": None,
        "error": "the provider did not list its models: the answer to GET /models is not a model list",
    }


# --- --save and --compare --------------------------------------------------------------------------


def test_save_writes_the_json_document_and_compare_shows_what_changed(probe: Probe, workdir: Path) -> None:
    first = probe("--save", "before.json", "--json")
    saved = json.loads((workdir / "before.json").read_text("utf-8"))
    assert saved == first.document
    assert "saved: before.json" in first.stderr

    probe.provider.behaviour.update({"seed": "ignore", "n": "reject"})
    second = probe("--compare", "before.json", "--json")

    assert second.exit_code == 0
    assert second.document["compared_with"] == "before.json"
    changes = {c["feature"]: (c["before"], c["after"]) for c in second.document["changes"]}
    assert changes == {"seed": ("accepted", "ignored"), "n": ("accepted", "rejected")}

    table = probe("--compare", "before.json")
    assert "Changes since before.json:" in table.stdout
    assert any(line.split()[:3] == ["seed", "accepted", "ignored"] for line in table.stdout.splitlines())


def test_compare_with_nothing_changed_says_so(probe: Probe, workdir: Path) -> None:
    probe("--only", "chat,n", "--save", "old.json")
    result = probe("--only", "chat,n", "--compare", "old.json")

    assert "No verdict changed since old.json." in result.stdout


def test_a_feature_not_probed_again_shows_as_a_change(probe: Probe, workdir: Path) -> None:
    probe("--only", "chat,n", "--save", "old.json")
    result = probe("--only", "chat", "--compare", "old.json", "--json")

    assert result.document["changes"] == [
        {"feature": "n", "before": "accepted", "after": None, "evidence": "not probed this time"}
    ]


# --- keys never leak -------------------------------------------------------------------------------

KEYS = [
    "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b",  # 64 hex characters
    "gsk_GROQsecretVALUE0123456789abcdefGHIJ",
    "xai-XAIsecretVALUE0123456789abcdefghijKL",
    "k3yZ9q",  # short, shaped like nothing
]


@pytest.mark.parametrize("key", KEYS, ids=["hex64", "gsk", "xai", "short"])
def test_no_key_value_in_any_output_or_saved_file(workdir: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    # The provider quotes the key in its refusals, as careless providers do.
    with ProbeProvider({"seed": "reject", "stream": "reject"}, api_key=key, echo_key=True) as provider:
        monkeypatch.setenv(KEY_ENV, key)
        probe = Probe(provider)
        shown = probe("--save", "probe.json")
        printed = probe("--json", "--compare", "probe.json")
        monkeypatch.setenv(KEY_ENV, key[::-1])  # a wrong key, echoed in the 401
        refused = probe()

    assert printed.verdicts()["seed"][0] == "rejected"
    assert "request made with Bearer" in printed.verdicts()["seed"][1]  # the echo is there, redacted
    assert refused.exit_code == 3
    for text in (shown.stdout, shown.stderr, printed.stdout, printed.stderr, refused.stdout, refused.stderr):
        assert key not in text and key[::-1] not in text
    assert key not in (workdir / "probe.json").read_text("utf-8")
    assert [p.name for p in workdir.iterdir() if p.name != ".git"] == ["probe.json"]  # no stray temp files


def test_help_lists_every_feature_and_verdict() -> None:
    text = " ".join(run_cli("probe", "--help").stdout.split())

    for name in (*FEATURE_NAMES, *VERDICTS):
        assert name in text
