"""`SpecConstruction`: the construction machinery of `construction.py` for one constructor family of a rule."""

from __future__ import annotations

import ast

from migrate_cli.rewrite.analysis.names import short_name
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined
from migrate_cli.rewrite.api.context import ModuleInfo


class SpecConstruction(ConstructionRule):
    """The construction machinery for one constructor family, when a rule covers several families.

    A rule with one code may need different specs per family (LangChain's legacy classes only know
    `openai_api_base`, the current ones prefer `base_url`); it holds one of these per spec and runs
    them under its own code. `positional_limit` allows that many positional arguments (for
    constructors whose leading parameters may be positional, e.g. LlamaIndex's `OpenAI("gpt-4o")`),
    and reviews a call with more, since a later positional could be the URL or the key itself.
    """

    def __init__(self, spec: ConstructionSpec, positional_limit: int | None = None) -> None:
        self.spec = spec  # type: ignore[misc]  # per instance, shadowing the ClassVar
        self.positional_limit = positional_limit

    def match(self, call: ast.Call, module: ModuleInfo) -> tuple[str | None, str | None]:
        names = module.qualify(call.func).names
        if len(names) > 1 and names <= self.spec.callees:
            # Bound to several paths that are all this constructor (`if ...: from llama_index.llms.openai
            # import OpenAI / else: from llama_index.llms import OpenAI`): the same class either way.
            applies = self.spec.applies is None or self.spec.applies(call, module)
            return (short_name(min(names)), None) if applies else (None, None)
        return super().match(call, module)

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        if self.positional_limit is not None and len(call.args) > self.positional_limit:
            return Declined(
                f"{label}(...) with {len(call.args)} positional arguments may pass the URL or key by position: "
                "left as is; use keywords"
            )
        return None
