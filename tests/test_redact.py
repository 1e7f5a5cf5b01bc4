"""redact.py: known secrets masked by value wherever they appear, key shapes masked by pattern, and a
mask that gives nothing of a key away."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from urllib.parse import quote

import pytest

from migrate_cli.redact import (
    REDACTED,
    env_secrets,
    environment_secrets,
    mask,
    needs_redaction,
    redact,
    redact_value,
    url_passwords,
)
from migrate_cli.smoke.answers import clean_text, one_line

HEX64 = "3f9ac2d1e8b7460f9a2c5d7e1b3f8a6c0d4e2f9b7a1c3e5d8f0a2b4c6d8e0f1a"
GROQ = "gsk_Wq8Zt3LmNp5Rv7Xy9Ab2Cd4Ef6Gh8Jk0"
XAI = "xai-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4"
PROJECT = "sk-proj-Kd82hfW0qLzP3xVb7NmT5yRc1UeA9oGi"
SHORT = "k3Y!z9"
KEYS = {"hex64": HEX64, "groq": GROQ, "xai": XAI, "project": PROJECT, "short": SHORT}


def secret_part(key: str) -> str:
    """What a mask must not show: the key without its public type prefix."""
    for prefix in ("sk-proj-", "sk-", "gsk_", "xai-"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def shows_any_of(text: str, secret: str, width: int = 3) -> bool:
    """True when `text` shows any `width` consecutive characters of `secret`."""
    return any(secret[i : i + width] in text for i in range(len(secret) - width + 1))


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_a_mask_reveals_no_part_of_a_key(key: str) -> None:
    masked = mask(key)
    assert masked.endswith(REDACTED)
    assert not shows_any_of(masked.removesuffix(REDACTED), secret_part(key))
    assert not shows_any_of(redact(f"key={key};", [key]), secret_part(key))


@pytest.mark.parametrize(
    ("key", "prefix"),
    [(GROQ, "gsk_"), (XAI, "xai-"), (PROJECT, "sk-"), ("sk-" + "A" * 40, "sk-"), (HEX64, ""), (SHORT, "")],
)
def test_only_the_public_type_prefix_of_a_key_shaped_value_is_kept(key: str, prefix: str) -> None:
    assert mask(key) == prefix + REDACTED


def test_a_short_prefixed_value_keeps_nothing() -> None:
    # "sk-12345" is mostly prefix: keeping "sk-" would show most of what is there.
    assert mask("sk-12345") == REDACTED
    assert redact("value sk-12345 here", ["sk-12345"]) == f"value {REDACTED} here"


@pytest.mark.parametrize("key", [GROQ, XAI, PROJECT], ids=["groq", "xai", "project"])
def test_key_shapes_are_masked_without_being_told_the_value(key: str) -> None:
    text = redact(f"Incorrect API key provided: {key}.")
    assert secret_part(key) not in text and REDACTED in text


def test_values_that_do_not_look_like_keys_are_masked_only_by_value() -> None:
    assert redact(f"token {HEX64} and {SHORT}") == f"token {HEX64} and {SHORT}"
    assert redact(f"token {HEX64} and {SHORT}", [HEX64, SHORT]) == f"token {REDACTED} and {REDACTED}"


def test_overlapping_secrets_are_masked_as_one_span() -> None:
    # Masking "AAAA-BBBB-CC" first would leave "-DD" of the second secret behind, and the
    # other order would leave "AAAA-" of the first one.
    first, second = "AAAA-BBBB-CC", "BBBB-CC-DD"
    for secrets in ([first, second], [second, first]):
        text = redact("x AAAA-BBBB-CC-DD y", secrets)
        assert text == f"x {REDACTED} y"


def test_a_secret_inside_another_is_masked_with_it() -> None:
    outer, inner = "Bearer-token-ABCDEF", "token-ABC"
    assert redact(f"[{outer}] [{inner}]", [inner, outer]) == f"[{REDACTED}] [{REDACTED}]"


def test_repeated_and_self_overlapping_occurrences_are_all_masked() -> None:
    assert redact("abababab", ["abab"]) == REDACTED
    assert redact(f"{SHORT}{SHORT} {SHORT}", [SHORT]) == f"{REDACTED}{REDACTED} {REDACTED}"


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: json.dumps(s)[1:-1],
        html.escape,
        lambda s: quote(s, safe=""),
    ],
    ids=["json", "html", "url"],
)
def test_escaped_forms_of_a_secret_are_masked(encode: Callable[[str], str]) -> None:
    key = 'p@ss"<w>rd/&key\\1'
    text = redact(f"echo: {encode(key)}", [key])
    assert encode(key) not in text and "rd/&key" not in text and REDACTED in text


def test_too_short_values_are_not_secrets() -> None:
    assert redact("a b abc", ["a", "abc"]) == "a b abc"


def test_redact_value_masks_strings_keys_and_numbers_deep_inside() -> None:
    digits = "98765432"
    value = {
        "usage": {"prompt_tokens": 3, "echo": f"Bearer {HEX64}"},
        HEX64: [f"x{SHORT}", 1.5, True, None],
        "n": int(digits),
    }
    clean = redact_value(value, [HEX64, SHORT, digits])
    flat = json.dumps(clean)
    for secret in (HEX64, SHORT, digits):
        assert secret not in flat
    assert clean["usage"]["prompt_tokens"] == 3 and clean[REDACTED][1:] == [1.5, True, None]


def test_needs_redaction_agrees_with_redact() -> None:
    for text in ("plain text", f"has {HEX64}", f"has {PROJECT}", "sk-placeholder"):
        assert needs_redaction(text, [HEX64]) == (redact(text, [HEX64]) != text)


@pytest.mark.parametrize("placeholder", ["test", "EMPTY", "ollama", "your-api-key-here", "sk-xxxx", "not-needed"])
def test_a_placeholder_in_a_key_variable_is_no_secret(monkeypatch: pytest.MonkeyPatch, placeholder: str) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", placeholder)
    assert env_secrets(["OPENAI_API_KEY"]) == []


@pytest.mark.parametrize(
    "key",
    [
        GROQ,
        XAI,
        PROJECT,
        HEX64,
        SHORT,
        "a" * 4 + "test" + "9" * 30,
    ],  # a long key with a placeholder word inside is still a key
)
def test_a_real_key_in_a_key_variable_is_a_secret(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("SOME_KEY", key)
    monkeypatch.delenv("UNSET_KEY", raising=False)
    assert env_secrets(["SOME_KEY", "UNSET_KEY"]) == [key]
    assert key not in redact(f"the key {key} in a message", env_secrets(["SOME_KEY"]))


def test_a_password_in_a_url_is_masked_without_being_told_and_the_rest_of_the_url_kept() -> None:
    text = "proxy https://bob:s3cr3t-pass@proxy.example:8443/v1 and socks5://u:p4ss@10.0.0.1"
    assert redact(text) == "proxy https://bob:…REDACTED@proxy.example:8443/v1 and socks5://u:…REDACTED@10.0.0.1"
    assert needs_redaction(text) and not needs_redaction("https://proxy.example/v1 user@example.com")
    assert url_passwords(text) == ["s3cr3t-pass", "p4ss"]


def test_only_variables_named_for_secrets_count_as_environment_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_SERVICE_TOKEN", HEX64)
    monkeypatch.setenv("MY_PASSWORD", SHORT)
    monkeypatch.setenv("MIGRATE_PLAIN_SETTING", "k3yl1ke-but-not-named-so")
    found = environment_secrets()
    assert HEX64 in found and SHORT in found
    assert "k3yl1ke-but-not-named-so" not in found


@pytest.mark.parametrize(
    "key",
    ['p@ss"word\\1', 'pässwörd-"quoted"', "ключ-доступа-42", HEX64],
    ids=["quote-backslash", "non-ascii-quote", "cyrillic", "hex64"],
)
def test_a_secret_is_masked_whole_in_every_form_text_may_hold_it(key: str) -> None:
    # As is, as JSON writes it (both ASCII-escaped and not: our own results files keep UTF-8), as
    # HTML escapes it, as a URL encodes it: each form entirely masked, not one character left over.
    forms = {
        json.dumps(key)[1:-1],
        json.dumps(key, ensure_ascii=False)[1:-1],
        html.escape(key),
        quote(key, safe=""),
        key,
    }
    for form in forms:
        assert redact(form, [key]) == REDACTED, form
        assert redact(f"<{form}>", [key]) == f"<{REDACTED}>", form
    document = json.dumps({"echo": key, "list": [key]}, ensure_ascii=False)
    assert not shows_any_of(redact(document, [key]), secret_part(key), width=4)


def test_secrets_far_apart_are_each_masked_whatever_their_lengths() -> None:
    # Masked spans are merged in text order: the longer secret later in the text must not swallow
    # (or skip) the shorter one before it.
    short, long = "k3Y!z9", "Bearer-" + HEX64
    text = f"a {short} b {long} c {short}"
    assert redact(text, [short, long]) == f"a {REDACTED} b {REDACTED} c {REDACTED}"
    assert redact(text, [long, short]) == f"a {REDACTED} b {REDACTED} c {REDACTED}"


@pytest.mark.parametrize(
    "placeholder",
    ["sk-1234", "12345678", "sk-aaaaaaaaaaaaaaaaaaaaaaaa", "0" * 32, "xxxx-xxxx_xxxx.xxxx**", "sk-..."],
)
def test_placeholders_that_look_like_keys_in_outline_are_no_secrets(
    monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", placeholder)
    assert env_secrets(["OPENAI_API_KEY"]) == []


@pytest.mark.parametrize("key", ["123456789", "sk-123456789", "sk-ab"])
def test_short_or_numeric_values_past_the_placeholder_rules_are_secrets(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    # Nine digits is no longer "sk-1234"-style filler; two different characters are not "xxxx".
    monkeypatch.setenv("OPENAI_API_KEY", key)
    assert env_secrets(["OPENAI_API_KEY"]) == [key]


def test_occurrences_one_character_apart_are_all_masked() -> None:
    # A secret of one repeated character overlaps itself at every offset: the second occurrence
    # starts one character after the first, and its last character must not be left over.
    assert redact("=AAAAA=", ["AAAA"]) == f"={REDACTED}="


def test_an_error_message_is_redacted_before_it_is_cut_to_one_line() -> None:
    # A provider's error that quotes the key near the limit: cutting first would leave the key's
    # start, which no longer matches the whole value. The cut keeps exactly `limit` characters.
    message = "Incorrect API key provided:\n  " + HEX64 + "\nSee the docs."
    line = one_line(message, [HEX64], limit=40)
    assert line == f"Incorrect API key provided: {REDACTED} S…"
    assert len(line) == 40 and HEX64[:3] not in line
    exact = "x" * 39 + "y"
    assert one_line(exact, limit=40) == exact  # at the limit: whole
    assert one_line(exact + "z", limit=40) == "x" * 39 + "…"  # one over: cut, still 40 characters


def test_an_answer_is_redacted_and_made_writable() -> None:
    # A lone surrogate (an answer cut inside an emoji's escape) cannot be written as UTF-8: it
    # becomes U+FFFD, and the key the answer echoes is masked.
    assert clean_text(f"bad \ud800 half, key {GROQ}", [GROQ]) == f"bad \ufffd half, key gsk_{REDACTED}"
    assert clean_text(f"fine, key {HEX64}", [HEX64]) == f"fine, key {REDACTED}"
