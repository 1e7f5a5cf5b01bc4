"""App settings, read once from the environment."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    model: str = os.getenv("DESK_MODEL", "gpt-4o-mini")
    # The key is read by the client factory itself; only non-secret knobs live here.
    timeout: float = float(os.getenv("DESK_TIMEOUT", "30"))
    max_retries: int = 2
    org_key: str = os.getenv("DESK_ORG_KEY", "")


SETTINGS = Settings()
