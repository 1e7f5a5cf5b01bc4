"""MC018 crewai: golden before/after cases, cases that must be left alone, review reasons.

CrewAI is not in the test extra: it installs ~975 MB in about two minutes (chromadb, litellm, ...),
so no test here imports the rewritten code.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        from crewai import LLM

        llm = LLM(model="gpt-4o", temperature=0.2)
        """,
        """\
        import os
        from crewai import LLM

        llm = LLM(model="gpt-4o", temperature=0.2, api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="bare-id-nothing-given",
    ),
    pytest.param(
        """\
        import os
        import crewai

        llm = crewai.LLM(
            model="openai/gpt-4o-mini",
            api_base=os.environ["OPENAI_API_BASE"],  # team gateway
            api_key="sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0",
        )
        """,
        """\
        import os
        import crewai

        llm = crewai.LLM(
            model="openai/gpt-4o-mini",
            api_base="https://api.vmira.ai/v1",  # team gateway
            api_key=os.environ["MIRA_API_KEY"],
        )
        """,
        id="prefixed-api-base-spelling-hard-coded-key",
    ),
    pytest.param(
        """\
        import os
        from crewai.llm import LLM

        llm = LLM("gpt-4.1-mini", base_url="https://api.openai.com/v1", api_key=os.getenv("OPENAI_API_KEY"))
        """,
        """\
        import os
        from crewai.llm import LLM

        llm = LLM("gpt-4.1-mini", base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="positional-model-module-path",
    ),
    pytest.param(
        """\
        from crewai import LLM

        llm = LLM(model="my-finetune", provider="openai")
        """,
        """\
        import os
        from crewai import LLM

        llm = LLM(model="my-finetune", provider="openai", api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="explicit-openai-provider",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os
        from crewai import LLM

        llm = LLM(model="openai/gpt-4o", base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        from crewai import LLM

        claude = LLM(model="anthropic/claude-3-5-sonnet-20240620")
        gemini = LLM(model="gemini/gemini-1.5-pro", api_key=KEY)
        sonnet = LLM(model="claude-3-5-sonnet-20240620")
        native = LLM(model="some-model", provider="bedrock")
        """,
        id="other-providers",
    ),
    pytest.param(
        """\
        from crewai import LLM

        local = LLM(model="ollama/llama3.1", base_url="http://localhost:11434")
        proxy = LLM(model="openai/gpt-4o", base_url="http://localhost:4000/v1")
        """,
        id="local-servers-left-for-review",
    ),
    pytest.param(
        """\
        from langchain.llms import LLM

        llm = LLM(model="gpt-4o")
        """,
        id="other-packages-llm",
    ),
    pytest.param(
        """\
        from crewai import Agent, LLM

        agent = Agent(role="r", goal="g", backstory="b", llm=LLM(model="anthropic/claude-3-haiku-20240307"))
        other = Agent(role="r", goal="g", backstory="b", llm="anthropic/claude-3-haiku-20240307")
        """,
        id="agents-on-other-providers",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def test_agents_that_build_their_llm_from_the_environment_are_reviewed() -> None:
    result = check_noop(
        """\
        from crewai import Agent

        writer = Agent(role="w", goal="g", backstory="b", llm="gpt-4")
        reader = Agent(role="r", goal="g", backstory="b")
        editor = Agent(role="e", goal="g", backstory="b")
        """
    )
    reviews = [(r.line, r.reason) for r in result.review if r.rule == "MC018"]
    assert [line for line, _ in reviews] == [3, 4]  # the default-LLM agents once per file
    assert 'Agent(llm="gpt-4")' in reviews[0][1] and "OPENAI_MODEL_NAME" in reviews[0][1]
    assert "without llm=" in reviews[1][1]


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        (
            'from crewai import LLM\nllm = LLM(model="openai/gpt-4o", base_url="http://localhost:4000/v1")\n',
            "http://localhost:4000/v1",
        ),
        ("from crewai import LLM\ndef f(name):\n    return LLM(model=name)\n", "model=name"),
    ],
)
def test_sites_not_rewritten_are_listed_for_review(code: str, reason_part: str) -> None:
    result = rewrite(code)
    assert not result.changed
    reviews = [r for r in result.review if r.rule == "MC018"]
    assert len(reviews) == 1 and reason_part in reviews[0].reason


def test_crews_that_build_openai_models_from_the_environment_are_reviewed() -> None:
    result = check_noop(
        """\
        from crewai import Crew, Process"""
        "\n\n        crew = Crew(agents=[a], tasks=[t], process=Process.hierarchical, "
        'manager_llm="gpt-4o", planning=True, memory=True)\n'
        '        tagged = Crew(agents=[a], tasks=[t], memory=True, embedder={"provider": '
        '"openai", "config": {"model_name": "text-embedding-3-small"}})\n'
        """\
        """
    )
    reviews = [(r.line, r.reason) for r in result.review if r.rule == "MC018"]
    assert [line for line, _ in reviews] == [3, 3, 3, 4]
    target_llm = 'LLM(model="openai/<id>", base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])'
    assert reviews[0][1].startswith('Crew(manager_llm="gpt-4o") builds its LLM from OPENAI_* env vars')
    assert f"pass manager_llm={target_llm}" in reviews[0][1]
    assert "Crew(planning=True) without planning_llm= plans with CrewAI's default OpenAI model" in reviews[1][1]
    assert f"pass planning_llm={target_llm}" in reviews[1][1]
    assert reviews[2][1] == reviews[3][1]
    assert '"config": {"api_base": "https://api.vmira.ai/v1", "api_key": os.environ["MIRA_API_KEY"]' in reviews[2][1]


@pytest.mark.parametrize(
    "code",
    [
        """\
        import os
        from crewai import LLM, Crew"""
        '\n\n        crew = Crew(agents=[a], tasks=[t], manager_llm=LLM(model="openai/mira", '
        'base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"]))\n'
        """\
        """,
        "from crewai import Crew\ncrew = Crew(agents=[a], tasks=[t], planning=True, planning_llm=planner)\n",
        "from crewai import Crew\n"
        'crew = Crew(agents=[a], tasks=[t], manager_llm="anthropic/claude-sonnet-4-5", '
        "memory=False)\n",
        "from crewai import Crew\n"
        'crew = Crew(agents=[a], tasks=[t], memory=True, embedder={"provider": "ollama", '
        '"config": {"model_name": "nomic-embed-text"}})\n',
        "from crewai import Crew\n"
        'crew = Crew(agents=[a], tasks=[t], memory=True, embedder={"provider": "openai", '
        '"config": {"api_base": URL, "api_key": KEY}})\n',
        "from crewai import Crew\ndef build(**options):\n    return Crew(memory=True, **options)\n",
        "from my_app import Crew\ncrew = Crew(memory=True, planning=True, manager_llm='gpt-4o')\n",
    ],
)
def test_crews_with_their_models_given_are_not_reviewed(code: str) -> None:
    result = check_noop(dedent(code))
    assert [r.reason for r in result.review if r.rule == "MC018" and r.reason.startswith("Crew(")] == []
