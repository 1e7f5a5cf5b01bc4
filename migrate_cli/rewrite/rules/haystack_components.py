"""MC019 haystack: point Haystack's OpenAI components at the target.

`OpenAIChatGenerator`, `OpenAIResponsesChatGenerator`, `OpenAIGenerator`, `OpenAITextEmbedder`,
`OpenAIDocumentEmbedder`, `OpenAIImageGenerator`, `DALLEImageGenerator` and
`RemoteWhisperTranscriber` take `api_base_url=` and `api_key=Secret.from_env_var("OPENAI_API_KEY")`
(the default; deepset-ai/haystack `haystack/components/generators/chat/openai.py`), and build an
`OpenAI(api_key=..., base_url=api_base_url)` client from them. Haystack wraps keys in `Secret`, so
the key policy reads `Secret.from_env_var("X")` as a read of X and `Secret.from_token("sk-...")` as a
hard-coded key (values.py): `Secret.from_env_var("OPENAI_API_KEY")` -> `Secret.from_env_var("<ENV>")`,
a missing key or a token -> `Secret.from_env_var("<ENV>")` (adding `from haystack.utils import
Secret` when the module has no `Secret`), the token reported as a security finding. `api_base_url`
follows the base_url policy. Azure components are not ours.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.context import Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.edits import Edit
from migrate_cli.rewrite.rules.construction import ConstructionRule, ConstructionSpec
from migrate_cli.rewrite.values import HAYSTACK_SECRET_CLASSES

_HOMES = {
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
CALLEES = frozenset(f"{module}.{cls}" for cls, modules in _HOMES.items() for module in modules)
_SECRET_MODULE = "haystack.utils"


class HaystackRule(ConstructionRule):
    code = "MC019"
    name = "haystack"
    summary = (
        "Haystack OpenAI generators/embedders: api_base_url and api_key=Secret.from_env_var(...) point at the target"
    )
    # Spelled as imports: "haystack" alone is a common word in search and test code.
    needles = (b"from haystack", b"import haystack")
    spec = ConstructionSpec(callees=CALLEES, url_params=("api_base_url",), key_params=("api_key",))

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return []
        return super().find(module, report)

    def key_code(
        self, module: ModuleInfo, anchor: ast.AST, report: Recorder, placeholder: str | None = None
    ) -> str | None:
        # A Secret resolves the variable when the component runs, not at import: no placeholder needed.
        return self._secret(module, anchor, report)

    @staticmethod
    def _secret(module: ModuleInfo, anchor: ast.AST, report: Recorder) -> str | None:
        name = module.reach(HAYSTACK_SECRET_CLASSES, "Secret", _SECRET_MODULE, anchor, report)
        return None if name is None else f'{name}.from_env_var("{module.target.api_key_env}")'

    def rewrite_call(self, call, label, module, report):  # type: ignore[no-untyped-def]
        if self._secret(module, call, Recorder(self.code, Findings())) is None:
            report.review(
                call,
                f"{label}(...): `Secret` is bound to something other than haystack's here, so Secret.from_env_var(...) cannot be written: set api_key and api_base_url by hand",
            )
            return
        yield from super().rewrite_call(call, label, module, report)
