"""Model ids: is this string an OpenAI model id, and what does the model map make of it?

Pure string logic shared by MC003 (Azure deployment names) and MC004 (model ids). A model id may be
written bare (`gpt-4o`, in `client.chat.completions.create(model=...)` and most framework
constructors) or with a provider prefix that routes it: `openai/gpt-4o` (litellm, DSPy, CrewAI)
or `openai:gpt-4o` (pydantic-ai). The prefix is kept: it tells those libraries to use their
OpenAI-compatible route, which the migrated base URL now points at the target.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# OpenAI's model families (platform.openai.com/docs/models): chat and reasoning models, legacy
# completions, embeddings, audio, images, moderation, and fine-tunes (`ft:gpt-4o-mini:org::id`).
# `gpt-oss-*` is left out on purpose: open weights that many providers serve under that very id.
_OPENAI_MODEL = re.compile(
    r"""(?x)
    ft:.+
    | (?!gpt-oss)gpt-[0-9][\w.\-]*
    | gpt-image-[\w.\-]+
    | chatgpt-[\w.\-]+
    | o[1-9](-[\w.\-]+)?
    | text-embedding-[\w.\-]+
    | text-(davinci|curie|babbage|ada)-[\w.\-]+
    | (davinci|babbage)-00[0-9]
    | (text|omni)-moderation-[\w.\-]+
    | whisper-1 | tts-1(-hd)?([\w.\-]+)? | gpt-4o(-mini)?-(transcribe|tts)[\w.\-]*
    | dall-e-[23]
    | computer-use-preview[\w.\-]*
    | codex-mini[\w.\-]*
    """
)


def is_openai_model_id(model: str) -> bool:
    return _OPENAI_MODEL.fullmatch(model.strip()) is not None


@dataclass(frozen=True)
class ModelId:
    """A model id as written: `prefix` ("", "openai/" or "openai:") + `name`."""

    prefix: str
    name: str

    @property
    def text(self) -> str:
        return self.prefix + self.name


def split_model_id(value: str, prefix: str) -> ModelId | None:
    """`value` as an id of a site whose ids carry `prefix`; None when it names another provider.

    For a prefixed site, "openai/gpt-4o" -> ModelId("openai/", "gpt-4o") and a bare "gpt-4o" ->
    ModelId("", "gpt-4o") (the library infers the provider); "anthropic/claude" -> None.
    """
    if prefix and value.startswith(prefix):
        return ModelId(prefix, value[len(prefix) :])
    if prefix and prefix[-1] in value:
        return None  # another provider's prefix ("azure/...", "ollama/...", "anthropic:...")
    return ModelId("", value)


@dataclass(frozen=True)
class MapResult:
    #: "mapped" (new text in `text`), "unmapped" (an OpenAI id nobody mapped), "target" (already a
    #: model the map maps *to*), or "other" (not an OpenAI id, not in the map: none of our business).
    outcome: str
    text: str = ""


def map_model_id(model: ModelId, model_map: Mapping[str, str]) -> MapResult:
    """Apply the model map to one id, keeping its prefix.

    An id that the map produces (one of its NEW values) is left alone, so a second run changes
    nothing even when the map chains (a=b, b=c), and `gpt-4o=gpt-4o` says "keep this id".
    """
    new_values = set(model_map.values())
    for key in (model.text, model.name):
        if key in new_values:
            return MapResult("target")
    if model.text in model_map:
        return MapResult("mapped", model_map[model.text])
    if model.name in model_map:
        return MapResult("mapped", model.prefix + model_map[model.name])
    if is_openai_model_id(model.name):
        return MapResult("unmapped")
    return MapResult("other")


def unmapped_reason(model: str) -> str:
    """One reason per id, so the summary groups every site of an id under it."""
    return f"{model} is an OpenAI model id: map it with --model-map {model}=<model>"
