"""One place that builds the OpenAI clients the app uses."""

from __future__ import annotations

import os
from functools import lru_cache

from openai import OpenAI

from .settings import SETTINGS


@lru_cache(maxsize=1)
def get_client() -> OpenAI:
    """The shared synchronous client (cached: building one opens a connection pool)."""
    return OpenAI(
        api_key=os.environ["MIRA_API_KEY"],
        timeout=SETTINGS.timeout,  # seconds
        max_retries=SETTINGS.max_retries,
        base_url="https://api.vmira.ai/v1",
    )


def client_for_tenant(tenant_key: str | None = None) -> OpenAI:
    """Tenants may bring their own key; the URL stays the app's."""
    options = {"timeout": SETTINGS.timeout, "max_retries": 0}
    return OpenAI(api_key=tenant_key or SETTINGS.org_key, **options)


def default_client_factory(make=lambda: OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")):
    """Tests swap the factory; production uses the lambda default."""
    return make()
