"""MC015 env-writes: golden before/after cases, cases that must be left alone, review reasons, a real run."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

KEY = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"

REWRITES = [
    pytest.param(
        f"""\
        import os

        os.environ["OPENAI_API_KEY"] = "{KEY}"  # from the dashboard
        """,
        """\
        import os

        os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]  # from the dashboard
        os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"
        """,
        id="hard-coded-key-gets-the-url-beside-it",
    ),
    pytest.param(
        """\
        import os


        def configure():
            os.environ["OPENAI_API_BASE"] = "https://api.openai.com/v1"
            return True
        """,
        """\
        import os


        def configure():
            os.environ["OPENAI_API_BASE"] = "https://api.vmira.ai/v1"
            os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]
            return True
        """,
        id="url-write-gets-the-key-beside-it",
    ),
    pytest.param(
        """\
        import os

        os.environ["OPENAI_BASE_URL"] = "https://api.openai.com/v1"
        os.environ["OPENAI_API_KEY"] = os.getenv("OPENAI_API_KEY")
        """,
        """\
        import os

        os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"
        os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]
        """,
        id="both-written-both-moved",
    ),
    pytest.param(
        f"""\
        from os import environ

        environ["OPENAI_API_KEY"] = "{KEY}"
        """,
        """\
        from os import environ

        environ["OPENAI_API_KEY"] = environ["MIRA_API_KEY"]
        environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"
        """,
        id="environ-imported-by-name",
    ),
    pytest.param(
        """\
        import os as _os"""
        '\n\n        _os.environ.update({"OPENAI_API_BASE": "https://api.openai.com/v1", '
        '"OPENAI_API_KEY": _os.environ["OPENAI_API_KEY"]})\n'
        """\
        """,
        """\
        import os as _os"""
        '\n\n        _os.environ.update({"OPENAI_API_BASE": "https://api.vmira.ai/v1", '
        '"OPENAI_API_KEY": _os.environ["MIRA_API_KEY"]})\n'
        """\
        """,
        id="update-dict-os-alias",
    ),
    pytest.param(
        """\
        import os

        os.putenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
        """,
        """\
        import os

        os.putenv("OPENAI_BASE_URL", "https://api.vmira.ai/v1")
        os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]
        """,
        id="putenv",
    ),
    pytest.param(
        """\
        import os
        os.environ["OPENAI_API_KEY"] = "not-needed"
        """,
        # Runs at import: the placeholder stays as the default, so importing works without the variable.
        """\
        import os
        os.environ["OPENAI_API_KEY"] = os.environ.get("MIRA_API_KEY", "not-needed")
        os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"
        """,
        id="placeholder-key",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


NOOPS = [
    pytest.param(
        """\
        import os

        os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]
        os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"
        """,
        id="already-migrated",
    ),
    pytest.param(
        f"""\
        import os

        os.environ["OPENAI_API_BASE"] = "http://localhost:8080/v1"
        os.environ["OPENAI_API_KEY"] = "{KEY}"
        """,
        id="local-server-whole-file-left-for-review",
    ),
    pytest.param(
        """\
        import os

        os.environ["OPENAI_API_KEY"] = getpass.getpass("OpenAI key: ")
        """,
        id="key-from-a-prompt-reviewed-and-no-url-added",
    ),
    pytest.param(
        """\
        import os

        key = os.environ["OPENAI_API_KEY"]
        url = os.environ.get("OPENAI_BASE_URL")
        print(os.environ.setdefault("OTHER", "x"))
        os.environ["ANTHROPIC_API_KEY"] = "sk-ant-placeholder"
        """,
        id="reads-and-other-vars",
    ),
    pytest.param(
        """\
        environ = {}
        environ["OPENAI_API_KEY"] = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
        settings.environ["OPENAI_BASE_URL"] = "https://api.openai.com/v1"
        """,
        id="dicts-named-environ-are-not-os-environ",
    ),
    pytest.param(
        """\
        import os

        os.environ["OPENAI_BASE_URL"] = BASE_URL
        os.environ["OPENAI_API_KEY"] = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
        """,
        id="url-from-a-variable",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    check_noop(code)


def test_hard_coded_key_is_a_security_finding_never_shown() -> None:
    result = rewrite(f'import os\nos.environ["OPENAI_API_KEY"] = "{KEY}"\n')
    assert [(f.rule, f.line) for f in result.security] == [("MC015", 2)]
    assert KEY in result.secrets and KEY not in result.code
    assert all(
        KEY not in text for text in [*(c.message for c in result.changes), *(f.message for f in result.security)]
    )


@pytest.mark.parametrize(
    ("code", "line", "reason_part"),
    [
        ('import os\nos.environ["OPENAI_API_BASE"] = "http://localhost:8080/v1"\n', 2, "http://localhost:8080/v1"),
        (
            'import os\nos.environ["OPENAI_API_KEY"] = userdata.get("OPENAI_API_KEY")\n',
            2,
            "point both at https://api.vmira.ai/v1 or neither",
        ),
        ('import os\nos.environ["OPENAI_MODEL_NAME"] = "gpt-4o"\n', 2, "names an OpenAI model"),
        (
            'import os\nif True: os.environ["OPENAI_API_KEY"] = "x"\n',
            2,
            'add `os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"`',
        ),
    ],
)
def test_review_reasons(code: str, line: int, reason_part: str) -> None:
    reviews = [r for r in rewrite(code).review if r.rule == "MC015"]
    assert [r.line for r in reviews] == [line]
    assert reason_part in reviews[0].reason


def test_setdefault_key_is_moved_and_reviewed() -> None:
    # setdefault keeps an OPENAI_API_KEY the shell already has (the OpenAI key `migrate smoke` needs).
    result = check_rewrite(
        """\
        import os
        os.environ.setdefault("OPENAI_API_KEY", "placeholder")
        os.environ.setdefault("OPENAI_BASE_URL", "https://api.openai.com/v1")
        """,
        """\
        import os
        os.environ.setdefault("OPENAI_API_KEY", os.environ.get("MIRA_API_KEY", "placeholder"))
        os.environ.setdefault("OPENAI_BASE_URL", "https://api.vmira.ai/v1")
        """,
    )
    assert any("setdefault keeps" in r.reason for r in result.review if r.rule == "MC015")


def test_sdk_configured_only_by_the_rewritten_env_writes_reaches_the_target(tmp_path: Path, target) -> None:
    """The openai SDK reads OPENAI_BASE_URL/OPENAI_API_KEY at construction: after the rewrite, the
    pair written in code points at the target, whatever the decoy OpenAI values in the environment."""
    from helpers.fake_target import TARGET_KEY, rewrite_for, run_probe

    app = rewrite_for(
        """\
        import os

        os.environ["OPENAI_API_KEY"] = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
        """,
        target.base_url,
    )
    facts = run_probe(
        tmp_path,
        app,
        """\
        import json
        import app  # the env writes run at import
        import openai
        client = openai.OpenAI()  # built the way library code does: from the environment only
        answer = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        print(json.dumps([str(client.base_url), answer.choices[0].message.content]))
        """,
    )
    assert facts == [target.base_url + "/", target.reply]
    assert [(s.path, s.authorization) for s in target.seen] == [("/v1/chat/completions", f"Bearer {TARGET_KEY}")]


def test_a_file_on_the_openai_0x_sdk_gets_the_url_variable_that_sdk_reads() -> None:
    # openai<1 reads only OPENAI_API_BASE: OPENAI_BASE_URL would leave it on OpenAI with the target's key.
    check_rewrite(
        """\
        import os
        import openai
        os.environ["OPENAI_API_KEY"] = os.environ["OPENAI_KEY"]
        reply = openai.ChatCompletion.create(model="mira", messages=[])
        """,
        """\
        import os
        import openai
        os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]
        os.environ["OPENAI_API_BASE"] = "https://api.vmira.ai/v1"
        reply = openai.ChatCompletion.create(model="mira", messages=[])
        """,
    )
