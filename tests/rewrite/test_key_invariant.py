"""The key invariant, tested by running the rewritten code (issue 8, section 1).

After a rewrite no client sends the target a key that does not come from the target's variable,
and no client left on OpenAI (or Azure) gets the target's key. Each case states the exact code
after the rewrite, then executes it with distinct fake values in every key variable and asserts,
for every client it builds, where the client points and which key it holds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from textwrap import dedent
from typing import Any
from urllib.parse import urlsplit

import pytest
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite
from typer.testing import CliRunner

from migrate_cli.cli import app

TARGET_HOST = "api.vmira.ai"
ENV = {
    "MIRA_API_KEY": "mira-target-key-0f3a9c51",
    "OPENAI_API_KEY": "openai-decoy-key-77b1e2d4",
    "OPENAI_KEY": "openai-other-decoy-3c9e",
    "AZURE_OPENAI_API_KEY": "azure-decoy-key-55c0d4aa",
    "LLM_API_KEY": "llm-key-of-unknown-provider-9d2",
}

# Keys of every shape a user may hard-code: a hex token, Groq, xAI, a short shapeless value.
KEY_SHAPES = {
    "hex64": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "groq": "gsk_" + "Wq8Zt3LmNp5Rv7Xy9Ab2Cd4Ef6Gh8Jk0Lm",
    "xai": "xai-" + "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4",
    "short": "q7R2mX",
}


def run(code: str, calls: dict[str, str], monkeypatch: pytest.MonkeyPatch, **env: str | None) -> dict[str, Any]:
    """Execute `code` with the fake key variables set (overridden by `env`; None unsets one), then
    evaluate each expression of `calls` and describe the client it gives: (host, key)."""
    for name in [n for n in os.environ if n.startswith(("OPENAI_", "AZURE_OPENAI_"))]:
        monkeypatch.delenv(name)
    for name, value in {**ENV, **env}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {"__name__": "rewritten"}
    exec(compile(code, "rewritten.py", "exec"), namespace)
    seen = {}
    for label, expression in calls.items():
        client = eval(expression, namespace)
        seen[label] = (urlsplit(str(client.base_url)).hostname, client.api_key)
    return seen


def assert_invariant(seen: dict[str, Any]) -> None:
    """No client at the target holds another key; no client elsewhere holds the target's key."""
    for label, (host, key) in seen.items():
        if host == TARGET_HOST:
            assert key == ENV["MIRA_API_KEY"], f"{label}: the target gets {key!r}"
        else:
            assert key != ENV["MIRA_API_KEY"], f"{label}: {host} gets the target's key"


def review_of(result: Any, line: int) -> str:
    reasons = [r.reason for r in result.review if r.line == line]
    assert reasons, f"no review item at line {line}: {result.review}"
    return reasons[0]


# -- values the rewrite can prove: rewritten, and the clients land on the target with its key ------


PROVEN = [
    pytest.param(
        """\
        import os
        from openai import OpenAI
        key = os.environ["OPENAI_API_KEY"]
        client = OpenAI(api_key=key)
        """,
        """\
        import os
        from openai import OpenAI
        key = os.environ["MIRA_API_KEY"]
        client = OpenAI(api_key=key, base_url="https://api.vmira.ai/v1")
        """,
        {"client": "client"},
        id="module-variable-read-from-OPENAI_API_KEY",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def make():
            key = os.getenv("OPENAI_API_KEY")
            return OpenAI(api_key=key)
        """,
        """\
        import os
        from openai import OpenAI


        def make():
            key = os.environ["MIRA_API_KEY"]
            return OpenAI(api_key=key, base_url="https://api.vmira.ai/v1")
        """,
        {"make()": "make()"},
        id="function-local-getenv",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.getenv("OPENAI_KEY"))
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        {"client": "client"},
        id="getenv-of-another-OpenAI-key-name",
    ),
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI
        api_key = os.environ["AZURE_OPENAI_API_KEY"]
        client = AzureOpenAI(api_key=api_key, azure_endpoint="https://c.openai.azure.com", api_version="2024-06-01")
        """,
        """\
        import os
        from openai import OpenAI
        api_key = os.environ["MIRA_API_KEY"]
        client = OpenAI(api_key=api_key, base_url="https://api.vmira.ai/v1")
        """,
        {"client": "client"},
        id="azure-key-constant",
    ),
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI


        def build():
            key = os.environ["AZURE_OPENAI_API_KEY"]
            return AzureOpenAI(api_key=key, azure_endpoint="https://contoso.openai.azure.com", api_version="2024-06-01")
        """,
        """\
        import os
        from openai import OpenAI


        def build():
            key = os.environ["MIRA_API_KEY"]
            return OpenAI(api_key=key, base_url="https://api.vmira.ai/v1")
        """,
        {"build()": "build()"},
        id="azure-key-local-variable",
    ),
    pytest.param(
        """\
        from openai import OpenAI
        client = OpenAI(api_key=None)
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        {"client": "client"},
        id="api-key-None-reads-OPENAI_API_KEY-in-the-SDK",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.getenv("OPENAI_API_KEY") or os.getenv("AZURE_OPENAI_API_KEY"))
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        {"client": "client"},
        id="or-of-old-key-variables",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.getenv("MIRA_API_KEY"), base_url="https://api.openai.com/v1")
        """,
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        {"client": "client"},
        id="getenv-of-the-target-variable-made-strict",
    ),
]


@pytest.mark.parametrize(("before", "after", "calls"), PROVEN)
def test_proven_keys_are_rewritten_and_every_client_lands_on_the_target(
    before: str, after: str, calls: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_rewrite(before, after)
    seen = run(result.code, calls, monkeypatch)
    assert_invariant(seen)
    assert all(host == TARGET_HOST for host, _ in seen.values()), seen


def test_getenv_of_the_target_variable_fails_loudly_when_unset_instead_of_sending_the_openai_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = rewrite('import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n')
    with pytest.raises(KeyError, match="MIRA_API_KEY"):
        run(result.code, {"client": "client"}, monkeypatch, MIRA_API_KEY=None)


# -- values the rewrite cannot prove: the whole construction stays, URL included -------------------


UNPROVEN = [
    pytest.param(
        """\
        from openai import OpenAI


        def build(key: str | None = None):
            return OpenAI(api_key=key)
        """,
        {"build()": "build()", "build(tenant)": "build('tenant-key-1')"},
        5,
        "the parameter `key` of build() (line 4; its default None makes the SDK read $OPENAI_API_KEY)",
        id="parameter-with-None-default",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def get_key():
            return os.environ["OPENAI_API_KEY"]


        client = OpenAI(api_key=get_key())
        """,
        {"client": "client"},
        9,
        'what get_key() returns: os.environ["OPENAI_API_KEY"] (line 6)',
        id="helper-that-reads-an-OpenAI-variable",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        class Settings:
            openai_api_key = os.environ["OPENAI_API_KEY"]


        settings = Settings()
        client = OpenAI(api_key=settings.openai_api_key)
        """,
        {"client": "client"},
        10,
        "api_key=settings.openai_api_key (line 10) is not proven",
        id="settings-attribute",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI
        client = OpenAI(api_key=os.getenv("LLM_API_KEY"))
        """,
        {"client": "client"},
        3,
        "reads $LLM_API_KEY (line 3), which is not known to hold the key for https://api.vmira.ai/v1 "
        "(and when it is unset the SDK reads $OPENAI_API_KEY)",
        id="getenv-of-a-variable-of-unknown-provider",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def make(user_key=None):
            return OpenAI(api_key=user_key or os.environ["OPENAI_API_KEY"])
        """,
        {"make()": "make()", "make(user)": "make('user-key-2')"},
        6,
        'api_key=user_key or os.environ["OPENAI_API_KEY"]: user_key is the parameter `user_key` of make()',
        id="parameter-or-fallback",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI
        if os.environ.get("AZURE"):
            key = os.environ["AZURE_OPENAI_API_KEY"]
        else:
            key = os.environ["OPENAI_API_KEY"]
        client = OpenAI(api_key=key)
        """,
        {"client": "client"},
        7,
        "key is set 2 times in this module (line 4, line 6)",
        id="variable-assigned-twice",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        base = OpenAI()


        def for_tenant(tenant_key):
            return base.with_options(api_key=tenant_key)
        """,
        {"base": "base", "tenant copy": "for_tenant('tenant-key-3')"},
        3,
        "a copy of this client at line 7 (base.with_options(...)) passes api_key=tenant_key",
        id="copy-with-a-tenant-key-keeps-its-client",
    ),
]


@pytest.mark.parametrize(("code", "calls", "line", "reason_part"), UNPROVEN)
def test_unproven_keys_leave_the_whole_construction_alone_and_name_where_the_key_comes_from(
    code: str, calls: dict[str, str], line: int, reason_part: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check_noop(code)
    reason = review_of(result, line)
    assert reason_part in reason and "left as is" in reason, reason
    seen = run(result.code, calls, monkeypatch)
    assert_invariant(seen)
    assert all(host == "api.openai.com" for host, _ in seen.values()), seen


@pytest.mark.parametrize("secret", KEY_SHAPES.values(), ids=KEY_SHAPES.keys())
def test_each_branch_of_a_conditional_key_is_judged(secret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both branches are proven (an OpenAI variable, a hard-coded key): rewritten, the key a finding.
    code = dedent(
        f"""\
        import os
        from openai import OpenAI

        PROD = os.environ.get("STAGE") == "prod"
        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"] if PROD else "{secret}")
        """
    )
    result = rewrite(code)
    assert 'client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")' in result.code
    assert [(f.rule, f.line) for f in result.security] == [("MC001", 5)] and secret in result.secrets
    assert run(result.code, {"client": "client"}, monkeypatch) == {"client": (TARGET_HOST, ENV["MIRA_API_KEY"])}


def test_a_conditional_key_with_one_unproven_branch_leaves_the_client_alone() -> None:
    code = "import os\nfrom openai import OpenAI\n"
    code += 'client = OpenAI(api_key=cfg.key if PROD else os.environ["OPENAI_API_KEY"])\n'
    reason = review_of(check_noop(code), 3)
    assert "cfg.key (line 3) is not proven to hold the key" in reason and "left as is, URL included" in reason


HEADER = "import os\nfrom openai import OpenAI\n"


def test_the_default_of_an_old_key_read_is_judged_too() -> None:
    # os.getenv("OPENAI_API_KEY", <default>): the default is what the client sends when the variable
    # is unset, so it must be proven as much as the variable.
    unproven = HEADER + 'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", cfg.key))\n'
    assert "cfg.key (line 3) is not proven to hold the key" in review_of(check_noop(unproven), 3)
    # Another old variable as the default: the whole read becomes the target's, never
    # os.getenv("MIRA_API_KEY", <the OpenAI key>), which would send the OpenAI key to the target.
    nested = rewrite(HEADER + 'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", os.getenv("OPENAI_KEY")))\n')
    assert 'client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")' in nested.code
    for secret in KEY_SHAPES.values():  # a hard-coded default, passed by keyword
        keyword = rewrite(HEADER + f'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", default="{secret}"))\n')
        assert [(f.rule, f.line) for f in keyword.security] == [("MC001", 3)] and secret in keyword.secrets
        assert secret not in keyword.code and 'api_key=os.environ["MIRA_API_KEY"]' in keyword.code


@pytest.mark.parametrize("key", ["", 'api_key="{secret}"'], ids=["no-key", "hard-coded-key"])
@pytest.mark.parametrize("secret", KEY_SHAPES.values(), ids=KEY_SHAPES.keys())
def test_where_os_is_rebound_no_key_read_can_be_written_and_the_client_stays(key: str, secret: str) -> None:
    # `os` is a parameter here: `os.environ["MIRA_API_KEY"]` would read its attribute, not the
    # environment, so the client is left whole (moving its URL alone would send the old key).
    result = check_noop(
        f"from openai import OpenAI\n\n\ndef make(os):\n    return OpenAI({key.format(secret=secret)})\n"
    )
    assert 'api_key: `os` is rebound here, so os.environ["MIRA_API_KEY"] cannot be written' in review_of(result, 5)
    if key:
        assert secret in result.secrets and all(secret not in r.reason for r in result.review)


def test_a_key_constant_imported_from_another_module_leaves_the_client_alone() -> None:
    code = "from openai import OpenAI\nfrom settings import KEY\n\nclient = OpenAI(api_key=KEY)\n"
    reason = review_of(check_noop(code), 4)
    assert "api_key=KEY is imported from settings, which is not proven to hold the key" in reason
    assert "left as is, URL included; migrate settings" in reason


def test_a_key_constant_that_already_reads_the_target_variable_lets_the_client_move(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = HEADER + '\nKEY = os.environ["MIRA_API_KEY"]\nclient = OpenAI(api_key=KEY)\n'
    result = check_rewrite(
        code,
        HEADER
        + '\nKEY = os.environ["MIRA_API_KEY"]\nclient = OpenAI(api_key=KEY, base_url="https://api.vmira.ai/v1")\n',
    )
    assert not result.review
    assert run(result.code, {"client": "client"}, monkeypatch) == {"client": (TARGET_HOST, ENV["MIRA_API_KEY"])}


def test_a_url_constant_set_from_another_constant_is_followed_one_step_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # URL = BASE: MC006 rewrites string assignments, not this one, so URL would stay OpenAI's while
    # the key moved to the target's. The client is left whole and reviewed.
    code = (
        'from openai import OpenAI\n\nBASE = "https://api.openai.com/v1"\nURL = BASE\nclient = OpenAI(base_url=URL)\n'
    )
    result = check_noop(code)
    assert "base_url=URL=BASE" in review_of(result, 5) and "left as is" in review_of(result, 5)
    assert_invariant(run(result.code, {"client": "client"}, monkeypatch))


def test_a_key_read_from_a_variable_named_by_a_variable_is_not_followed() -> None:
    code = 'import os\nfrom openai import OpenAI\nKEY_VAR = "OPENAI_API_KEY"\n'
    code += "client = OpenAI(api_key=os.environ[KEY_VAR])\n"
    reason = review_of(check_noop(code), 4)
    assert "reads an environment variable whose name is not written here (line 4)" in reason


def test_a_hard_coded_key_in_a_parameter_default_is_reported_and_never_shown() -> None:
    key = "c8f1d2e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1"  # 64 hex characters
    result = check_noop(f'from openai import OpenAI\ndef build(key="{key}"):\n    return OpenAI(api_key=key)\n')
    assert [(f.rule, f.line) for f in result.security] == [("MC001", 2)]
    assert key in result.secrets
    assert all(key not in r.reason for r in result.review)


def test_a_key_in_default_headers_leaves_the_client_alone_as_a_security_finding() -> None:
    key = "gsk_" + "Qw3rTy7uIo9pAs1dFg5hJk2lZx8cVb4n"
    result = check_noop(
        f'from openai import OpenAI\nclient = OpenAI(default_headers={{"Authorization": "Bearer {key}"}})\n'
    )
    assert "default_headers sets 'Authorization'" in review_of(result, 2)
    assert [(f.rule, f.line) for f in result.security] == [("MC001", 2)]
    assert key in result.secrets
    assert all(key not in text for text in [*(r.reason for r in result.review), *(f.message for f in result.security)])


def test_headers_that_carry_no_credential_do_not_hold_the_client_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenRouter's attribution headers, a dict spread: nothing the SDK sends as a credential.
    code = dedent(
        """\
        from openai import OpenAI
        EXTRA = {"X-Trace": "1"}
        client = OpenAI(default_headers={"HTTP-Referer": "https://example.com", "X-Title": "bot", **EXTRA})
        """
    )
    result = rewrite(code)
    assert 'base_url="https://api.vmira.ai/v1"' in result.code and not result.review
    seen = run(result.code, {"client": "client"}, monkeypatch)
    assert seen == {"client": (TARGET_HOST, ENV["MIRA_API_KEY"])}


@pytest.mark.parametrize("header", ["api-key", "X-API-KEY", "authorization"])
def test_every_spelling_of_a_credential_header_holds_the_client_back(header: str) -> None:
    result = check_noop(f'from openai import OpenAI\nclient = OpenAI(default_headers={{"{header}": TOKEN}})\n')
    assert f"default_headers sets {header!r}" in review_of(result, 2)


# -- placeholders evaluated at import time ---------------------------------------------------------


PLACEHOLDER_MODULE = """\
from openai import OpenAI

client = OpenAI(api_key="your-api-key")


class Bot:
    llm = OpenAI(api_key="not-needed")
"""


def test_placeholder_keys_at_import_time_still_import_without_the_variable_and_never_fall_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = rewrite(PLACEHOLDER_MODULE)
    calls = {"client": "client", "Bot.llm": "Bot.llm"}
    # The target's variable unset: the module imports; the placeholder goes to the target, not $OPENAI_API_KEY.
    seen = run(result.code, calls, monkeypatch, MIRA_API_KEY=None)
    assert seen == {"client": (TARGET_HOST, "your-api-key"), "Bot.llm": (TARGET_HOST, "not-needed")}
    seen = run(result.code, calls, monkeypatch)
    assert_invariant(seen)
    assert set(seen.values()) == {(TARGET_HOST, ENV["MIRA_API_KEY"])}
    assert result.security == () and result.secrets == ()  # placeholders are no secrets: shown as they are


# -- env writes: the pair moves in every scope, or in none -----------------------------------------


TWO_FUNCTIONS = """\
import os
from openai import OpenAI


def configure_batch():
    os.environ["OPENAI_API_KEY"] = os.environ["OPENAI_KEY"]


def configure_online():
    os.environ["OPENAI_API_KEY"] = {value}
"""


def test_env_writes_in_two_functions_both_get_their_url_partner(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check_rewrite(
        TWO_FUNCTIONS.format(value='os.getenv("OPENAI_API_KEY", "")'),
        """\
        import os
        from openai import OpenAI


        def configure_batch():
            os.environ["OPENAI_API_KEY"] = os.environ["MIRA_API_KEY"]
            os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"


        def configure_online():
            os.environ["OPENAI_API_KEY"] = os.getenv("MIRA_API_KEY", "")
            os.environ["OPENAI_BASE_URL"] = "https://api.vmira.ai/v1"
        """,
    )
    for configure in ("configure_batch", "configure_online"):
        seen = run(result.code + f"{configure}()\n", {configure: "OpenAI()"}, monkeypatch)
        assert seen == {configure: (TARGET_HOST, ENV["MIRA_API_KEY"])}


def test_env_writes_in_two_functions_are_both_reviewed_when_one_key_is_not_proven(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = check_noop(TWO_FUNCTIONS.format(value="userdata.get('OPENAI_API_KEY')"))
    assert {r.line for r in result.review} == {6, 10}
    assert "userdata.get('OPENAI_API_KEY')" in review_of(result, 10)
    assert "because of" in review_of(result, 6)
    code = result.code.replace("userdata.get('OPENAI_API_KEY')", "'user-openai-key-4'")
    for configure in ("configure_batch", "configure_online"):
        seen = run(code + f"{configure}()\n", {configure: "OpenAI()"}, monkeypatch)
        assert_invariant(seen)
        assert seen[configure][0] == "api.openai.com"


# -- the module client ------------------------------------------------------------------------------


def test_module_client_with_an_unproven_key_keeps_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    code = dedent(
        """\
        import openai
        from config import settings
        openai.api_key = settings.openai_key
        openai.base_url = "https://api.openai.com/v1"
        """
    )
    result = check_noop(code)
    assert "settings.openai_key" in review_of(result, 3)


def test_module_client_pair_is_rewritten_together(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check_rewrite(
        """\
        import os
        import openai
        openai.api_key = os.getenv("OPENAI_API_KEY")
        """,
        """\
        import os
        import openai
        openai.api_key = os.environ["MIRA_API_KEY"]
        openai.base_url = "https://api.vmira.ai/v1"
        """,
    )
    calls = {"module client": "_o._load_client()"}
    seen = run(result.code + "import openai as _o\n", calls, monkeypatch, AZURE_OPENAI_API_KEY=None)
    assert seen == {"module client": (TARGET_HOST, ENV["MIRA_API_KEY"])}


def test_secrets_of_several_shapes_never_reach_the_rewritten_code_or_the_messages() -> None:
    shapes = [
        "sk-proj-" + "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8",
        "xai-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "q7R2mX",  # short and shapeless: a hard-coded value in a key's place is a secret all the same
    ]
    for secret in shapes:
        for code in (
            f'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY", "{secret}"))\n',
            f'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.getenv("OPENAI_KEY") or "{secret}")\n',
            f'from openai import OpenAI\nclient = OpenAI(api_key="{secret}")\n',
        ):
            result = rewrite(code)
            assert secret not in result.code, code
            assert secret in result.secrets
            messages = [c.message for c in result.changes] + [s.message for s in result.security]
            assert result.security and all(secret not in m for m in messages)
            assert 'os.environ["MIRA_API_KEY"]' in result.code


def test_a_notebook_line_is_named_by_cell_and_line() -> None:
    from helpers.rewrite_cases import VMIRA

    from migrate_cli.rewrite.files.notebook import rewrite_notebook

    cells = [
        "import os\nfrom openai import OpenAI",
        "def build(key=None):\n    return OpenAI(api_key=key)",
    ]
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
            for source in cells
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    result = rewrite_notebook(json.dumps(notebook, indent=1), VMIRA)
    (item,) = result.review
    assert (item.cell, item.line) == (2, 2)
    assert "of build() (cell 2:1;" in item.reason, item.reason


def test_a_variable_that_is_only_tested_is_still_rewritten_at_its_assignment(monkeypatch: pytest.MonkeyPatch) -> None:
    # `if not key:` sends the value nowhere: it still tests "is it set" after the rewrite.
    result = check_rewrite(
        """\
        import os
        from openai import OpenAI


        def main():
            api_key = os.environ.get("OPENAI_API_KEY")
            if not api_key:
                return None
            return OpenAI(api_key=api_key)
        """,
        """\
        import os
        from openai import OpenAI


        def main():
            api_key = os.environ["MIRA_API_KEY"]
            if not api_key:
                return None
            return OpenAI(api_key=api_key, base_url="https://api.vmira.ai/v1")
        """,
    )
    assert run(result.code, {"main()": "main()"}, monkeypatch) == {"main()": (TARGET_HOST, ENV["MIRA_API_KEY"])}


def test_a_name_whose_own_value_is_unproven_is_reviewed_for_that_value() -> None:
    result = check_noop(
        """\
        import os
        from openai import OpenAI


        def _get_env(name):
            return os.environ[name]


        OPENAI_API_KEY = _get_env("OPENAI_API_KEY")
        client = OpenAI(api_key=OPENAI_API_KEY)
        """
    )
    assert 'comes from `OPENAI_API_KEY = _get_env("OPENAI_API_KEY")` (line 9)' in review_of(result, 10)


def dry_run_output(tmp_path: Path, code: str) -> str:
    """`migrate rewrite FILE --dry-run`: the diff on stdout and the summary on stderr, as a user sees them."""
    path = tmp_path / "app.py"
    path.write_text(code, encoding="utf-8")
    result = CliRunner().invoke(app, ["rewrite", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == code
    return result.stdout + result.stderr


@pytest.mark.parametrize("secret", KEY_SHAPES.values(), ids=KEY_SHAPES.keys())
@pytest.mark.parametrize(
    ("left_alone", "reported"),
    [
        # another server's client keeps its own key: hidden, but no finding (not an OpenAI key to revoke)
        ('local = OpenAI(base_url="http://localhost:8000/v1", api_key="{secret}")', False),
        # an OpenAI client left alone for its unproven header: its literal key is still a finding
        ('kept = OpenAI(api_key="{secret}", default_headers={{"X-Api-Key": AUTH}})', True),
        # a parameter's default: the key the function sends when called without one
        ('def build(key="{secret}"):\n    return OpenAI(api_key=key)', True),
    ],
    ids=["foreign-url", "credential-header", "parameter-default"],
)
def test_the_key_of_a_client_left_alone_never_shows_in_the_dry_run_diff(
    tmp_path: Path, secret: str, left_alone: str, reported: bool
) -> None:
    # The client next to it moves, so the diff's context lines hold the one left alone.
    code = f"from openai import OpenAI\n\nAUTH = read()\n{left_alone.format(secret=secret)}\nclient = OpenAI()\n"
    result = rewrite(code)
    assert secret in result.secrets
    assert bool(result.security) is reported
    shown = dry_run_output(tmp_path, code)
    assert "+client = OpenAI(" in shown  # the diff is there, with the left-alone line as context
    assert secret not in shown and secret[4:] not in shown
