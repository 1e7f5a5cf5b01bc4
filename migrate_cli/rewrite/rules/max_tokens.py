"""MC005 max-tokens: `max_completion_tokens=` -> `max_tokens=` for targets not known to accept it.

OpenAI deprecated `max_tokens` in favour of `max_completion_tokens` (openai-python
`src/openai/types/chat/completion_create_params.py`), but many OpenAI-compatible servers only
document `max_tokens` (https://platform.vmira.ai/docs/api/chat-completions,
https://docs.ollama.com/api/openai-compatibility; LiteLLM maps the new name back for Cerebras, Mistral
and others: `litellm/llms/openai_like/providers.json`), and may ignore or refuse the new name, so a length limit
silently stops applying. When the target's preset does not say it accepts `max_completion_tokens`
(`Target.accepts_max_completion_tokens`, from providers/presets.toml), the keyword is renamed in
calls on openai clients that move to the target (see clients.py). A call that passes both names
is listed for review: which limit should win is the author's call.
"""

from __future__ import annotations

from collections.abc import Iterable

from migrate_cli.rewrite.api.clients import client_calls
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit, RenameKeyword
from migrate_cli.rewrite.api.rule import FixSafety, Rule

NEW_NAME = "max_completion_tokens"
OLD_NAME = "max_tokens"
# Endpoints whose parameters include both names (chat completions and their parse/stream helpers).
_CHAT = frozenset(
    {
        "chat.completions.create",
        "chat.completions.parse",
        "chat.completions.stream",
        "beta.chat.completions.create",
        "beta.chat.completions.parse",
        "beta.chat.completions.stream",
    }
)


class MaxTokensRule(Rule):
    code = "MC005"
    name = "max-tokens"
    fix_safety = FixSafety.SAFE
    summary = "max_completion_tokens= becomes max_tokens= when the target is not known to accept it"
    needles = (b"max_completion_tokens",)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if module.target.accepts_max_completion_tokens or NEW_NAME not in module.source:
            return []
        edits: list[Edit] = []
        for api_call in client_calls(module):
            if api_call.endpoint not in _CHAT or not api_call.origin.moves:
                continue
            if api_call.keyword(NEW_NAME) is None:
                continue
            where = f"{api_call.endpoint}()"
            if api_call.keyword(OLD_NAME) is not None:
                report.review(
                    api_call.call,
                    f"{where} passes both {NEW_NAME}= and {OLD_NAME}=; the target is not known to accept {NEW_NAME}: "
                    f"keep one {OLD_NAME}=",
                )
                continue
            edits.append(RenameKeyword(api_call.call, NEW_NAME, OLD_NAME))
            report.change(
                api_call.call, f"{where}: {NEW_NAME}= -> {OLD_NAME}= (the target is not known to accept {NEW_NAME})"
            )
        return edits
