"""The prompts file: valid shapes, every kind of bad line (with its line number), streaming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate_cli.errors import ExitCode, UsageError
from migrate_cli.smoke import tokens
from migrate_cli.smoke.cases import PromptsFileError, iter_cases, validate_prompts_file

GOOD = '{"prompt": "Say hi"}'


def write(tmp_path: Path, *lines: str, name: str = "prompts.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_for(path: Path, default_model: str | None = "gpt-4o") -> str:
    with pytest.raises(PromptsFileError) as caught:
        validate_prompts_file(path, default_model=default_model)
    return caught.value.message


def test_prompt_shorthand_messages_ids_and_params(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"prompt": "Capital of France?", "temperature": 0, "seed": 7}',
        "",
        "# a comment, e.g. a switched-off case",
        "// also a comment",
        '{"id": "greet", "model": "gpt-4.1-mini", "messages": [{"role": "system", "content": "Be brief."},'
        ' {"role": "user", "content": [{"type": "text", "text": "Hi"}]}], "max_tokens": 20,'
        ' "response_format": {"type": "json_object"}, "stop": ["\\n"]}',
        '{"id": 42, "messages": [{"role": "user", "content": "Weather?"},'
        ' {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",'
        ' "function": {"name": "get_weather", "arguments": "{}"}}]},'
        ' {"role": "tool", "tool_call_id": "c1", "content": "sunny"}],'
        ' "tools": [{"type": "function", "function": {"name": "get_weather"}}], "tool_choice": "auto"}',
    )
    cases = list(iter_cases(path, default_model="gpt-4o"))

    assert [c.id for c in cases] == ["1", "greet", "42"]
    assert [c.line for c in cases] == [1, 5, 6]
    assert cases[0].messages == ({"role": "user", "content": "Capital of France?"},)
    assert cases[0].model == "gpt-4o"  # the default
    assert cases[0].params == {"temperature": 0, "seed": 7}
    assert cases[1].model == "gpt-4.1-mini"  # the line's own model wins
    assert cases[1].params["response_format"] == {"type": "json_object"}
    assert cases[1].params["stop"] == ["\n"]
    assert cases[2].messages[1]["content"] is None
    assert cases[2].params["tool_choice"] == "auto"


def test_summary_counts_models_and_unknown_params(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD,
        '{"prompt": "x", "model": "gpt-4.1"}',
        '{"prompt": "y", "temprature": 0.2}',
        '{"prompt": "z", "temprature": 0.3, "top_k": 5}',
    )
    summary = validate_prompts_file(path, default_model="gpt-4o")

    assert summary.cases == 4
    assert dict(summary.models) == {"gpt-4o": 3, "gpt-4.1": 1}
    assert dict(summary.unknown_params) == {"temprature": 3, "top_k": 4}
    assert summary.prompt_tokens == {}  # only counted when asked for


def test_summary_sums_prompt_tokens_per_side_and_model(tmp_path: Path) -> None:
    # The cookbook's example: 129 tokens with cl100k (gpt-4), 124 with o200k (mira is measured so).
    examples = json.loads((Path(__file__).parent / "data" / "cookbook_examples.json").read_text())
    messages = examples["messages"]
    path = write(tmp_path, json.dumps({"messages": messages}), json.dumps({"messages": messages}))
    summary = validate_prompts_file(
        path,
        default_model="gpt-4",
        side_models=lambda case: {"baseline": case.model, "candidate": "mira"},
    )
    assert summary.prompt_tokens == {("baseline", "gpt-4"): 2 * 129, ("candidate", "mira"): 2 * 124}
    assert summary.tokens_exact is True
    # A calibration's per-message term multiplies this count: it is summed, per side and model.
    assert summary.messages == {("baseline", "gpt-4"): 2 * len(messages), ("candidate", "mira"): 2 * len(messages)}


def test_summary_tokens_are_approximate_when_any_encoding_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No BPE file anywhere (no tiktoken cache, no wheel): the estimates fall back to bytes / 4, and
    # the summary must say so, or --dry-run would print an approximation as an exact count.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(tokens, "_package_dir", lambda name: None)
    monkeypatch.setattr(tokens, "_namespace_dirs", lambda name: [])
    tokens.clear_cache()
    try:
        path = write(tmp_path, GOOD, '{"prompt": "two"}')
        summary = validate_prompts_file(
            path, default_model="gpt-4o", side_models=lambda case: {"baseline": case.model, "candidate": "mira"}
        )
    finally:
        tokens.clear_cache()
    assert summary.tokens_exact is False
    assert summary.messages == {("baseline", "gpt-4o"): 2, ("candidate", "mira"): 2}


def test_utf8_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"prompt": "caf\xc3\xa9"}\r\n{"prompt": "b"}\r\n')
    cases = list(iter_cases(path, default_model="m"))
    assert [c.messages[0]["content"] for c in cases] == ["café", "b"]


def test_cases_stream_before_a_later_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, '{"prompt": "two"}', "{broken")
    stream = iter_cases(path, default_model="gpt-4o")
    assert next(stream).id == "1"
    assert next(stream).id == "2"
    with pytest.raises(PromptsFileError, match=r"prompts\.jsonl:3: not valid JSON"):
        next(stream)


BAD_LINES = [
    ('{"prompt": "x"', "not valid JSON (Expecting ',' delimiter at column 15)"),
    ('{"prompt": "x", "temperature": NaN}', "not valid JSON (NaN is not valid JSON)"),
    (
        '{"prompt": "x", "model": "gpt-4o", "model": "gpt-4o-mini"}',
        "key 'model' appears twice in one object (JSON would keep only the last one silently): remove one",
    ),
    ('{"messages": [{"role": "user", "content": "a", "content": "b"}]}', "key 'content' appears twice"),
    ("[1, 2]", "each line must be a JSON object, got a list"),
    ('"just text"', "each line must be a JSON object, got a string"),
    ('{"model": "gpt-4o"}', "needs exactly one of 'messages' or 'prompt' (neither given)"),
    ('{"prompt": "x", "messages": [{"role": "user", "content": "x"}]}', "(both given)"),
    ('{"prompt": 5}', "'prompt' must be a non-empty string"),
    ('{"prompt": "  "}', "'prompt' must be a non-empty string"),
    ('{"messages": "hi"}', "'messages' must be a list of {role, content} objects"),
    ('{"messages": []}', "'messages' must be a list of {role, content} objects (the list is empty)"),
    ('{"messages": ["hi"]}', "{role, content} objects; messages[0] is a string"),
    (
        '{"messages": [{"role": "robot", "content": "x"}]}',
        "messages[0].role must be one of system, developer, user, assistant, tool ('robot' given)",
    ),
    (
        '{"messages": [{"content": "x"}]}',
        "messages[0].role must be one of system, developer, user, assistant, tool (missing given)",
    ),
    ('{"messages": [{"role": "user"}]}', "messages[0].content is missing"),
    ('{"messages": [{"role": "user", "content": null}]}', "messages[0].content is missing"),
    (
        '{"messages": [{"role": "user", "content": 5}]}',
        "messages[0].content must be a string or a list of content parts, got a number",
    ),
    (
        '{"messages": [{"role": "user", "content": [{"type": "text"}]}]}',
        "messages[0].content[0] is a text part and needs a string 'text'",
    ),
    (
        '{"messages": [{"role": "user", "content": ["hi"]}]}',
        "messages[0].content[0] must be an object with a string 'type'",
    ),
    ('{"messages": [{"role": "user", "content": "x", "name": 3}]}', "messages[0].name must be a string"),
    (
        '{"messages": [{"role": "user", "content": "x", "tool_calls": []}]}',
        "messages[0].tool_calls is only allowed on an assistant message",
    ),
    (
        '{"messages": [{"role": "assistant", "content": null, "tool_calls": [{"id": "1"}]}]}',
        "messages[0].tool_calls[0] must be an object with function.name",
    ),
    (
        '{"messages": [{"role": "tool", "content": "x"}]}',
        "messages[0] is a tool message and needs a string 'tool_call_id'",
    ),
    ('{"prompt": "x", "temperature": "hot"}', "'temperature' must be a number from 0 to 2"),
    ('{"prompt": "x", "temperature": 2.5}', "'temperature' must be a number from 0 to 2"),
    ('{"prompt": "x", "temperature": true}', "'temperature' must be a number from 0 to 2"),
    ('{"prompt": "x", "top_p": 1.5}', "'top_p' must be a number from 0 to 1"),
    ('{"prompt": "x", "max_tokens": 0}', "'max_tokens' must be an integer of at least 1"),
    ('{"prompt": "x", "max_tokens": 1.5}', "'max_tokens' must be an integer of at least 1"),
    ('{"prompt": "x", "max_completion_tokens": true}', "'max_completion_tokens' must be an integer of at least 1"),
    ('{"prompt": "x", "n": -1}', "'n' must be an integer of at least 1"),
    ('{"prompt": "x", "seed": "7"}', "'seed' must be an integer"),
    ('{"prompt": "x", "top_logprobs": 21}', "'top_logprobs' must be an integer from 0 to 20"),
    ('{"prompt": "x", "logprobs": "yes"}', "'logprobs' must be true or false"),
    ('{"prompt": "x", "stop": 5}', "'stop' must be a string or a list of strings"),
    ('{"prompt": "x", "stop": ["a", 1]}', "'stop' must be a string or a list of strings"),
    ('{"prompt": "x", "tools": {}}', "'tools' must be a list of tool objects"),
    ('{"prompt": "x", "tools": [{"type": "function"}]}', "'tools'[0] is a function tool and needs function.name"),
    ('{"prompt": "x", "tools": [{"function": {"name": "f"}}]}', "'tools'[0] must be an object with a string 'type'"),
    ('{"prompt": "x", "tool_choice": 1}', "'tool_choice' must be"),
    ('{"prompt": "x", "response_format": "json"}', "'response_format' must be an object with a string \"type\""),
    ('{"prompt": "x", "logit_bias": []}', "'logit_bias' must be an object"),
    (
        '{"prompt": "x", "stream": true}',
        "'stream' cannot be set per line; streaming is chosen for the whole run with --stream",
    ),
    ('{"prompt": "x", "stream_options": {"include_usage": true}}', "'stream_options' cannot be set per line"),
    ('{"prompt": "x", "id": 1.5}', "'id' must be a string or an integer, got a number"),
    ('{"prompt": "x", "id": true}', "'id' must be a string or an integer, got a boolean"),
    ('{"prompt": "x", "id": ""}', "'id' must not be empty"),
    ('{"prompt": "x", "model": ""}', "'model' must be a non-empty string"),
    ('{"prompt": "x", "model": null}', "'model' must be a non-empty string"),
    ('{"prompt": "x", "model": 4}', "'model' must be a non-empty string"),
    # valid JSON that UTF-8 cannot encode: refused here, not by the HTTP client halfway through a run
    ('{"prompt": "a lone \\ud800 surrogate"}', "prompt holds a lone UTF-16 surrogate"),
    ('{"prompt": "x", "temperature": 1e400}', "the number 1e400 is too large to send (it reads as infinity)"),
    ('{"prompt": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply to read"),
    # a weight is the case's share of requests: zero, negative or not a number would skew the mix
    ('{"prompt": "x", "weight": 0}', "'weight' must be a positive number (the case's share of requests), got 0"),
    ('{"prompt": "x", "weight": -2.5}', "'weight' must be a positive number (the case's share of requests), got -2.5"),
    (
        '{"prompt": "x", "weight": true}',
        "'weight' must be a positive number (the case's share of requests), got a boolean",
    ),
    (
        '{"prompt": "x", "weight": "3"}',
        "'weight' must be a positive number (the case's share of requests), got a string",
    ),
]


@pytest.mark.parametrize(("line", "expected"), BAD_LINES)
def test_each_bad_line_is_refused_with_its_line_number(tmp_path: Path, line: str, expected: str) -> None:
    # Two good lines and a comment first, so the number must be the physical line (4), not the case.
    path = write(tmp_path, GOOD, "# note", '{"prompt": "b"}', line, GOOD)
    message = error_for(path)
    assert message.startswith(f"{path}:4: ")
    assert expected in message


def test_weights_default_to_one_and_keep_their_value(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, '{"prompt": "b", "weight": 0.25}', '{"prompt": "c", "weight": 3}')
    assert [case.weight for case in iter_cases(path, default_model="m")] == [1.0, 0.25, 3.0]


def test_no_model_and_no_default(tmp_path: Path) -> None:
    path = write(tmp_path, '{"prompt": "x", "model": "gpt-4o"}', "", '{"prompt": "y"}')
    assert error_for(path, default_model=None) == (
        f'{path}:3: no model: add "model" to the line, or set a default with [tool.migrate] model '
        "(--model only picks the candidate model)"
    )


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, '{"id": "a", "prompt": "x"}', '{"id": "a", "prompt": "y"}')
    assert (
        error_for(path)
        == f"{path}:2: duplicate id 'a' (already used on line 1; a line without an id is named by its line number)"
    )


def test_explicit_id_colliding_with_a_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, '{"id": 3, "prompt": "x"}', GOOD, GOOD)
    assert error_for(path).startswith(f"{path}:3: duplicate id '3' (already used on line 1;")


@pytest.mark.parametrize("content", ["", "\n\n  \n", "# only\n// comments\n"])
def test_a_file_without_cases_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_text(content, encoding="utf-8")
    assert error_for(path) == (f"{path}: no cases (the file is empty or holds only blank and comment lines)")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert error_for(tmp_path / "nope.jsonl") == f"{tmp_path / 'nope.jsonl'}: no such prompts file"
    assert error_for(tmp_path) == f"{tmp_path}: is a directory, not a prompts file"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Root can read a chmod-000 file, so simulate the refusal at the open() cases.py calls.
    monkeypatch.setattr("migrate_cli.smoke.cases.open", denied, raising=False)
    assert error_for(path) == f"{path}: cannot read the prompts file (Permission denied)"


def test_non_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_bytes(b'{"prompt": "a"}\n{"prompt": "caf\xe9"}\n')
    assert error_for(path) == (f"{path}:2: not UTF-8 (byte 0xe9 at column 16); save the file as UTF-8")


def test_errors_are_usage_errors_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path, "{")
    with pytest.raises(UsageError) as caught:
        validate_prompts_file(path, default_model="m")
    assert caught.value.exit_code == ExitCode.USAGE


def test_the_cli_shows_the_message_intact_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from migrate_cli.cli import app

    monkeypatch.chdir(tmp_path)
    write(tmp_path, '{"prompt": "x"}')
    result = CliRunner().invoke(app, ["smoke", "prompts.jsonl", "--dry-run"])

    assert result.exit_code == ExitCode.USAGE
    # "[tool.migrate]" must survive rich's markup, and no traceback follows.
    assert (
        'error: prompts.jsonl:1: no model: add "model" to the line, or set a default with [tool.migrate] model '
        "(--model only picks the candidate model)\n" in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout
