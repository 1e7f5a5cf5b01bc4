"""The byte pre-filter lets through code that uses a framework the rules handle, "openai" or not.

A file the pre-filter rejects is never parsed. Framework code often never spells "openai": the
agents SDK builds its default OpenAI client from the environment, LlamaIndex's default LLM is
OpenAI's, LangChain infers the provider of `init_chat_model("gpt-4o")`, pydantic-ai that of
`Agent("gpt-4o")`. (Every engine run of the rewrite tests also checks that no rule acts on code the
pre-filter rejects: see conftest.py.)
"""

from __future__ import annotations

import pytest

from migrate_cli.rewrite.engine import might_contain_client

FRAMEWORK_CODE = {
    "openai-agents": "from agents import Agent, Runner\n\nagent = Agent(name='a', instructions='be brief')\n",
    "openai-agents, module import": "import agents\n\nagent = agents.Agent(name='a')\n",
    "langchain": "from langchain.chat_models import init_chat_model\n\nllm = init_chat_model('gpt-4o')\n",
    "llamaindex": "from llama_index.core import VectorStoreIndex\n\nindex = VectorStoreIndex.from_documents([])\n",
    "pydantic-ai": "from pydantic_ai import Agent\n\nagent = Agent('gpt-4o')\n",
    "litellm": "import litellm\n\nlitellm.completion(model='gpt-4o', messages=[])\n",
    "autogen": "from autogen import AssistantAgent\n\nagent = AssistantAgent('a', llm_config={'model': 'gpt-4o'})\n",
    "ag2": "import ag2\n",
    "autogen 0.4": "from autogen_agentchat.agents import AssistantAgent\n",
    "dspy": "import dspy\n\ndspy.configure(lm=dspy.LM('gpt-4o'))\n",
    "crewai": "from crewai import LLM\n\nllm = LLM(model='gpt-4o')\n",
    "haystack": "from haystack.components.generators import HuggingFaceAPIGenerator\n",
    "pydantic-settings": "from pydantic_settings import BaseSettings\n\nclass S(BaseSettings):\n    model: str\n",
}

PLAIN_CODE = {
    "stdlib": "import json\nimport os\n\nprint(json.dumps(dict(os.environ)))\n",
    "a variable named agents": "agents = ['smith', 'brown']\nfor agent in agents:\n    print(agent)\n",
    "another LLM SDK": "import anthropic\n\nclient = anthropic.Anthropic()\n",
}


@pytest.mark.parametrize("code", FRAMEWORK_CODE.values(), ids=FRAMEWORK_CODE.keys())
def test_framework_code_without_openai_passes_the_prefilter(code: str) -> None:
    assert "openai" not in code.lower()
    assert might_contain_client(code.encode())


@pytest.mark.parametrize("code", PLAIN_CODE.values(), ids=PLAIN_CODE.keys())
def test_code_without_any_framework_is_still_skipped(code: str) -> None:
    assert not might_contain_client(code.encode())
