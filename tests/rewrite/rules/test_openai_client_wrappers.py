"""Wrappers around an inner `OpenAI(...)`: instructor, Semantic Kernel, Langfuse-style drop-ins.

These libraries take a ready-made openai client, so no framework rule is needed: the inner
construction is MC001's wherever it stands (an argument, a keyword argument, a name bound earlier).
These cases prove it, and that the wrapper call itself is never touched.
"""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        import instructor
        from openai import OpenAI

        client = instructor.from_openai(OpenAI(), mode=instructor.Mode.JSON)
        """,
        """\
        import instructor
        import os
        from openai import OpenAI"""
        '\n\n        client = instructor.from_openai(OpenAI(api_key=os.environ["MIRA_API_KEY"], '
        'base_url="https://api.vmira.ai/v1"), mode=instructor.Mode.JSON)\n'
        """\
        """,
        id="instructor-from-openai",
    ),
    pytest.param(
        """\
        import os
        import instructor
        import openai

        client = instructor.patch(openai.OpenAI(api_key=os.getenv("OPENAI_API_KEY")))
        """,
        """\
        import os
        import instructor
        import openai

        client = instructor.patch(openai.OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))
        """,
        id="instructor-patch",
    ),
    pytest.param(
        """\
        import instructor
        from openai import AsyncOpenAI

        raw = AsyncOpenAI(base_url="https://api.openai.com/v1")
        client = instructor.from_openai(raw)
        """,
        """\
        import instructor
        import os
        from openai import AsyncOpenAI

        raw = AsyncOpenAI(base_url="https://api.vmira.ai/v1", api_key=os.environ["MIRA_API_KEY"])
        client = instructor.from_openai(raw)
        """,
        id="instructor-client-bound-first",
    ),
    pytest.param(
        """\
        from openai import AsyncOpenAI
        from semantic_kernel import Kernel
        from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

        kernel = Kernel()
        kernel.add_service(
            OpenAIChatCompletion(
                ai_model_id="mira",
                service_id="chat",
                async_client=AsyncOpenAI(),
            )
        )
        """,
        """\
        import os
        from openai import AsyncOpenAI
        from semantic_kernel import Kernel
        from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

        kernel = Kernel()
        kernel.add_service(
            OpenAIChatCompletion(
                ai_model_id="mira",
                service_id="chat",
                async_client=AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"),
            )
        )
        """,
        id="semantic-kernel-async-client",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_inner_client_is_rewritten(before: str, after: str) -> None:
    result = check_rewrite(before, after)
    assert {c.rule for c in result.changes} == {"MC001"}


NOOPS = [
    pytest.param(
        """\
        import instructor

        def wrap(client):
            return instructor.from_openai(client)
        """,
        id="instructor-client-from-elsewhere",
    ),
    pytest.param(
        """\
        import os
        import instructor
        from openai import OpenAI

        client = instructor.from_openai(OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"))
        """,
        id="instructor-already-migrated",
    ),
    pytest.param(
        """\
        import instructor
        from openai import OpenAI"""
        '\n\n        client = instructor.from_openai(OpenAI(base_url="http://localhost:11434/v1", '
        'api_key="ollama"), mode=instructor.Mode.JSON)\n'
        """\
        """,
        id="instructor-at-a-local-server",
    ),
    pytest.param(
        """\
        from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

        def build(client):
            return OpenAIChatCompletion(ai_model_id="mira", async_client=client)
        """,
        id="semantic-kernel-client-from-elsewhere",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def test_wrapper_around_a_local_server_is_reviewed_by_mc001() -> None:
    result = rewrite(
        'import instructor\nfrom openai import OpenAI\nc = instructor.from_openai(OpenAI(base_url="http://localhost:11434/v1"))\n'
    )
    assert [(r.rule, r.line) for r in result.review] == [("MC001", 3)]
