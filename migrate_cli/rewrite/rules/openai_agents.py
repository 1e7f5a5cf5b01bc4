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
- `MultiProvider(openai_base_url=, openai_api_key=)` (the provider `RunConfig` uses by default, whose
  OpenAI part is an `OpenAIProvider` built from those) is rewritten like `OpenAIProvider`.
- A file that builds an `Agent(...)` with no model or a model name (`"gpt-4o"`, `"openai/gpt-4o"`),
  or runs `Runner.run / run_sync / run_streamed(...)` on an agent it does not build, while nothing in
  it hands the SDK a client or provider (`set_default_openai_client`, `OpenAIProvider`,
  `MultiProvider`, `RunConfig(model_provider=...)`, a model object such as
  `OpenAIChatCompletionsModel(...)` for that agent): the SDK then builds its default OpenAI client
  from OPENAI_API_KEY / OPENAI_BASE_URL (`models/openai_provider.py`, `_openai_shared.py`) and keeps
  talking to OpenAI. There is no argument to rewrite, and where the target is set once is the app's
  choice, so the file is reviewed once, with the two calls that set it
  (`set_default_openai_client(AsyncOpenAI(base_url=..., api_key=...), use_for_tracing=False)` and
  `set_default_openai_api("chat_completions")`). Model names with another provider's prefix
  (`"litellm/..."`, `"any-llm/..."`) are not OpenAI's (`models/multi_provider.py`).
Source: https://github.com/openai/openai-agents-python (`src/agents/__init__.py`, `_config.py`,
`models/openai_provider.py`, `models/multi_provider.py`, `run_config.py`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.api.agents_default_client import (
    CONFIGURES,
    MULTI_PROVIDER,
    PROVIDER,
    RUNS,
    SET_CLIENT,
    SET_KEY,
    VOICE_PROVIDER,
    first_on_default_client,
)
from migrate_cli.rewrite.api.construction import ConstructionSpec
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import AddKeywords, Edit
from migrate_cli.rewrite.api.framework import (
    argument,
    callee,
    calls_with_first_string,
    client_for_target,
    is_constant,
    keyword,
    lands_on_target,
    mentions,
)
from migrate_cli.rewrite.api.rule import FixSafety, Rule
from migrate_cli.rewrite.api.spec_construction import SpecConstruction

REALTIME_RUNNER = frozenset({"agents.realtime.RealtimeRunner", "agents.realtime.runner.RealtimeRunner"})
RESPONSES_MODEL = frozenset({"agents.OpenAIResponsesModel", "agents.models.openai_responses.OpenAIResponsesModel"})
SET_API = frozenset({"agents.set_default_openai_api"})
SET_TRACING_DISABLED = frozenset({"agents.set_tracing_disabled", "agents.tracing.set_tracing_disabled"})

_PROVIDER_SPEC = ConstructionSpec(callees=PROVIDER, skip_if=("openai_client",))
_MULTI_PROVIDER_SPEC = ConstructionSpec(
    callees=MULTI_PROVIDER,
    url_params=("openai_base_url",),
    key_params=("openai_api_key",),
    skip_if=("openai_client",),
)
_VOICE_PROVIDER_SPEC = ConstructionSpec(callees=VOICE_PROVIDER, skip_if=("openai_client",))


class OpenAIAgentsRule(Rule):
    code = "MC012"
    name = "openai-agents"
    fix_safety = FixSafety.SAFE
    summary = (
        "openai-agents OpenAIProvider/MultiProvider point at the target; agents on the SDK's default client, "
        "Responses-API and tracing assumptions flagged"
    )
    # An app that only builds `Agent`s and runs them never names OpenAI.
    needles = (b"openai", b"from agents", b"import agents")

    _providers = (
        SpecConstruction(_PROVIDER_SPEC),
        SpecConstruction(_MULTI_PROVIDER_SPEC),
        SpecConstruction(_VOICE_PROVIDER_SPEC),
    )

    def constructions(self) -> tuple[Rule, ...]:
        return self._providers

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not mentions(module, "agents"):
            return []
        edits: list[Edit] = [edit for provider in self._providers for edit in provider.find(module, report)]
        _review_default_client(module, report)
        target = module.target.base_url
        on_responses_default: list[ast.Call] = []
        default_clients: list[ast.Call] = []
        for call in module.analysis.calls:
            name = callee(call, module)
            if name in SET_KEY:
                report.review(
                    call,
                    "set_default_openai_key() sets the key of the agents SDK's default OpenAI client, which still "
                    "talks to OpenAI: give the SDK a client for the target instead "
                    "(set_default_openai_client(AsyncOpenAI(base_url=..., api_key=...)))",
                )
            elif name in SET_CLIENT and client_for_target(argument(call, 0, "client"), module):
                on_responses_default.append(call)
                default_clients.append(call)
            elif (name in PROVIDER or name in MULTI_PROVIDER) and _provider_for_target(call, module):
                flag = "use_responses" if name in PROVIDER else "openai_use_responses"
                use_responses = keyword(call, flag)
                if is_constant(use_responses, True):
                    report.review(
                        call,
                        f"{short_name(name)}({flag}=True) calls the Responses API, which most OpenAI-compatible "
                        f"providers do not serve: check that {target} does, or set {flag}=False",
                    )
                elif not is_constant(use_responses, False):
                    on_responses_default.append(call)
            elif name in VOICE_PROVIDER and lands_on_target(call, _VOICE_PROVIDER_SPEC, module):
                report.review(
                    call,
                    "OpenAIVoiceModelProvider transcribes and speaks with OpenAI's audio models (gpt-4o-transcribe, "
                    f"gpt-4o-mini-tts by default): check that {target} serves /audio/transcriptions and /audio/speech "
                    "and pass the voice models it serves, or keep it on OpenAI",
                )
            elif name in REALTIME_RUNNER:
                report.review(
                    call,
                    "RealtimeRunner talks to OpenAI's Realtime API (a websocket to wss://api.openai.com/v1/realtime "
                    "with OPENAI_API_KEY), not to the default client: it stays on OpenAI; most OpenAI-compatible "
                    "providers serve no Realtime API",
                )
            elif name in RESPONSES_MODEL and client_for_target(argument(call, 1, "openai_client"), module):
                report.review(
                    call,
                    "OpenAIResponsesModel calls the Responses API, which most OpenAI-compatible providers do not "
                    f"serve: use OpenAIChatCompletionsModel for {target}",
                )
        if default_clients and not _tracing_disabled(module):
            for call in default_clients:
                edits += _keep_key_from_tracing(call, report)
        if on_responses_default and not calls_with_first_string(module, SET_API, "api", "chat_completions"):
            report.review(
                on_responses_default[0],
                "the agents SDK calls the Responses API by default, which most OpenAI-compatible providers do not "
                "serve: "
                f'call set_default_openai_api("chat_completions") before running agents on {target}',
            )
        return edits


def _provider_for_target(call: ast.Call, module: ModuleInfo) -> bool:
    """An `OpenAIProvider(...)` / `MultiProvider(...)` at the target: moved here, or wrapping a migrated client."""
    inner = keyword(call, "openai_client")
    if inner is not None:
        return client_for_target(inner, module)
    spec = _PROVIDER_SPEC if callee(call, module) in PROVIDER else _MULTI_PROVIDER_SPEC
    return lands_on_target(call, spec, module)


def _review_default_client(module: ModuleInfo, report: Recorder) -> None:
    """Once per file: agents that run on the SDK's default OpenAI client, when nothing here configures one."""
    found = first_on_default_client(module, CONFIGURES)
    if found is None:
        return
    on_default, name = found
    target = module.target
    what = f"Runner.{short_name(name)}" if name in RUNS else short_name(name)
    report.review(
        on_default,
        f"{what}(...) runs on the agents SDK's default OpenAI client, which "
        "it builds from OPENAI_API_KEY / OPENAI_BASE_URL, so these agents still talk to OpenAI: set the target "
        f'once, before any agent runs: set_default_openai_client(AsyncOpenAI(base_url="{target.base_url}", '
        f'api_key=os.environ["{target.api_key_env}"]), use_for_tracing=False) and '
        'set_default_openai_api("chat_completions") (unless another module of the app already does)',
    )


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
        "set_default_openai_client(): use_for_tracing=False (the target's key must not go to OpenAI's trace exporter; "
        "traces use OPENAI_API_KEY, as before)",
    )
    return [AddKeywords(call, (("use_for_tracing", "False"),))]
