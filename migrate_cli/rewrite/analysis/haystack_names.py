"""Where Haystack's OpenAI components live: every qualified name each class is importable by.

Data shared by MC019 (which points them at the target) and MC004 (which maps the model ids they
send). Haystack 2.x paths; 3.x dropped `OpenAIGenerator`, `DALLEImageGenerator` and
`RemoteWhisperTranscriber` (deepset-ai/haystack `haystack/components/generators/`, `embedders/`, `audio/`).
"""

from __future__ import annotations

_HOMES: dict[str, tuple[str, ...]] = {
    "OpenAIChatGenerator": ("haystack.components.generators.chat", "haystack.components.generators.chat.openai"),
    "OpenAIResponsesChatGenerator": (
        "haystack.components.generators.chat",
        "haystack.components.generators.chat.openai_responses",
    ),
    "OpenAIGenerator": ("haystack.components.generators", "haystack.components.generators.openai"),
    "OpenAIImageGenerator": ("haystack.components.generators", "haystack.components.generators.openai_image_generator"),
    "DALLEImageGenerator": ("haystack.components.generators", "haystack.components.generators.openai_dalle"),
    "OpenAITextEmbedder": ("haystack.components.embedders", "haystack.components.embedders.openai_text_embedder"),
    "OpenAIDocumentEmbedder": (
        "haystack.components.embedders",
        "haystack.components.embedders.openai_document_embedder",
    ),
    "RemoteWhisperTranscriber": ("haystack.components.audio", "haystack.components.audio.whisper_remote"),
}
OPENAI_COMPONENTS = frozenset(f"{module}.{cls}" for cls, modules in _HOMES.items() for module in modules)
