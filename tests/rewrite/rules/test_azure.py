"""MC003 azure: golden before/after cases, cases that must be left alone, and the converted client at work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from helpers.recording_server import recording_server
from helpers.rewrite_cases import check_noop, check_rewrite, rewrite

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.model import RewriteSettings

REWRITES = [
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(
            api_key=os.getenv("AZURE_OPENAI_API_KEY"),
            api_version="2024-02-01",
            azure_endpoint=os.getenv("AZURE_OPENAI_ENDPOINT"),
        )
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            api_key=os.environ["MIRA_API_KEY"],
            base_url="https://api.vmira.ai/v1",
        )
        """,
        # Not os.getenv("MIRA_API_KEY"): unset, it gives None, and the SDK then sends
        # $OPENAI_API_KEY to the target. A strict read fails loudly instead.
        id="quickstart-getenv",
    ),
    pytest.param(
        """\
        from openai import AsyncAzureOpenAI

        def build(api_version, endpoint):
            return AsyncAzureOpenAI(
                api_key=None, api_version=api_version, azure_endpoint=endpoint
            )
        """,
        """\
        import os
        from openai import AsyncOpenAI

        def build(api_version, endpoint):
            return AsyncOpenAI(
                api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"
            )
        """,
        # Every argument goes: the new ones keep the old layout, ")" stays on its own line.
        id="every-argument-replaced",
    ),
    pytest.param(
        """\
        import os
        import openai

        client = openai.AzureOpenAI(
            azure_endpoint="https://contoso.openai.azure.com/",  # the prod resource
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            api_version="2024-10-21",
            timeout=20,
        )
        """,
        """\
        import os
        import openai

        client = openai.OpenAI(
            # the prod resource
            api_key=os.environ["MIRA_API_KEY"],
            timeout=20,
            base_url="https://api.vmira.ai/v1",
        )
        """,
        # The comment of the removed argument stays where the argument stood.
        id="attribute-form-comment-on-removed-line-kept",
    ),
    pytest.param(
        """\
        from openai import AsyncAzureOpenAI as LLM

        client = LLM(azure_endpoint=ENDPOINT, api_version="2024-06-01")
        """,
        """\
        import os
        from openai import AsyncOpenAI as LLM

        client = LLM(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="async-aliased-import-renamed-in-place",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI


        def make():
            return AzureOpenAI(
                azure_deployment="gpt4o-prod",
                api_version="2024-06-01",
                max_retries=5,
            )
        """,
        """\
        import os
        from openai import OpenAI


        def make():
            return OpenAI(
                max_retries=5,
                api_key=os.environ["MIRA_API_KEY"],
                base_url="https://api.vmira.ai/v1",
            )
        """,
        id="deployment-removed",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI


        def make() -> AzureOpenAI:
            return AzureOpenAI(api_version="2024-06-01")
        """,
        """\
        import os
        from openai import AzureOpenAI, OpenAI


        def make() -> AzureOpenAI:
            return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="still-used-in-annotation-import-added",
    ),
    pytest.param(
        """\
        from openai import (
            AzureOpenAI,  # keep for isinstance checks
        )

        client = AzureOpenAI(api_version="v")
        assert isinstance(client, AzureOpenAI)
        """,
        """\
        import os
        from openai import (
            AzureOpenAI,  # keep for isinstance checks
            OpenAI,
        )

        client = OpenAI(api_version="v", api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        assert isinstance(client, AzureOpenAI)
        """.replace('api_version="v", ', ""),
        id="parenthesized-import-name-added-comment-kept",
    ),
    pytest.param(
        """\
        import os


        def client():
            from openai import AzureOpenAI

            return AzureOpenAI(api_key=os.environ["OPENAI_API_KEY"], azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])
        """,
        """\
        import os


        def client():
            from openai import OpenAI

            return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="function-local-import-openai-key-env",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI"""
        '\n\n        client = AzureOpenAI(api_key="Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk", '
        'azure_endpoint="https://x.openai.azure.com", api_version="2024-02-01")\n'
        """\
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="hard-coded-key",
    ),
    pytest.param(
        """\
        import openai.lib.azure

        client = openai.lib.azure.AsyncAzureOpenAI(api_version="2024-02-01")
        """,
        """\
        import openai.lib.azure
        import os

        client = openai.AsyncOpenAI(api_version="2024-02-01")
        """.replace(
            'api_version="2024-02-01"', 'api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1"'
        ),
        id="lib-azure-attribute-path",
    ),
    pytest.param(
        """\
        from openai.lib.azure import AzureOpenAI

        client = AzureOpenAI(api_version="2024-02-01")
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        # The plain class lives in `openai`; the Azure import nothing uses any more goes.
        id="lib-azure-import-replaced-by-an-openai-import",
    ),
    pytest.param(
        """\
        from openai import *

        client = AzureOpenAI(api_version="2024-02-01")
        """,
        """\
        import os
        from openai import *

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="star-import",
    ),
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(
            base_url="https://contoso.openai.azure.com/openai/v1/",
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
        )
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            base_url="https://api.vmira.ai/v1",
            api_key=os.environ["MIRA_API_KEY"],
        )
        """,
        id="azure-v1-base-url-replaced",
    ),
    pytest.param(
        """\
        from langfuse.openai import AzureOpenAI

        client = AzureOpenAI(api_version="2024-02-01")
        """,
        """\
        import os
        from langfuse.openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="langfuse-drop-in",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI, AsyncAzureOpenAI

        sync = AzureOpenAI(api_version="1")
        background = AsyncAzureOpenAI(api_version="1")
        also_sync = AzureOpenAI(api_version="1")
        """,
        """\
        import os
        from openai import OpenAI, AsyncOpenAI

        sync = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        background = AsyncOpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        also_sync = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="both-classes-one-import-edited-once",
    ),
]


# The Azure import nothing uses any more goes, rather than sit next to (or become) a second `OpenAI`
# import; comments that stood in or after a removed argument stay where the argument was.
TIDY = [
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI
        from openai import OpenAI

        client = AzureOpenAI(
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            # the resource endpoint, per region
            azure_endpoint="https://contoso.openai.azure.com",  # eastus
            api_version="2024-06-01",  # GA version
        )
        plain = OpenAI()
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            api_key=os.environ["MIRA_API_KEY"],
            # the resource endpoint, per region
            # eastus
            # GA version
            base_url="https://api.vmira.ai/v1",
        )
        plain = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="second-import-line-removed-comments-kept",
    ),
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI, OpenAI

        client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2024-06-01")
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="same-import-azure-name-removed",
    ),
    pytest.param(
        """\
        import os
        from openai import (
            AsyncOpenAI,
            AzureOpenAI,
            # the sync client, for scripts
            OpenAI,
        )

        client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import (
            AsyncOpenAI,
            # the sync client, for scripts
            OpenAI,
        )

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="parenthesized-import-comment-of-next-name-kept",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI, AzureOpenAI

        client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="azure-name-last-in-import",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI
        from openai.lib.azure import AzureOpenAI as AzureClient

        client = AzureClient(api_key=os.environ["AZURE_OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="aliased-lib-azure-import-removed",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI


        def client():
            from openai import AzureOpenAI

            return AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import OpenAI


        def client():

            return OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        """,
        id="function-local-azure-import-removed",
    ),
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(
            azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
            # azure_ad_token_provider=token_provider,
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            api_version="2024-06-01")
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            # azure_ad_token_provider=token_provider,
            api_key=os.environ["MIRA_API_KEY"],
            base_url="https://api.vmira.ai/v1")
        """,
        id="commented-out-argument-after-a-removed-first-argument-kept",
    ),
    pytest.param(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version=(  # pinned by ops
            "2024-06-01"
        ), timeout=10)
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"],
            # pinned by ops
            timeout=10, base_url="https://api.vmira.ai/v1")
        """,
        id="comment-inside-a-removed-value-kept",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES + TIDY)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


def test_an_import_alone_in_its_block_is_not_removed() -> None:
    """Removing it would leave `try:` empty: the unused Azure name stays, the code stays valid."""
    result = rewrite(
        dedent(
            """\
            import os
            from openai import OpenAI
            try:
                from openai import AzureOpenAI
            except ImportError:
                raise SystemExit("pip install openai")
            client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"])
            """
        )
    )
    assert "    from openai import AzureOpenAI\n" in result.code
    assert "client = OpenAI(" in result.code
    compile(result.code, "app.py", "exec")


NOOPS = [
    pytest.param(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        reply = client.chat.completions.create(model="mira", messages=[])
        """,
        id="already-migrated",
    ),
    pytest.param(
        """\
        class AzureOpenAI:
            def __init__(self, **kwargs):
                self.kwargs = kwargs

        client = AzureOpenAI(api_version="2024-02-01")
        """,
        id="local-class",
    ),
    pytest.param(
        """\
        from company.llm import AzureOpenAI

        client = AzureOpenAI(api_version="2024-02-01")
        """,
        id="other-package-lookalike",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI


        def build(AzureOpenAI):
            return AzureOpenAI(api_version="2024-02-01")
        """,
        id="parameter-shadows-import",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI


        def describe(client: AzureOpenAI) -> str:
            return "AzureOpenAI(api_version=...) is built elsewhere"  # AzureOpenAI() in a comment
        """,
        id="annotations-strings-comments",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI

        client = AzureOpenAI(**settings.azure)
        """,
        id="kwargs-container-reviewed",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI
        from langchain_openai import OpenAI

        client = AzureOpenAI(api_version="2024-02-01")
        """,
        id="plain-name-taken-by-another-package-reviewed",
    ),
    pytest.param(
        """\
        from llama_index.llms.azure_openai import AzureOpenAI

        llm = AzureOpenAI(engine="gpt4-deployment", azure_endpoint="https://x.openai.azure.com/")
        """,
        id="llamaindex-azure-not-converted",
    ),
    pytest.param(
        """\
        from langchain_openai import AzureChatOpenAI

        llm = AzureChatOpenAI(azure_deployment="gpt4", api_version="2024-02-01")
        """,
        id="langchain-azure-not-converted",
    ),
    pytest.param(
        """\
        import openai.lib.azure as az

        client = az.AzureOpenAI(api_version="2024-02-01")
        """,
        id="module-alias-of-lib-azure-reviewed",
    ),
    pytest.param(
        """\
        from openai import AzureOpenAI

        AzureOpenAI = make_fake_client  # rebound: may be either
        client = AzureOpenAI(api_version="2024-02-01")
        """,
        id="ambiguous-name-reviewed",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str, request: pytest.FixtureRequest) -> None:
    result = check_noop(code)
    if request.node.callspec.id.endswith("-reviewed"):  # left alone, and said so
        assert result.review, "a case named '...-reviewed' must list a review item"


@pytest.mark.parametrize(
    ("code", "reason_part"),
    [
        (
            "from openai import AzureOpenAI\nc = AzureOpenAI(**cfg)\n",
            "AzureOpenAI(**cfg): arguments the rewrite cannot see",
        ),
        (
            "from openai import AzureOpenAI\nfrom langchain_openai import OpenAI\nc = AzureOpenAI()\n",
            "OpenAI already names something else here",
        ),
        ("import openai.lib.azure as az\nc = az.AzureOpenAI()\n", "convert it to openai.OpenAI(...) by hand"),
        ("from openai import AzureOpenAI\nAzureOpenAI = f\nc = AzureOpenAI()\n", "may be something else in this scope"),
    ],
)
def test_sites_not_converted_are_reviewed_with_the_reason(code: str, reason_part: str) -> None:
    result = rewrite(code)
    assert not result.changed
    assert [r.rule for r in result.review] == ["MC003"]
    assert reason_part in result.review[0].reason


def test_each_deployment_name_on_a_converted_client_is_reviewed() -> None:
    result = rewrite(
        dedent(
            """\
            import os
            from openai import AzureOpenAI

            DEPLOYMENT = "chat-prod"
            client = AzureOpenAI(api_version="2024-02-01")


            class Bot:
                def __init__(self):
                    self.llm = AzureOpenAI(api_version="2024-02-01")

                def ask(self, q):
                    return self.llm.chat.completions.create(model="gpt4o-eu", messages=[q])

            a = client.chat.completions.create(model=DEPLOYMENT, messages=[])
            b = client.embeddings.create(model=os.environ["EMBED_DEPLOYMENT"], input="x")
            """
        )
    )
    deployments = [(r.line, r.reason) for r in result.review if "deployment name" in r.reason]
    assert [line for line, _ in deployments] == [13, 15, 16]
    assert 'model="gpt4o-eu" was an Azure deployment name, not a model id' in deployments[0][1]
    assert "--model-map gpt4o-eu=<model>" in deployments[0][1]
    assert "model=DEPLOYMENT" in deployments[1][1]
    assert 'os.environ["EMBED_DEPLOYMENT"]' in deployments[2][1]
    assert all(r.rule == "MC003" for r in result.review)


def test_a_mapped_deployment_is_rewritten_by_mc004_and_not_reviewed() -> None:
    settings = RewriteSettings(resolve_target(model_map={"gpt4o-eu": "mira"}))
    result = check_rewrite(
        """\
        from openai import AzureOpenAI

        client = AzureOpenAI(api_version="2024-02-01")
        reply = client.chat.completions.create(model="gpt4o-eu", messages=[], max_completion_tokens=50)
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["MIRA_API_KEY"], base_url="https://api.vmira.ai/v1")
        reply = client.chat.completions.create(model="mira", messages=[], max_tokens=50)
        """,
        settings,
    )
    assert result.review == ()
    assert [(c.rule, c.line) for c in result.changes] == [("MC003", 3), ("MC004", 4), ("MC005", 4)]


def test_removed_deployment_and_remaining_references_are_reviewed() -> None:
    result = rewrite(
        dedent(
            """\
            from openai import AzureOpenAI

            client = AzureOpenAI(azure_deployment="gpt4", api_version="2024-02-01")
            assert isinstance(client, AzureOpenAI)
            """
        )
    )
    reasons = {r.line: r.reason for r in result.review}
    assert 'azure_deployment="gpt4" was removed' in reasons[3]
    assert reasons[1].startswith("AzureOpenAI is still referenced on line 4 ")


def test_change_log_names_every_removed_argument() -> None:
    result = rewrite(
        'from openai import AzureOpenAI\nc = AzureOpenAI(azure_endpoint=E, api_version="1", azure_deployment="d")\n'
    )
    (change,) = result.changes
    assert change.rule == "MC003"
    for part in (
        "AzureOpenAI -> OpenAI",
        "removed azure_endpoint=",
        "removed api_version=",
        "removed azure_deployment=",
        "base_url -> https://api.vmira.ai/v1",
        "api_key -> $MIRA_API_KEY",
    ):
        assert part in change.message


@pytest.mark.parametrize(
    "argument",
    ["azure_ad_token_provider=get_token", 'azure_ad_token="t"', "workload_identity=identity"],
)
def test_entra_authentication_leaves_the_client_alone_and_is_reviewed(argument: str) -> None:
    result = check_noop(
        f"""\
        from openai import AzureOpenAI

        def build(get_token, identity):
            return AzureOpenAI({argument}, api_version="2024-06-01", azure_endpoint="https://c.openai.azure.com")
        """
    )
    (item,) = result.review
    assert item.rule == "MC003" and item.line == 4
    assert argument.split("=")[0] in item.reason and "Entra ID" in item.reason and "left as is" in item.reason


def test_hard_coded_key_is_a_security_finding_never_shown() -> None:
    key = "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk"
    result = rewrite(f'from openai import AzureOpenAI\nc = AzureOpenAI(api_key="{key}", api_version="1")\n')
    assert key not in result.code
    assert [(f.rule, f.line) for f in result.security] == [("MC003", 2)]
    assert key in result.secrets
    assert all(key not in text for text in [*(c.message for c in result.changes), *(r.reason for r in result.review)])


# -- the converted code, running ------------------------------------------------------------------


def test_converted_client_is_a_plain_openai_client_on_the_target(tmp_path: Path) -> None:
    """Import the rewritten module with only the target's key set: an OpenAI client on the target."""
    result = rewrite(
        dedent(
            """\
            import os
            from openai import AzureOpenAI, AsyncAzureOpenAI

            client = AzureOpenAI(
                api_key=os.environ["AZURE_OPENAI_API_KEY"],
                api_version="2024-10-21",
                azure_endpoint="https://contoso.openai.azure.com",
                azure_deployment="chat",
            )
            background = AsyncAzureOpenAI(api_version="2024-10-21", azure_endpoint="https://contoso.openai.azure.com")
            entra = AzureOpenAI(
                azure_ad_token_provider=lambda: "token",
                api_version="2024-10-21",
                azure_endpoint="https://contoso.openai.azure.com",
            )
            """
        )
    )
    (tmp_path / "azure_app.py").write_text(result.code, encoding="utf-8")
    probe = (
        "import json, openai, azure_app\n"
        "print(json.dumps({name: [type(c).__name__, str(c.base_url), c.api_key, isinstance(c, openai.AzureOpenAI)]\n"
        "                  for name, c in (('sync', azure_app.client), ('async', azure_app.background),\n"
        "                                  ('entra', azure_app.entra))}))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "MIRA_API_KEY": "mira-test-key", "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "sync": ["OpenAI", "https://api.vmira.ai/v1/", "mira-test-key", False],
        "async": ["AsyncOpenAI", "https://api.vmira.ai/v1/", "mira-test-key", False],
        # Entra ID authentication cannot move by itself: it stays on Azure, without the target's key.
        "entra": ["AzureOpenAI", "https://contoso.openai.azure.com/openai/", "<missing API key>", True],
    }


@pytest.mark.parametrize(("before", "after"), TIDY)
def test_tidied_imports_still_run(before: str, after: str, tmp_path: Path) -> None:
    """Every TIDY output imports and builds its clients on the target: no name lost with an import."""
    code = rewrite(dedent(before)).code + "\nclients = [v for v in dict(globals()).values() if isinstance(v, OpenAI)]\n"
    code += "clients += [client()] if callable(globals().get('client')) else []\n"
    (tmp_path / "tidy_app.py").write_text(code, encoding="utf-8")
    probe = (
        "import json, tidy_app\nprint(json.dumps(sorted({(str(c.base_url), c.api_key) for c in tidy_app.clients})))\n"
    )
    key = "0f9e8d7c6b5a49382716f5e4d3c2b1a00f9e8d7c6b5a49382716f5e4d3c2b1a0"  # 64 hex characters
    env = {"PATH": os.environ.get("PATH", ""), "MIRA_API_KEY": key, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["https://api.vmira.ai/v1/", key]]


@pytest.fixture
def local_target() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with recording_server() as served:
        yield served


def test_rewritten_azure_app_sends_the_mapped_model_and_max_tokens_to_the_target(
    tmp_path: Path, local_target: tuple[str, list[dict[str, Any]]]
) -> None:
    """MC003 + MC004 + MC005 together: a real request from the rewritten code reaches the target."""
    url, requests = local_target
    target = resolve_target(base_url=url, api_key_env="LOCAL_LLM_KEY", model_map={"gpt-4o-prod": "local-model"})
    result = rewrite(
        dedent(
            """\
            import os
            from openai import AzureOpenAI

            client = AzureOpenAI(
                api_key=os.getenv("AZURE_OPENAI_API_KEY"),
                api_version="2024-10-21",
                azure_endpoint=os.getenv("AZURE_OPENAI_ENDPOINT"),
            )


            def ask(question: str) -> str:
                reply = client.chat.completions.create(
                    model="gpt-4o-prod",
                    messages=[{"role": "user", "content": question}],
                    max_completion_tokens=64,
                )
                return reply.choices[0].message.content
            """
        ),
        RewriteSettings(target),
    )
    (tmp_path / "azure_app.py").write_text(result.code, encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "LOCAL_LLM_KEY": "local-test-key", "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import azure_app; print(azure_app.ask('ping'))"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pong"
    (request,) = requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer local-test-key"
    assert request["body"]["model"] == "local-model"
    assert request["body"]["max_tokens"] == 64
    assert "max_completion_tokens" not in request["body"]


def test_a_deployment_name_is_reviewed_at_the_line_that_holds_it() -> None:
    result = rewrite(
        "import os\n"
        "from openai import AzureOpenAI\n"
        'client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], api_version="2024-06-01")\n'
        "reply = client.chat.completions.create(\n"
        '    messages=[{"role": "user", "content": "hi"}],\n'
        '    model="contoso-gpt4o",\n'
        ")\n"
    )
    (item,) = [r for r in result.review if "deployment name" in r.reason]
    assert item.line == 6


@pytest.mark.parametrize(
    ("code", "label", "line"),
    [
        (
            "from autogen_ext.models.openai import AzureOpenAIChatCompletionClient\n\n"
            'az = AzureOpenAIChatCompletionClient(model="gpt-4o", azure_deployment="gpt4o",\n'
            '                                     api_version="2024-06-01", azure_endpoint="https://x.openai.azure.com")\n',
            "AzureOpenAIChatCompletionClient",
            3,
        ),
        (
            "from haystack.components.generators.chat import AzureOpenAIChatGenerator\n"
            'gen = AzureOpenAIChatGenerator(azure_endpoint="https://x.openai.azure.com", azure_deployment="gpt-4o")\n',
            "AzureOpenAIChatGenerator",
            2,
        ),
        (
            "from haystack.components.embedders import AzureOpenAITextEmbedder\nemb = AzureOpenAITextEmbedder()\n",
            "AzureOpenAITextEmbedder",
            2,
        ),
        (
            "import semantic_kernel.connectors.ai.open_ai as sk\n"
            'chat = sk.AzureChatCompletion(service_id="chat")  # reads AZURE_OPENAI_* from the environment\n',
            "AzureChatCompletion",
            2,
        ),
    ],
    ids=["autogen", "haystack-chat", "haystack-embedder", "semantic-kernel-module-alias"],
)
def test_a_frameworks_azure_class_is_reviewed_and_left_alone(code: str, label: str, line: int) -> None:
    result = check_noop(code)
    assert [(item.rule, item.line, item.reason) for item in result.review] == [
        (
            "MC003",
            line,
            f"{label} is Azure OpenAI, which the rewrite does not move: migrate it by hand "
            "(its deployment names are not model ids, and its key is an Azure key)",
        )
    ]


def test_a_local_class_named_like_a_frameworks_azure_class_is_not_reviewed() -> None:
    code = "class AzureChatCompletion:\n    pass\n\n\nchat = AzureChatCompletion()\n"
    assert check_noop(code).review == ()
