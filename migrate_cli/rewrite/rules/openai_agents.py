"""MC012 openai-agents: point the OpenAI Agents SDK's provider at the target, and flag what it assumes.

Rewrites `OpenAIProvider(api_key=, base_url=)` (`agents`, `agents.models.openai_provider`) by the
shared policy (policy.py); without a URL it would read `OPENAI_BASE_URL` and talk to OpenAI. A
provider given `openai_client=` is left alone: that client is rewritten where it is built, as are the
clients in `set_default_openai_client(AsyncOpenAI(...))` and
`OpenAIChatCompletionsModel(model=..., openai_client=AsyncOpenAI(...))` (MC001).

What the SDK does beyond the URL, and what this rule does about it:
- It calls the Responses API by default, which most OpenAI-compatible providers do not serve. A file
  that hands the SDK a migrated client or provider (`set_default_openai_client`, `OpenAIProvider`
  without `use_responses=False`) but never calls `set_default_openai_api("chat_completions")` is
  listed for review; so is `OpenAIResponsesModel` on a migrated client.
- `set_default_openai_client(client)` also gives that client's key to the trace exporter, which
  sends it to OpenAI (`https://api.openai.com/v1/traces/ingest`, agents `tracing/processors.py`).
  For a migrated client that is the target's key: the rule adds `use_for_tracing=False` (traces
  keep using `OPENAI_API_KEY`, as before), unless the file calls `set_tracing_disabled(True)`; an
  explicit `use_for_tracing=True` is reviewed.
- `set_default_openai_key(...)` sets the key of the SDK's default OpenAI client: reviewed.
Source: https://github.com/openai/openai-agents-python (`src/agents/__init__.py`, `_config.py`,
`models/openai_provider.py`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.context import ModuleInfo, Recorder
from migrate_cli.rewrite.edits import AddKeywords, Edit
from migrate_cli.rewrite.framework import (
    SpecConstruction,
    argument,
    callee,
    calls_with_first_string,
    client_for_target,
    is_constant,
    keyword,
    lands_on_target,
    mentions,
)
from migrate_cli.rewrite.rules.base import Rule
from migrate_cli.rewrite.rules.construction import ConstructionSpec

PROVIDER = frozenset({"agents.OpenAIProvider", "agents.models.openai_provider.OpenAIProvider"})
RESPONSES_MODEL = frozenset({"agents.OpenAIResponsesModel", "agents.models.openai_responses.OpenAIResponsesModel"})
SET_CLIENT = frozenset({"agents.set_default_openai_client"})
SET_KEY = frozenset({"agents.set_default_openai_key"})
SET_API = frozenset({"agents.set_default_openai_api"})
SET_TRACING_DISABLED = frozenset({"agents.set_tracing_disabled", "agents.tracing.set_tracing_disabled"})

_PROVIDER_SPEC = ConstructionSpec(callees=PROVIDER, skip_if=("openai_client",))


class OpenAIAgentsRule(Rule):
    code = "MC012"
    name = "openai-agents"
    summary = "openai-agents OpenAIProvider points at the target; Responses-API and tracing assumptions flagged"
    # Constructs named OpenAI..., and code that imports the SDK alone (`from agents import Agent`):
    # with no provider or client it builds an OpenAI client from $OPENAI_API_KEY.
    needles = (b"openai", b"from agents", b"import agents")

    _provider = SpecConstruction(_PROVIDER_SPEC)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "agents"):
            return []
        edits: list[Edit] = list(self._provider.find(module, report))
        target = module.target.base_url
        on_responses_default: list[ast.Call] = []
        default_clients: list[ast.Call] = []
        for call in module.analysis.calls:
            name = callee(call, module)
            if name in SET_KEY:
                report.review(
                    call,
                    "set_default_openai_key() sets the key of the agents SDK's default OpenAI client, which still talks to OpenAI: give the SDK a client for the target instead (set_default_openai_client(AsyncOpenAI(base_url=..., api_key=...)))",
                )
            elif name in SET_CLIENT and client_for_target(argument(call, 0, "client"), module):
                on_responses_default.append(call)
                default_clients.append(call)
            elif name in PROVIDER and _provider_for_target(call, module):
                use_responses = keyword(call, "use_responses")
                if is_constant(use_responses, True):
                    report.review(
                        call,
                        f"OpenAIProvider(use_responses=True) calls the Responses API, which most OpenAI-compatible providers do not serve: check that {target} does, or set use_responses=False",
                    )
                elif not is_constant(use_responses, False):
                    on_responses_default.append(call)
            elif name in RESPONSES_MODEL and client_for_target(argument(call, 1, "openai_client"), module):
                report.review(
                    call,
                    f"OpenAIResponsesModel calls the Responses API, which most OpenAI-compatible providers do not serve: use OpenAIChatCompletionsModel for {target}",
                )
        if default_clients and not _tracing_disabled(module):
            for call in default_clients:
                edits += _keep_key_from_tracing(call, report)
        if on_responses_default and not calls_with_first_string(module, SET_API, "api", "chat_completions"):
            report.review(
                on_responses_default[0],
                f"the agents SDK calls the Responses API by default, which most OpenAI-compatible providers do not serve: "
                f'call set_default_openai_api("chat_completions") before running agents on {target}',
            )
        return edits


def _provider_for_target(call: ast.Call, module: ModuleInfo) -> bool:
    """An `OpenAIProvider(...)` that ends up at the target: moved here, or wrapping a migrated client."""
    inner = keyword(call, "openai_client")
    return client_for_target(inner, module) if inner is not None else lands_on_target(call, _PROVIDER_SPEC, module)


def _tracing_disabled(module: ModuleInfo) -> bool:
    """The file calls `set_tracing_disabled(True)`: no key goes to the trace exporter at all."""
    return any(
        callee(call, module) in SET_TRACING_DISABLED and is_constant(argument(call, 0, "disabled"), True)
        for call in module.analysis.calls
    )


def _keep_key_from_tracing(call: ast.Call, report: Recorder) -> list[Edit]:
    """`set_default_openai_client(client)` would hand the target's key to OpenAI's trace exporter."""
    flag = argument(call, 1, "use_for_tracing")
    if is_constant(flag, False):
        return []
    if flag is not None:
        report.review(
            call,
            "set_default_openai_client(..., use_for_tracing=...) hands this client's key (now the target's) to the "
            "agents SDK's trace exporter, which sends it to OpenAI: pass use_for_tracing=False or call "
            "set_tracing_disabled(True)",
        )
        return []
    report.change(
        call,
        "set_default_openai_client(): use_for_tracing=False (the target's key must not go to OpenAI's trace exporter; traces use OPENAI_API_KEY, as before)",
    )
    return [AddKeywords(call, (("use_for_tracing", "False"),))]
