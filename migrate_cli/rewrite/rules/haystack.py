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

Reviewed: `OpenAIResponsesChatGenerator` once it moves (the Responses API is OpenAI-only on most
providers), and the evaluators that build their own OpenAI generator: `LLMEvaluator`,
`FaithfulnessEvaluator` and `ContextRelevanceEvaluator` without `chat_generator=` use
`OpenAIChatGenerator()` from `OPENAI_API_KEY` in JSON mode (`components/evaluators/llm_evaluator.py`;
before 2.12 the same through `api="openai"`, `api_key=`): there is no URL argument to rewrite.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.haystack_names import OPENAI_COMPONENTS as CALLEES
from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.analysis.values import HAYSTACK_SECRET_CLASSES
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined, calls_to
from migrate_cli.rewrite.api.context import Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.framework import callee, lands_on_target
from migrate_cli.rewrite.api.rule import FixSafety

RESPONSES = frozenset(name for name in CALLEES if name.endswith(".OpenAIResponsesChatGenerator"))
_EVALUATOR_HOMES = {
    "LLMEvaluator": "llm_evaluator",
    "FaithfulnessEvaluator": "faithfulness",
    "ContextRelevanceEvaluator": "context_relevance",
}
EVALUATORS = frozenset(
    f"haystack.components.evaluators{home}.{cls}"
    for cls, module in _EVALUATOR_HOMES.items()
    for home in ("", f".{module}")
)
_SECRET_MODULE = "haystack.utils"


class HaystackRule(ConstructionRule):
    code = "MC019"
    name = "haystack"
    fix_safety = FixSafety.SAFE
    summary = (
        "Haystack OpenAI generators/embedders: api_base_url and api_key=Secret.from_env_var(...) point at the target"
    )
    # Spelled as imports: "haystack" alone is a common word in search and test code.
    needles = (b"from haystack", b"import haystack")
    spec = ConstructionSpec(callees=CALLEES, url_params=("api_base_url",), key_params=("api_key",))

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not module.mentions(self.needles):
            return []
        edits = list(super().find(module, report))
        target = module.target
        for call in calls_to(module, RESPONSES | EVALUATORS):
            name = callee(call, module)
            if name in RESPONSES and lands_on_target(call, self.spec, module):
                report.review(
                    call,
                    "OpenAIResponsesChatGenerator calls the Responses API, which most OpenAI-compatible providers "
                    f"do not serve: check that {target.base_url} does, or use OpenAIChatGenerator",
                )
            elif name in EVALUATORS and not any(k.arg in ("chat_generator", None) for k in call.keywords):
                report.review(
                    call,
                    f"{short_name(name)}(...) without chat_generator= builds OpenAIChatGenerator() from "
                    "$OPENAI_API_KEY (JSON mode), so it still talks to OpenAI: pass chat_generator=OpenAIChatGenerator("
                    f'api_base_url="{target.base_url}", api_key=Secret.from_env_var("{target.api_key_env}"), '
                    'generation_kwargs={"response_format": {"type": "json_object"}}) if the target serves JSON mode',
                )
        return edits

    def key_code(
        self, module: ModuleInfo, anchor: ast.AST, report: Recorder, placeholder: str | None = None
    ) -> str | None:
        # A Secret resolves the variable when the component runs, not at import: no placeholder needed.
        return self._secret(module, anchor, report)

    @staticmethod
    def _secret(module: ModuleInfo, anchor: ast.AST, report: Recorder) -> str | None:
        name = module.reach(HAYSTACK_SECRET_CLASSES, "Secret", _SECRET_MODULE, anchor, report)
        return None if name is None else f'{name}.from_env_var("{module.target.api_key_env}")'

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        if self._secret(module, call, Recorder(self.code, Findings())) is None:  # asked, not yet required
            return Declined(
                f"{label}(...): `Secret` is bound to something other than haystack's here, so "
                "Secret.from_env_var(...) cannot be written: set api_key and api_base_url by hand"
            )
        return None
