"""MC001 openai-client: point `OpenAI(...)` / `AsyncOpenAI(...)` constructions at the target.

Matches the openai package's client classes by qualified name (`OpenAI`, `AsyncOpenAI`, `Client`,
`AsyncClient`, through any import form, plus known re-exports such as `agents.AsyncOpenAI` and
Langfuse's drop-in module) wherever an expression can stand. Sets `base_url` and `api_key` by the
policy in `policy.py`, removes `data_residency=` (OpenAI's regional hosts; the SDK refuses it
together with `base_url`: openai-python `src/openai/_data_residency.py`), and follows
`OpenAI(**cfg)` into a dict literal when that dict is built once and never mutated.

Left alone and reviewed: `provider=` (e.g. `bedrock(...)`: that client talks to AWS, not to OpenAI,
and the SDK refuses it together with `base_url`) and `workload_identity=` (OpenAI's workload
identity federation; the SDK refuses it together with `api_key`): openai-python
`src/openai/lib/_client_auth.py`.
"""

from __future__ import annotations

import ast

from migrate_cli.rewrite.analysis.names import CLIENT_NAMES
from migrate_cli.rewrite.api.clients import REFUSED_CLIENT_ARGUMENTS, unproven_copies
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec
from migrate_cli.rewrite.api.context import ModuleInfo
from migrate_cli.rewrite.api.rule import FixSafety

_REFUSED_WITH_BASE_URL = "the SDK refuses it together with base_url"


class ClientRule(ConstructionRule):
    code = "MC001"
    name = "openai-client"
    fix_safety = FixSafety.SAFE
    summary = "OpenAI()/AsyncOpenAI() constructions: base_url and api_key point at the target"
    spec = ConstructionSpec(
        callees=CLIENT_NAMES,
        drop_params=(("data_residency", _REFUSED_WITH_BASE_URL),),
        refuse_if=REFUSED_CLIENT_ARGUMENTS,
    )

    def extra_problem(self, call: ast.Call, module: ModuleInfo) -> str | None:
        copy = unproven_copies(module).get(id(call))
        if copy is None:
            return None
        copy_call, reason = copy
        return (
            f"a copy of this client at {module.where(copy_call)} ({module.segment(copy_call.func)}(...)) passes "
            f"{reason.split(': left as is')[0]}, and a copy keeps its client's URL: the client is left as is"
        )
