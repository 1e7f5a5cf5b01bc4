"""Shared set-up for the tests of calibration, cost split, cache, resume, noise, gates and reports.

Two fake providers that count tokens differently: the baseline reports tiktoken's own count of each
request and answer (what OpenAI does for its models), the candidate 1.25x it, rounded. Their keys
have shapes other than `sk-...` (64 hex characters, `gsk_...`), and every test checks that no key
value reaches stdout, stderr or any file the run wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BASELINE_ENV, CANDIDATE_ENV, Result, Smoke, write_prompts
from server import FakeProvider, Reply

KEYS = {
    "hex": "3f9a1c7e5b2d48f0a6c3e9b1d7f2a4c8e0b6d3f1a9c5e7b2d4f8a0c6e3b9d1f7",
    "gsk": "gsk_Wq7Rt2Yp9Lm4Nx8Bv3Cz6Kd1Fh5Gj0Ss",
    "xai": "xai-Tr4Ee8Ww2Qq6Yy0Uu3Ii7Oo1Pp5Aa9Ss",
    "short": "Qv7#Lm2",
}
CANDIDATE_SCALE = 1.25

PRICES = """
[baseline."gpt-4o-mini"]
input = 0.15
output = 0.60

[candidate.mira]
input = 0.05
output = 0.20
"""

TOPICS = [
    "the capital of France",
    "why the sky is blue, in two sentences",
    "a haiku about autumn rain on a tin roof",
    "the difference between a list and a tuple in Python",
    "three tips for a first marathon",
    "what a hash map is",
    "how photosynthesis works, briefly",
    "a polite reply to a customer whose parcel is late",
    "the boiling point of water at sea level",
    "the plot of Hamlet in one paragraph",
    "how to undo the last git commit but keep the changes",
    "two uses of the word 'set' in English",
]


def tiktoken_usage(scale: float) -> Callable[[dict[str, Any], Reply], dict[str, Any]]:
    """A provider tokenizer that counts `scale` x tiktoken (the cookbook chat formula for the prompt,
    the text's tokens for the answer), rounded to whole tokens."""

    def count(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        from migrate_cli.smoke.tokens import estimate_prompt_tokens, estimate_text_tokens

        model = body["model"]
        prompt = round(scale * estimate_prompt_tokens(body["messages"], model, body.get("tools")).prompt)
        completion = round(scale * estimate_text_tokens(reply.text or "", model))
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    return count


def case_lines(count: int = len(TOPICS)) -> list[dict[str, Any]]:
    """Cases of different lengths and message counts, all on gpt-4o-mini (mapped to mira)."""
    lines: list[dict[str, Any]] = []
    for index, topic in enumerate(TOPICS[:count]):
        messages = [{"role": "user", "content": f"Tell me about {topic}."}]
        if index % 3 == 1:
            messages.insert(0, {"role": "system", "content": "You are a concise assistant. " * (index + 1)})
        if index % 4 == 2:
            messages += [
                {"role": "assistant", "content": "Sure. Anything in particular?"},
                {"role": "user", "content": "Keep it short, please."},
            ]
        lines.append({"id": f"c{index:02d}", "model": "gpt-4o-mini", "messages": messages, "temperature": 0})
    return lines


def answer_for(body: dict[str, Any], side: str) -> str:
    """A deterministic answer per prompt; the candidate words some of them differently."""
    question = body["messages"][-1]["content"]
    text = f"Here is a short answer about: {question}"
    if side == "candidate" and len(question) % 2:
        text = f"In short, regarding {question.lower()} there is this to say."
    return text


@pytest.fixture
def two_tokenizers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Smoke]:
    """`migrate smoke` against a tiktoken-counting baseline and a 1.25x candidate, from an empty dir.

    The keys are KEYS["hex"] and KEYS["gsk"], or the two names given by indirect parametrisation."""
    baseline_key, candidate_key = (KEYS[name] for name in getattr(request, "param", ("hex", "gsk")))
    monkeypatch.setenv(BASELINE_ENV, baseline_key)
    monkeypatch.setenv(CANDIDATE_ENV, candidate_key)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    with (
        FakeProvider(
            api_key=baseline_key,
            default=lambda body: answer_for(body, "baseline"),
            usage_counter=tiktoken_usage(1.0),
        ) as baseline,
        FakeProvider(
            api_key=candidate_key,
            default=lambda body: answer_for(body, "candidate"),
            usage_counter=tiktoken_usage(CANDIDATE_SCALE),
            auth_style="vmira",
        ) as candidate,
    ):
        yield Smoke(baseline, candidate)


def prompts_file(directory: Path, count: int = len(TOPICS), name: str = "prompts.jsonl") -> Path:
    return write_prompts(directory / name, case_lines(count))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def assert_no_keys(result: Result, directory: Path) -> None:
    """No key value in the run's output, nor in `directory` or any file under it (caches included)."""
    files = [directory] if directory.is_file() else list(directory.rglob("*"))
    for name, key in KEYS.items():
        assert key not in result.stdout and key not in result.stderr, name
        for path in files:
            if path.is_file():
                assert key.encode() not in path.read_bytes(), f"{name} key in {path}"
