"""Keep secrets out of everything we print or write.

Two nets: values we know are secret (a hard-coded key the rewrite removed, the value of an API-key
env var a run used), masked wherever and however they appear (as written, or escaped for JSON,
HTML or a URL) whatever they look like; and anything shaped like a provider key.

A mask reveals nothing of the secret: a key-shaped value keeps only its public type prefix
(`sk-`, `gsk_`, `xai-`: it tells which provider a key was for, not the key); any other value
becomes the bare mask.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

# sk-..., sk-proj-..., sk-mira-..., gsk_... (Groq), xai-..., and OpenRouter's sk-or-v1-...: a known
# prefix followed by a long run of key characters. Placeholders such as "sk-placeholder" stay
# readable because they are short and the rewrite does not treat them as keys.
KEY_PATTERN = re.compile(r"\b((?:sk|gsk|xai|pk|rk)[-_])[A-Za-z0-9_\-]{16,}")
# The password of a URL's userinfo (`https://user:password@proxy.example/v1`). Anchored on "://" so
# the search is linear: a pattern that begins with the scheme's letter run would retry that run from
# each of its letters, quadratic on a long base64 string (50,000 letters: 5 s).
_URL_PASSWORD = re.compile(r"://([^\s/@:\"'`]+):([^\s/@\"'`]+)@")
REDACTED = "…REDACTED"
#: Shorter values are not treated as secrets: no key is that short, and masking every "ab" of a
#: placeholder key would blank out the answers themselves.
MIN_SECRET_LENGTH = 4


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret and every key-shaped run masked."""
    needles = _needles(tuple(secrets))
    if needles:
        text = _mask_spans(text, needles)
    text = KEY_PATTERN.sub(lambda m: m.group(1) + REDACTED, text)
    return _URL_PASSWORD.sub(lambda m: f"://{m.group(1)}:{REDACTED}@", text) if "://" in text else text


def url_passwords(text: str) -> list[str]:
    """Passwords written into URLs (`scheme://user:password@host`): secrets like any key."""
    return [match.group(2) for match in _URL_PASSWORD.finditer(text)] if "://" in text else []


def needs_redaction(text: str, secrets: Iterable[str] = ()) -> bool:
    """True when `redact` would change `text` (a cheap test before rebuilding a large value)."""
    return (
        any(needle in text for needle in _needles(tuple(secrets)))
        or KEY_PATTERN.search(text) is not None
        or bool(url_passwords(text))
    )


def redact_value(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A JSON-like value (dicts, lists, strings, numbers) with every string in it redacted, keys too.

    A number whose digits hold a secret (an all-digit key) becomes the redacted string: a number
    cannot be masked in place.
    """
    frozen = tuple(secrets)
    if isinstance(value, str):
        return redact(value, frozen)
    if isinstance(value, dict):
        return {redact_value(k, frozen): redact_value(v, frozen) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(item, frozen) for item in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and frozen:
        shown = str(value)
        masked = redact(shown, frozen)
        return value if masked == shown else masked
    return value


def mask(secret: str) -> str:
    """What a secret is replaced with: its public type prefix when it is key-shaped, else nothing."""
    match = KEY_PATTERN.fullmatch(secret)
    return (match.group(1) if match else "") + REDACTED


_SECRET_ENV_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def environment_secrets() -> list[str]:
    """The values of every env var whose name says it holds a secret (`*_API_KEY`, `*_TOKEN`, ...):
    for text whose origin is unknown, such as an unexpected error's message."""
    return env_secrets(name for name in os.environ if _SECRET_ENV_NAME.search(name))


def env_secrets(names: Iterable[str]) -> list[str]:
    """The values of the given env vars (the keys a run uses), to be redacted wherever they appear.

    A placeholder (`OPENAI_API_KEY=test`, `EMPTY` for a local vLLM) is no secret: masking every
    "test" would garble diffs (no longer applicable with `git apply`) and answers for nothing.
    """
    values = (os.environ.get(name, "") for name in names)
    return [value for value in values if value and not is_placeholder_key(value)]


# A real key, as opposed to a placeholder such as "ollama", "EMPTY" or "sk-placeholder": a known
# key prefix followed by a long run of key characters, or any long token without spaces.
_KEY_LIKE = re.compile(r"(?:sk|gsk|xai|pk|rk)[-_][A-Za-z0-9_\-]{16,}|[A-Za-z0-9_\-]{32,}")
# What documentation and tutorials write where a key goes: "your-api-key", "EMPTY" (vLLM),
# "ollama", "not-needed" (LM Studio), "sk-...", "<key>", "test", "dummy".
_PLACEHOLDER_WORDS = re.compile(
    r"your|placeholder|dummy|fake|example|sample|test|changeme|change[-_ ]me|replace|insert|not[-_ ]?needed"
    r"|not[-_ ]?required|no[-_ ]?key|none|null|empty|todo|here|ollama|lm[-_ ]?studio|anything|<|\.\.\.",
    re.IGNORECASE,
)
_KEY_PREFIX = re.compile(r"^(?:sk-proj-|sk-|gsk_|xai-)")


def looks_like_key(value: str) -> bool:
    return bool(_KEY_LIKE.fullmatch(value.strip()))


def is_placeholder_key(value: str) -> bool:
    """A value written where a key goes that is not a secret ("your-api-key", "EMPTY", "sk-xxxx").

    Placeholders are shown as they are (a diff that only swaps placeholders stays applicable with
    `git apply`); anything else in a key's place is treated as a secret: never shown, reported.
    """
    rest = _KEY_PREFIX.sub("", value.strip())
    if not any(c.isalnum() for c in rest) or len(set(rest.lower())) == 1 or set(rest.lower()) <= set("x*.-_"):
        return True
    if rest.isdigit() and len(rest) <= 8:  # "sk-1234"
        return True
    return bool(_PLACEHOLDER_WORDS.search(value)) and not looks_like_key(value)


@lru_cache(maxsize=64)
def _needles(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret as it may appear in text we are shown: as is, and as JSON, HTML or a URL
    would escape it (an error page that echoes a request escapes what it quotes)."""
    found: set[str] = set()
    for secret in secrets:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            continue
        found.add(secret)
        found.add(json.dumps(secret)[1:-1])
        found.add(json.dumps(secret, ensure_ascii=False)[1:-1])
        found.add(html.escape(secret))
        found.add(quote(secret, safe=""))
    return tuple(sorted(found, key=len, reverse=True))


def _mask_spans(text: str, needles: tuple[str, ...]) -> str:
    """Mask every occurrence of every needle, overlapping ones included.

    Replacing one secret after another would leave the tail of a secret that overlaps an
    already-masked one in plain sight (the text "AAAA-BBBB" holding the secrets "AAAA-BB" and
    "-BBBB"): so every occurrence is found in the original text first, overlapping spans are
    merged, and each merged span is masked once.
    """
    spans: list[tuple[int, int]] = []
    for needle in needles:
        start = text.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = text.find(needle, start + 1)
    if not spans:
        return text
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    parts: list[str] = []
    position = 0
    for start, end in merged:
        parts.append(text[position:start])
        parts.append(mask(text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)
