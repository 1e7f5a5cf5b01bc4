"""The rule registry: every rewrite rule, in the order they run.

Order matters only where two rules could touch the same node; each rule's module docstring says
what it rewrites and why. `migrate rules` lists this tuple; `--only/--skip` select from it.
"""

from __future__ import annotations

from migrate_cli.rewrite.api.rule import Rule
from migrate_cli.rewrite.rules.autogen import AutogenRule
from migrate_cli.rewrite.rules.azure import AzureRule
from migrate_cli.rewrite.rules.client_options import ClientOptionsRule
from migrate_cli.rewrite.rules.crewai import CrewAIRule
from migrate_cli.rewrite.rules.dspy import DSPyRule
from migrate_cli.rewrite.rules.env_writes import EnvWritesRule
from migrate_cli.rewrite.rules.haystack import HaystackRule
from migrate_cli.rewrite.rules.langchain import LangChainRule
from migrate_cli.rewrite.rules.litellm import LiteLLMRule
from migrate_cli.rewrite.rules.llamaindex import LlamaIndexRule
from migrate_cli.rewrite.rules.max_tokens import MaxTokensRule
from migrate_cli.rewrite.rules.model_ids import ModelIdsRule
from migrate_cli.rewrite.rules.module_client import ModuleClientRule
from migrate_cli.rewrite.rules.module_constants import ModuleConstantRule
from migrate_cli.rewrite.rules.openai_agents import OpenAIAgentsRule
from migrate_cli.rewrite.rules.openai_client import ClientRule
from migrate_cli.rewrite.rules.pydantic_ai import PydanticAIRule
from migrate_cli.rewrite.rules.pydantic_settings import PydanticSettingsRule

RULES: tuple[Rule, ...] = (
    ClientRule(),
    ModuleClientRule(),
    AzureRule(),
    ModelIdsRule(),
    MaxTokensRule(),
    ModuleConstantRule(),
    ClientOptionsRule(),
    LangChainRule(),
    LlamaIndexRule(),
    OpenAIAgentsRule(),
    PydanticAIRule(),
    LiteLLMRule(),
    EnvWritesRule(),
    AutogenRule(),
    DSPyRule(),
    CrewAIRule(),
    HaystackRule(),
    PydanticSettingsRule(),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
