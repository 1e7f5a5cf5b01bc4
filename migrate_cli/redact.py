"""Keep secrets out of everything we print or write.

Two nets: values we know are secret (a hard-coded key the rewrite removed, the value of an API-key
env var a run used), and anything shaped like a provider key. Redaction keeps a short prefix so a
user can still tell which key a line was about.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

# sk-..., sk-proj-..., sk-mira-..., gsk_... (Groq), xai-..., and OpenRouter's sk-or-v1-...: a known
# prefix followed by a long run of key characters. Placeholders such as "sk-placeholder" stay
# readable because they are short and the rewrite does not treat them as keys.
KEY_PATTERN = re.compile(r"\b((?:sk|gsk|xai|pk|rk)[-_])[A-Za-z0-9_\-]{16,}")
REDACTED = "…REDACTED"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    return KEY_PATTERN.sub(lambda m: m.group(1) + REDACTED, text)


def mask(secret: str) -> str:
    prefix = secret[:3] if len(secret) > 12 else ""
    return prefix + REDACTED


def env_secrets(names: Iterable[str]) -> list[str]:
    """The values of the given env vars (the keys a run uses), to be redacted wherever they appear."""
    return [os.environ[name] for name in names if os.environ.get(name)]
