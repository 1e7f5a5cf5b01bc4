"""`Ctor(**kwargs)` followed into a dict literal and `kwargs["key"] = value` in the same function.

This is construction.py machinery (config_dict.py), so every construction rule gets it; the cases use
MC001's `OpenAI(...)`. Golden rewrites, then the many ways a dict escapes proof, each of which must
leave the code alone and say why.
"""

from __future__ import annotations

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

REWRITES = [
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 30}
            kwargs["api_key"] = os.environ["OPENAI_API_KEY"]
            kwargs["base_url"] = os.getenv("OPENAI_BASE_URL")
            return OpenAI(**kwargs)
        """,
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 30}
            kwargs["api_key"] = os.environ["MIRA_API_KEY"]
            kwargs["base_url"] = "https://api.vmira.ai/v1"
            return OpenAI(**kwargs)
        """,
        id="unconditional-sets-rewritten-where-they-are",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {"api_key": os.environ["OPENAI_API_KEY"]}
            if os.environ.get("OPENAI_BASE_URL"):
                kwargs["base_url"] = os.environ["OPENAI_BASE_URL"]
            kwargs["max_retries"] = 2
            return OpenAI(**kwargs)
        """,
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {"api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}
            if os.environ.get("OPENAI_BASE_URL"):
                kwargs["base_url"] = "https://api.vmira.ai/v1"
            kwargs["max_retries"] = 2
            return OpenAI(**kwargs)
        """,
        id="conditional-openai-url-edited-and-default-added",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {
                "max_retries": 2,
            }
            try:
                kwargs["base_url"] = "https://api.openai.com/v1"
            except Exception:
                pass
            return OpenAI(**kwargs)
        """,
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {
                "max_retries": 2,
                "api_key": os.environ["MIRA_API_KEY"],
                "base_url": "https://api.vmira.ai/v1",
            }
            try:
                kwargs["base_url"] = "https://api.vmira.ai/v1"
            except Exception:
                pass
            return OpenAI(**kwargs)
        """,
        id="set-in-try-block-is-conditional-multiline-literal",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        params = {}
        params["api_key"] = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
        client = OpenAI(**params)
        """,
        """\
        import os
        from openai import OpenAI

        params = {"base_url": "https://api.vmira.ai/v1"}
        params["api_key"] = os.environ["MIRA_API_KEY"]
        client = OpenAI(**params)
        """,
        id="module-level-hard-coded-key-set",
    ),
    pytest.param(
        """\
        import logging
        import os
        from openai import OpenAI


        def make(timeout=None):
            kwargs = {"api_key": os.getenv("OPENAI_API_KEY")}
            if "timeout" not in kwargs and timeout:
                kwargs["timeout"] = timeout
            logging.info("timeout=%s retries=%s", kwargs.get("timeout"), kwargs["api_key"] is None)
            return OpenAI(**kwargs)
        """,
        """\
        import logging
        import os
        from openai import OpenAI


        def make(timeout=None):
            kwargs = {"api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}
            if "timeout" not in kwargs and timeout:
                kwargs["timeout"] = timeout
            logging.info("timeout=%s retries=%s", kwargs.get("timeout"), kwargs["api_key"] is None)
            return OpenAI(**kwargs)
        """,
        id="reads-do-not-block",
    ),
    pytest.param(
        """\
        import os
        from openai import AsyncOpenAI, OpenAI

        settings = {"api_key": os.environ["OPENAI_API_KEY"]}
        sync_client = OpenAI(**settings)
        async_client = AsyncOpenAI(**settings)
        """,
        """\
        import os
        from openai import AsyncOpenAI, OpenAI

        settings = {"api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}
        sync_client = OpenAI(**settings)
        async_client = AsyncOpenAI(**settings)
        """,
        id="one-dict-two-constructions-edited-once",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {"api_key": os.environ["OPENAI_API_KEY"]}
            return OpenAI(**kwargs)


        def tweak(kwargs):
            kwargs["base_url"] = "http://localhost:8000/v1"  # another function's kwargs
        """,
        """\
        import os
        from openai import OpenAI


        def make():
            kwargs = {"api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"}
            return OpenAI(**kwargs)


        def tweak(kwargs):
            kwargs["base_url"] = "http://localhost:8000/v1"  # another function's kwargs
        """,
        id="same-name-in-another-function-is-another-dict",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(**{"api_key": os.environ["OPENAI_API_KEY"]})
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(**{"api_key": os.environ["MIRA_API_KEY"], "base_url": "https://api.vmira.ai/v1"})
        """,
        id="inline-dict-literal",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


# Each: code the rewrite must leave alone, and the words its review item must contain.
NOOPS = [
    pytest.param(
        """\
        from openai import OpenAI


        def make(base):
            kwargs = {"api_key": "EMPTY"}
            if base:
                kwargs["base_url"] = base
            return OpenAI(**kwargs)
        """,
        "set under a condition, at line 7",
        id="conditional-foreign-url",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        kwargs = {}
        kwargs["base_url"] = "http://localhost:8000/v1"
        client = OpenAI(**kwargs)
        """,
        "http://localhost:8000/v1",
        id="unconditional-local-server",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make(extra):
            kwargs = {"timeout": 10}
            kwargs.update(extra)
            return OpenAI(**kwargs)
        """,
        "`kwargs.update(extra)`",
        id="update",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10, "base_url": None}
            del kwargs["base_url"]
            return OpenAI(**kwargs)
        """,
        '`del kwargs["base_url"]`',
        id="del-item",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10}
            configure(kwargs)
            return OpenAI(**kwargs)
        """,
        "`configure(kwargs)`",
        id="passed-to-another-call",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make(name, value):
            kwargs = {"timeout": 10}
            kwargs[name] = value
            return OpenAI(**kwargs)
        """,
        "kwargs[name] is set at line 6 with a key the rewrite cannot read",
        id="computed-key",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make(urls):
            kwargs = {"timeout": 10}
            for url in urls:
                kwargs["base_url"] = url
            return OpenAI(**kwargs)
        """,
        "set inside a loop at line 7",
        id="set-in-loop",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10}

            def late():
                kwargs["base_url"] = "http://localhost:8000/v1"

            late()
            return OpenAI(**kwargs)
        """,
        "set inside a nested function at line 8",
        id="set-in-nested-function-called-before",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        kwargs = {"timeout": 10}
        client = OpenAI(**kwargs)
        kwargs["base_url"] = "http://localhost:8000/v1"
        """,
        "changed at line 5, after it is unpacked at line 4",
        id="set-after-construction",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make(fast):
            kwargs = {"timeout": 10}
            if fast:
                kwargs = {"timeout": 1}
            return OpenAI(**kwargs)
        """,
        "bound more than once",
        id="rebound",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10}
            kwargs["timeout"] += 5
            return OpenAI(**kwargs)
        """,
        "changed at line 6",
        id="augmented-item",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10}
            kwargs |= {"base_url": "http://localhost:8000/v1"}
            return OpenAI(**kwargs)
        """,
        "bound more than once",
        id="in-place-merge",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10}
            report(**kwargs)
            return OpenAI(**kwargs)
        """,
        "also unpacked into report(...) at line 6",
        id="unpacked-into-another-function-too",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = dict(timeout=10)
            return OpenAI(**kwargs)
        """,
        "container the rewrite cannot follow",
        id="dict-call-not-a-literal",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        def make():
            kwargs = {"timeout": 10, **defaults}
            return OpenAI(**kwargs)
        """,
        "keys that are not string literals",
        id="literal-with-splat-entry",
    ),
    pytest.param(
        """\
        import os
        from openai import AsyncOpenAI, OpenAI

        settings = {"timeout": 10}
        sync_client = OpenAI(**settings)
        async_client = AsyncOpenAI(**settings, base_url="http://localhost:8000/v1")
        """,
        "also unpacked into AsyncOpenAI(...) at line 6",
        id="shared-dict-with-a-foreign-construction",
    ),
]


@pytest.mark.parametrize(("code", "reason_part"), NOOPS)
def test_noops_are_reviewed_with_the_reason(code: str, reason_part: str) -> None:
    result = check_noop(code)
    reasons = [item.reason for item in result.review]
    assert any(reason_part in reason for reason in reasons), reasons


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            """\
            import os
            from openai import OpenAI


            def make():
                kwargs = {"timeout": 30}
                kwargs["api_key"] = os.environ["MIRA_API_KEY"]
                kwargs["base_url"] = "https://api.vmira.ai/v1"
                return OpenAI(**kwargs)
            """,
            id="already-migrated",
        ),
        pytest.param(
            """\
            from langchain_community.llms import FakeListLLM


            def make():
                kwargs = {"responses": ["ok"]}
                kwargs["verbose"] = True
                return FakeListLLM(**kwargs)
            """,
            id="not-a-client",
        ),
    ],
)
def test_clean_noops(code: str) -> None:
    assert check_noop(code).review == ()


def test_conditional_key_from_a_parameter_leaves_the_client_alone_and_is_reviewed() -> None:
    # `make(key=<an OpenAI key>)` would send that key to the target if the URL moved.
    result = check_noop(
        """\
        from openai import OpenAI


        def make(key=None):
            kwargs = {"max_retries": 2}
            if key:
                kwargs["api_key"] = key
            return OpenAI(**kwargs)
        """
    )
    assert [(r.rule, r.line) for r in result.review] == [("MC001", 8)]
    reason = result.review[0].reason
    assert "the parameter `key` of make() (line 4" in reason and "URL included" in reason
    assert "set under a condition, at line 7" in reason


def test_hard_coded_key_in_a_subscript_set_is_a_security_finding_never_shown() -> None:
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    result = rewrite(f'from openai import OpenAI\nkw = {{}}\nkw["api_key"] = "{key}"\nclient = OpenAI(**kw)\n')
    assert key not in result.code
    assert [f.line for f in result.security] == [3]
    assert key in result.secrets
    assert all(
        key not in text for text in [*(f.message for f in result.security), *(c.message for c in result.changes)]
    )


def test_a_reason_quoting_a_line_never_shows_a_key() -> None:
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    result = rewrite(f'from openai import OpenAI\nkw = {{}}\nkw.update(api_key="{key}")\nclient = OpenAI(**kw)\n')
    assert not result.changed
    assert result.review and all(key not in r.reason for r in result.review)


def test_drop_params_in_a_subscript_set_are_reviewed() -> None:
    result = rewrite('from openai import OpenAI\nkw = {}\nkw["data_residency"] = "eu"\nclient = OpenAI(**kw)\n')
    assert any("sets 'data_residency'" in r.reason for r in result.review)


REWRITTEN_FACTORY = """\
import os
from openai import OpenAI


def make(timeout=None):
    kwargs = {"max_retries": 1}
    if os.environ.get("OPENAI_API_KEY"):
        kwargs["api_key"] = os.environ["OPENAI_API_KEY"]
    if os.environ.get("OPENAI_BASE_URL"):
        kwargs["base_url"] = os.environ["OPENAI_BASE_URL"]
    if timeout:
        kwargs["timeout"] = timeout
    return OpenAI(**kwargs)
"""


def test_rewritten_factory_builds_a_client_on_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the rewritten code: with only the target's key set, the client talks to the target."""
    result = rewrite(REWRITTEN_FACTORY)
    assert result.changed
    monkeypatch.setenv("MIRA_API_KEY", "mira-test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")  # the conditional branches run too
    monkeypatch.setenv("OPENAI_API_KEY", "openai-decoy-0123456789abcdef")
    namespace: dict[str, object] = {}
    exec(compile(result.code, "factory.py", "exec"), namespace)
    client = namespace["make"](timeout=5)  # type: ignore[operator]
    assert str(client.base_url).rstrip("/") == "https://api.vmira.ai/v1"
    assert client.api_key == "mira-test-key"
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")
    client = namespace["make"]()  # type: ignore[operator]
    assert str(client.base_url).rstrip("/") == "https://api.vmira.ai/v1"
    assert client.api_key == "mira-test-key"
