"""tiktoken estimates: the cookbook's verified counts, offline loading, never a download."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from migrate_cli.smoke import tokens
from migrate_cli.smoke.evaluate import completion_text, evaluate_side
from migrate_cli.smoke.pricing import load_prices
from migrate_cli.smoke.records import Case, Endpoint, SideResult
from migrate_cli.smoke.tokens import (
    CL100K,
    O200K,
    encoding_for_model,
    estimate_prompt_tokens,
    estimate_text_tokens,
    get_ruler,
    is_openai_model,
)

EXAMPLES = json.loads((Path(__file__).parent / "data" / "cookbook_examples.json").read_text())
O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


@pytest.fixture(scope="module", autouse=True)
def offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty tiktoken cache and no way to download: every count here must come from offline files.

    Module-scoped so each encoding loads once; tests of the loading itself use `fresh_load`.
    """

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"tiktoken tried to fetch {args}")

    with pytest.MonkeyPatch.context() as patch:
        cache = tmp_path_factory.mktemp("tiktoken-cache")
        patch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        patch.setattr("tiktoken.load.read_file", no_download)
        patch.setattr("tiktoken.load.read_file_cached", no_download)
        patch.setattr("tiktoken.get_encoding", no_download)
        tokens.clear_cache()
        yield cache
        tokens.clear_cache()


@pytest.fixture
def fresh_load(offline: Path) -> Iterator[Path]:
    """Forget loaded encodings before and after, and leave the cache directory empty."""
    tokens.clear_cache()
    yield offline
    tokens.clear_cache()
    for leftover in offline.iterdir():
        leftover.unlink()


def bpe_openai_file(name: str) -> bytes:
    spec = importlib.util.find_spec("bpe_openai")
    assert spec is not None and spec.submodule_search_locations
    packed = Path(spec.submodule_search_locations[0]) / "data" / f"{name}.tiktoken.gz"
    return gzip.decompress(packed.read_bytes())


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", O200K),
        ("gpt-4o-mini-2024-07-18", O200K),
        ("chatgpt-4o-latest", O200K),
        ("ft:gpt-4o-mini:acme::abc123", O200K),
        ("gpt-4.1-nano", O200K),
        ("gpt-4.5-preview", O200K),
        ("gpt-5", O200K),
        ("gpt-5.4-mini", O200K),
        ("o1", O200K),
        ("o3-mini", O200K),
        ("o4-mini", O200K),
        ("gpt-4", CL100K),
        ("gpt-4-0613", CL100K),
        ("gpt-4-turbo", CL100K),
        ("gpt-3.5-turbo-0125", CL100K),
        ("gpt-35-turbo", CL100K),
        ("mira", O200K),
        ("llama-3.3-70b-versatile", O200K),
    ],
)
def test_encoding_per_model(model: str, encoding: str) -> None:
    assert encoding_for_model(model) == encoding


@pytest.mark.parametrize("model", ["mira", "mira-pro", "ollama", "o3x", "claude-sonnet-4-5", "Qwen/Qwen3-8B"])
def test_other_models_are_not_openai_and_say_so(model: str) -> None:
    assert not is_openai_model(model)
    estimate = estimate_prompt_tokens([{"role": "user", "content": "hi"}], model)
    assert estimate.encoding == O200K
    assert f"tiktoken o200k_base as a reference ruler, not {model}'s tokenizer" in estimate.note


@pytest.mark.parametrize(("model", "expected"), sorted(EXAMPLES["messages_tokens"].items()))
def test_cookbook_message_counts_exact_offline(model: str, expected: int) -> None:
    estimate = estimate_prompt_tokens(EXAMPLES["messages"], model)
    assert estimate.prompt == expected
    assert estimate.exact is True
    assert estimate.note == ""
    assert get_ruler(estimate.encoding).source == "bpe-openai wheel"


@pytest.mark.parametrize(("model", "expected"), sorted(EXAMPLES["tools_tokens"].items()))
def test_cookbook_tool_definition_counts(model: str, expected: int) -> None:
    estimate = estimate_prompt_tokens(EXAMPLES["tool_messages"], model, EXAMPLES["tools"])
    assert estimate.prompt == expected


def test_tool_constants_for_an_uncalibrated_model_are_flagged() -> None:
    estimate = estimate_prompt_tokens(EXAMPLES["tool_messages"], "gpt-4.1", EXAMPLES["tools"])
    assert estimate.prompt == 101  # o200k with gpt-4o's constants
    assert "unverified for gpt-4.1" in estimate.note


def test_text_and_completion_counts() -> None:
    assert estimate_text_tokens("hello world", "gpt-4o") == 2
    assert estimate_text_tokens("", "gpt-4o") == 0
    # Text that looks like a special token is ordinary text in a message, not an error.
    assert estimate_text_tokens("<|endoftext|>", "gpt-4") > 1
    estimate = estimate_prompt_tokens([{"role": "user", "content": "hi"}], "gpt-4o", completion="hello world")
    assert estimate.completion == 2


def test_content_parts_count_their_text_and_name_what_they_skip() -> None:
    as_string = estimate_prompt_tokens([{"role": "user", "content": "Describe this picture"}], "gpt-4o")
    as_parts = estimate_prompt_tokens(
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe this picture"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            }
        ],
        "gpt-4o",
    )
    assert as_parts.prompt == as_string.prompt
    assert "not counted: image_url content parts" in as_parts.note


def test_tiktoken_cache_is_used_first_when_verified(fresh_load: Path) -> None:
    key = hashlib.sha1(O200K_URL.encode()).hexdigest()
    (fresh_load / key).write_bytes(bpe_openai_file(O200K))

    assert estimate_prompt_tokens(EXAMPLES["messages"], "gpt-4o").prompt == 124
    assert get_ruler(O200K).source == "tiktoken cache"


def test_a_corrupt_cache_file_is_skipped_and_kept(fresh_load: Path) -> None:
    corrupt = fresh_load / hashlib.sha1(O200K_URL.encode()).hexdigest()
    corrupt.write_bytes(b"aGVsbG8= 0\n")

    assert estimate_prompt_tokens(EXAMPLES["messages"], "gpt-4o").prompt == 124
    assert get_ruler(O200K).source == "bpe-openai wheel"
    assert corrupt.exists()  # tiktoken itself would delete it and try to download


def test_approximate_when_no_verified_file_exists(fresh_load: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_package_dir", lambda name: None)
    monkeypatch.setattr(tokens, "_namespace_dirs", lambda name: [])

    estimate = estimate_prompt_tokens([{"role": "user", "content": "abcdefgh"}], "gpt-4o")
    # 3 per message + "user" (4 bytes -> 1) + "abcdefgh" (8 bytes -> 2) + 3 reply primer.
    assert estimate.prompt == 9
    assert estimate.exact is False
    assert estimate.note.startswith("approximate (UTF-8 bytes / 4): no verified o200k_base BPE file")
    assert "tiktoken cache: not there" in estimate.note
    assert estimate_text_tokens("abcde", "gpt-4o") == 2  # ceil(5 / 4)


def test_encodings_load_once_per_process() -> None:
    assert get_ruler(CL100K) is get_ruler(CL100K)


def test_the_0301_formula_counts_4_per_message_and_minus_1_per_name() -> None:
    # The cookbook's figure for gpt-3.5-turbo-0301 on its example (which has `name` fields): 127,
    # against 129 for the later models with 3 per message and +1 per name.
    assert estimate_prompt_tokens(EXAMPLES["messages"], "gpt-3.5-turbo-0301").prompt == 127
    named = [{"role": "user", "name": "ann", "content": "hi"}]
    unnamed = [{"role": "user", "content": "hi"}]
    name_tokens = estimate_text_tokens("ann", "gpt-3.5-turbo-0301")
    old, new = "gpt-3.5-turbo-0301", "gpt-3.5-turbo-0613"
    assert estimate_prompt_tokens(named, old).prompt == estimate_prompt_tokens(unnamed, old).prompt + name_tokens - 1
    assert estimate_prompt_tokens(named, new).prompt == estimate_prompt_tokens(unnamed, new).prompt + name_tokens + 1
    assert estimate_prompt_tokens(unnamed, old).prompt == estimate_prompt_tokens(unnamed, new).prompt + 1


def test_tool_calls_in_the_history_count_their_name_and_arguments() -> None:
    # An assistant turn that called a tool (content null) and the tool's answer: a conversation of
    # an agent, re-sent with every request. The calls cost what their name and arguments cost.
    arguments = '{"city": "Paris", "unit": "celsius"}'
    history: list[dict[str, Any]] = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}},
                {"id": "c2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
                {"id": "c3", "type": "function"},  # no function: nothing to count, no crash
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "18C"},
    ]
    without_calls = [history[0], {"role": "assistant", "content": None}, history[2]]
    calls = estimate_text_tokens(f"get_weather{arguments}", "gpt-4o") + estimate_text_tokens("get_time{}", "gpt-4o")
    assert calls > 0
    with_calls = estimate_prompt_tokens(history, "gpt-4o")
    assert with_calls.prompt == estimate_prompt_tokens(without_calls, "gpt-4o").prompt + calls
    assert with_calls.note == ""  # tool calls are counted, not listed as skipped
    # content null counts nothing: the two-message turn costs its per-message overhead and role only
    only_role = estimate_prompt_tokens([{"role": "assistant", "content": None}], "gpt-4o")
    assert only_role.prompt == 3 + 3 + estimate_text_tokens("assistant", "gpt-4o")


def test_a_list_under_another_key_is_not_counted_as_content_or_calls() -> None:
    # Assistant turns copied from a response carry `annotations` (web search citations): not sent
    # as tokens the formula knows about, so not counted, and not mistaken for tool calls.
    plain = [{"role": "assistant", "content": "See the docs."}]
    annotated: list[dict[str, Any]] = [
        {
            "role": "assistant",
            "content": "See the docs.",
            "annotations": [{"type": "text", "text": "a long citation " * 5, "function": {"name": "x" * 20}}],
        }
    ]
    assert estimate_prompt_tokens(annotated, "gpt-4o").prompt == estimate_prompt_tokens(plain, "gpt-4o").prompt


def test_an_answer_of_tool_calls_is_estimated_by_its_names_and_arguments() -> None:
    # An answer that is only tool calls has no text; its completion tokens are the calls'. With
    # `arguments` sent as an object (some servers do), they are counted as the JSON that was sent.
    case = Case(id="c", line=1, messages=({"role": "user", "content": "Weather?"},), model="gpt-4o")
    endpoint = Endpoint("candidate", "http://127.0.0.1:9/v1", "MIRA_API_KEY")
    calls = (
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
        {"id": "c2", "type": "function", "function": {"name": "get_time", "arguments": {"tz": "CET"}}},
        {"id": "c3", "type": "function"},
    )
    answered = SideResult("candidate", "gpt-4o", {}, output="Checking.", tool_calls=calls)
    estimate = evaluate_side(answered, case, endpoint, load_prices(None)).estimated_tokens
    expected = 'Checking.get_weather{"city": "Paris"}get_time{"tz": "CET"}'
    assert completion_text(answered) == expected
    assert estimate is not None and estimate.completion == estimate_text_tokens(expected, "gpt-4o")
    only_calls = SideResult("candidate", "gpt-4o", {}, output=None, tool_calls=calls[:1])
    assert completion_text(only_calls) == 'get_weather{"city": "Paris"}'


def test_a_tool_that_is_not_a_function_adds_nothing() -> None:
    # Built-in tools ({"type": "web_search_preview"}) have no function definition to count; the
    # function tool next to them is counted as alone (its func_init and func_end once).
    messages = [{"role": "user", "content": "Find it."}]
    function = {"type": "function", "function": {"name": "lookup", "description": "Look up."}}
    bare = estimate_prompt_tokens(messages, "gpt-4o").prompt
    assert estimate_prompt_tokens(messages, "gpt-4o", [{"type": "web_search_preview"}]).prompt == bare
    alone = estimate_prompt_tokens(messages, "gpt-4o", [function]).prompt
    assert alone > bare
    assert estimate_prompt_tokens(messages, "gpt-4o", [{"type": "web_search_preview"}, function]).prompt == alone
