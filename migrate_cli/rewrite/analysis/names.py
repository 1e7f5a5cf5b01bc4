"""Qualified names that mean "the openai package", including its known re-exports and drop-ins."""

from __future__ import annotations

# Modules that *are* openai for our purposes: the package itself and drop-in replacements that
# re-export its clients and module-level config (Langfuse's `from langfuse.openai import openai`).
OPENAI_MODULES = frozenset({"openai", "langfuse.openai", "langfuse.openai.openai"})

_CLIENT_CLASSES = ("OpenAI", "AsyncOpenAI", "Client", "AsyncClient")
_AZURE_CLASSES = ("AzureOpenAI", "AsyncAzureOpenAI")

CLIENT_NAMES = frozenset(
    {f"{module}.{cls}" for module in OPENAI_MODULES for cls in _CLIENT_CLASSES}
    | {f"openai._client.{cls}" for cls in _CLIENT_CLASSES}
    # openai-agents re-exports the SDK's async client: `from agents import AsyncOpenAI`.
    | {"agents.AsyncOpenAI"}
)
AZURE_CLIENT_NAMES = frozenset(
    {f"{module}.{cls}" for module in OPENAI_MODULES for cls in _AZURE_CLASSES}
    | {f"openai.lib.azure.{cls}" for cls in _AZURE_CLASSES}
)


def short_name(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]
