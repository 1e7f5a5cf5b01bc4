"""MC006 module-constants: the constant's one assignment is rewritten, never the call; anything unproved is reviewed."""

from __future__ import annotations

import ast
from collections.abc import Iterable

import pytest
from helpers.rewrite_cases import VMIRA, check_noop, check_rewrite, rewrite

from migrate_cli.rewrite.analysis.values import string_value
from migrate_cli.rewrite.api.construction import ConstructionRule, ConstructionSpec, Declined
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.rule import Rule
from migrate_cli.rewrite.engine import rewrite_source
from migrate_cli.rewrite.model import RewriteSettings
from migrate_cli.rewrite.rules.module_constants import ModuleConstantRule
from migrate_cli.rewrite.rules.openai_client import ClientRule

REWRITES = [
    pytest.param(
        """\
        import os
        from openai import OpenAI

        BASE_URL = "https://api.openai.com/v1"
        API_KEY = os.getenv("OPENAI_API_KEY")

        client = OpenAI(base_url=BASE_URL, api_key=API_KEY)
        """,
        """\
        import os
        from openai import OpenAI

        BASE_URL = "https://api.vmira.ai/v1"
        API_KEY = os.environ["MIRA_API_KEY"]

        client = OpenAI(base_url=BASE_URL, api_key=API_KEY)
        """,
        id="url-and-key-constants",
    ),
    pytest.param(
        """\
        import os
        import openai

        OPENAI_BASE_URL = os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")  # overridable


        def get_client():
            return openai.OpenAI(base_url=OPENAI_BASE_URL)


        async def get_async_client():
            return openai.AsyncOpenAI(base_url=OPENAI_BASE_URL, timeout=10)
        """,
        """\
        import os
        import openai

        OPENAI_BASE_URL = "https://api.vmira.ai/v1"  # overridable


        def get_client():
            return openai.OpenAI(base_url=OPENAI_BASE_URL, api_key=os.environ["MIRA_API_KEY"])


        async def get_async_client():
            return openai.AsyncOpenAI(base_url=OPENAI_BASE_URL, timeout=10, api_key=os.environ["MIRA_API_KEY"])
        """,
        id="env-read-constant-two-clients-in-functions",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        API_KEY: str = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
        client = OpenAI(api_key=API_KEY)
        """,
        """\
        import os
        from openai import OpenAI

        API_KEY: str = os.environ["MIRA_API_KEY"]
        client = OpenAI(api_key=API_KEY, base_url="https://api.vmira.ai/v1")
        """,
        id="annotated-hard-coded-key",
    ),
    pytest.param(
        """\
        import os
        import openai

        API_KEY = os.environ["OPENAI_API_KEY"]
        openai.api_key = API_KEY
        """,
        """\
        import os
        import openai

        API_KEY = os.environ["MIRA_API_KEY"]
        openai.api_key = API_KEY
        openai.base_url = "https://api.vmira.ai/v1"
        """,
        id="module-client-key-constant",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        BASE_URL = "https://api.vmira.ai/v1"
        API_KEY = os.getenv("OPENAI_API_KEY")
        CONFIG = {"base_url": BASE_URL, "api_key": API_KEY}


        def make():
            return OpenAI(**CONFIG)
        """,
        """\
        import os
        from openai import OpenAI

        BASE_URL = "https://api.vmira.ai/v1"
        API_KEY = os.environ["MIRA_API_KEY"]
        CONFIG = {"base_url": BASE_URL, "api_key": API_KEY}


        def make():
            return OpenAI(**CONFIG)
        """,
        id="constants-in-a-config-dict-url-already-moved",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWRITES)
def test_rewrites(before: str, after: str) -> None:
    check_rewrite(before, after)


def test_change_log_names_the_constant_and_its_clients() -> None:
    result = rewrite(
        "import os\n"
        "from openai import OpenAI\n"
        "URL = None\n"
        'KEY = os.getenv("OPENAI_API_KEY")\n'
        "c = OpenAI(base_url=URL, api_key=KEY)\n"
    )
    assert [(c.rule, c.line, c.message) for c in result.changes] == [
        ("MC006", 3, "URL -> https://api.vmira.ai/v1 (the base URL of OpenAI() at line 5)"),
        ("MC006", 4, "KEY -> $MIRA_API_KEY (the API key of OpenAI() at line 5)"),
    ]
    assert result.review == ()


def test_hard_coded_key_constant_is_a_security_finding_never_shown() -> None:
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    result = rewrite(f'from openai import OpenAI\nKEY = "{key}"\nclient = OpenAI(api_key=KEY)\n')
    assert key not in result.code
    assert [(f.rule, f.line) for f in result.security] == [("MC006", 2)]
    assert key in result.secrets


# Each: code left alone, then (rule, line, words of the reason) for every review item it must get.
NOOPS = [
    pytest.param(
        """\
        import requests
        from openai import OpenAI

        BASE_URL = "https://api.openai.com/v1"
        client = OpenAI(base_url=BASE_URL, api_key="EMPTY")
        models = requests.get(BASE_URL + "/models")
        """,
        [("MC006", 4, "also read at line 6"), ("MC001", 5, "the module constant is not rewritten")],
        id="constant-read-elsewhere-too",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        BASE_URL = "https://api.openai.com/v1"
        if DEBUG:
            BASE_URL = "http://localhost:8000/v1"
        client = OpenAI(base_url=BASE_URL)
        """,
        [("MC001", 6, "BASE_URL is set 2 times")],
        id="assigned-twice",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        BASE_URL = "https://api.openai.com/v1"


        def point_at(url):
            global BASE_URL
            BASE_URL = url


        client = OpenAI(base_url=BASE_URL)
        """,
        [("MC001", 11, "BASE_URL is set 2 times")],
        id="rebound-through-global",
    ),
    pytest.param(
        """\
        from openai import OpenAI
        from .config import API_BASE

        client = OpenAI(base_url=API_BASE)
        """,
        [("MC001", 4, "imported from .config")],
        id="imported-url",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        BASE_URL = "http://localhost:8000/v1"
        client = OpenAI(base_url=BASE_URL, api_key="EMPTY")
        """,
        [("MC001", 4, 'base_url=BASE_URL="http://localhost:8000/v1" is not OpenAI\'s URL')],
        id="constant-is-a-local-server",
    ),
    pytest.param(
        """\
        import os
        from openai import OpenAI

        KEY = os.getenv("OPENAI_API_KEY")
        local = OpenAI(base_url="http://localhost:8000/v1", api_key=KEY)
        """,
        [("MC001", 5, "http://localhost:8000/v1")],
        id="key-constant-of-a-client-left-alone",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        SECRET = "https://api.openai.com/v1"
        client = OpenAI(base_url=SECRET, api_key=SECRET)
        """,
        [("MC006", 3, "both as a URL and as an API key"), ("MC001", 4, "both as a URL and as an API key")],
        id="url-and-key-at-once",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        BASE_URL = "https://api.openai.com/v1"


        def make(BASE_URL):
            return OpenAI(base_url=BASE_URL, api_key="EMPTY")
        """,
        [("MC001", 7, "base_url=BASE_URL is the parameter `BASE_URL` of make() (line 6)")],
        id="parameter-shadows-constant",
    ),
    pytest.param(
        """\
        from openai import OpenAI


        class Config:
            BASE_URL = "https://api.openai.com/v1"
            client = OpenAI(base_url=BASE_URL, api_key="EMPTY")
        """,
        [("MC001", 6, "base_url=BASE_URL is not OpenAI's URL")],
        id="class-attribute-is-not-a-module-constant",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        BASE_URL = "https://api.openai.com/v1"
        client = OpenAI("sk-positional", base_url=BASE_URL)
        """,
        [("MC001", 4, "positional arguments")],
        id="only-use-is-a-construction-left-alone",
    ),
    pytest.param(
        """\
        from openai import OpenAI

        BASE_URL, KEY = "https://api.openai.com/v1", "EMPTY"
        client = OpenAI(base_url=BASE_URL, api_key=KEY)
        """,
        [("MC001", 4, "base_url=BASE_URL is not OpenAI's URL")],
        id="tuple-assignment",
    ),
]


@pytest.mark.parametrize(("code", "expected"), NOOPS)
def test_noops_are_reviewed_with_the_reason(code: str, expected: list[tuple[str, int, str]]) -> None:
    result = check_noop(code)
    assert len(result.review) == len(expected), result.review
    for rule, line, words in expected:
        assert any(r.rule == rule and r.line == line and words in r.reason for r in result.review), (
            rule,
            line,
            words,
            result.review,
        )


def test_already_migrated_constants_are_left_alone_silently() -> None:
    result = check_noop(
        """\
        import os
        from openai import OpenAI

        BASE_URL = "https://api.vmira.ai/v1"
        API_KEY = os.environ["MIRA_API_KEY"]
        client = OpenAI(base_url=BASE_URL, api_key=API_KEY)
        """
    )
    assert result.review == ()


def test_a_key_constant_read_elsewhere_keeps_its_literal_but_reports_it() -> None:
    key = "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0"
    code = (
        f'from openai import OpenAI\nKEY = "{key}"\nclient = OpenAI(api_key=KEY)\n'
        'headers = {"Authorization": f"Bearer {KEY}"}\n'
    )
    result = rewrite(code)
    # Not rewritten: the header needs the same value. So the client cannot get the target's key, and
    # it stays where it is, URL included (moving the URL alone would send this key to the target).
    assert result.code == code
    assert [(f.rule, f.line) for f in result.security] == [("MC006", 2)]
    assert key in result.secrets
    assert {(r.rule, r.line) for r in result.review} == {("MC006", 2), ("MC001", 3)}
    assert all(key not in r.reason for r in result.review)


CONSTANTS = (
    "import os\n"
    "from openai import OpenAI\n"
    'BASE_URL = "https://api.openai.com/v1"\n'
    'client = OpenAI(base_url=BASE_URL, api_key="EMPTY")\n'
)


def test_skipping_mc006_leaves_constants_to_review() -> None:
    result = rewrite(CONSTANTS, RewriteSettings(VMIRA.target, skip=frozenset({"MC006"})))
    assert not result.changed
    assert [(r.rule, r.line) for r in result.review] == [("MC001", 4)]


def test_mc006_alone_moves_nothing_because_no_client_is_migrated_in_that_run() -> None:
    result = rewrite(CONSTANTS, RewriteSettings(VMIRA.target, only=frozenset({"MC006"})))
    assert not result.changed


def test_rewritten_constants_build_clients_on_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the rewritten module with only the target's key set."""
    result = rewrite(
        'import os\nimport openai\nBASE_URL = os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")\n'
        'API_KEY = os.environ.get("OPENAI_API_KEY")\nclient = openai.OpenAI(base_url=BASE_URL, api_key=API_KEY)\n'
    )
    assert result.changed
    monkeypatch.setenv("MIRA_API_KEY", "mira-test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")  # a stale env must not pull it back
    namespace: dict[str, object] = {}
    exec(compile(result.code, "settings.py", "exec"), namespace)
    client = namespace["client"]
    assert str(client.base_url).rstrip("/") == "https://api.vmira.ai/v1"  # type: ignore[attr-defined]
    assert client.api_key == "mira-test-key"  # type: ignore[attr-defined]


# -- how MC006 sees other rules' constructions (test-only rules, so the cases do not depend on a framework) --

_LLM_SPEC = ConstructionSpec(callees=frozenset({"fakellm.LLM"}), url_params=("api_base",), positional_ok=True)


class _GatedLLM(ConstructionRule):
    """Like dspy.LM: only `LLM("openai/...")` is ours; the rule's own check runs before the shared rewrite."""

    spec = _LLM_SPEC

    def declined(self, call: ast.Call, label: str, module: ModuleInfo) -> Declined | None:
        return None if (string_value(call.args[0]) or "").startswith("openai/") else Declined()


class _WrapperWithAttribute(Rule):
    code, name, summary = "MC901", "test-wrapper", "test"
    _constructions = (_GatedLLM(),)

    def constructions(self) -> tuple[Rule, ...]:  # declared: the sites MC006 follows names into
        return self._constructions

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable:
        for construction in self._constructions:
            yield from construction.find(module, report)


class _WrapperBuildingInFind(Rule):
    code, name, summary = "MC902", "test-opaque-wrapper", "test"

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable:
        yield from _GatedLLM().find(module, report)


class _SecretKeyLLM(ConstructionRule):
    """Like Haystack: the key it writes is not a string, so a string key constant is not its to follow."""

    code, name, summary = "MC903", "test-secret", "test"
    spec = ConstructionSpec(callees=frozenset({"fakellm.SecretLLM"}))

    def key_code(
        self, module: ModuleInfo, anchor: ast.AST, report: Recorder, placeholder: str | None = None
    ) -> str | None:
        return 'Secret.from_env_var("MIRA_API_KEY")'


def _run(code: str, *extra: Rule):
    return rewrite_source(code, VMIRA, (ClientRule(), ModuleConstantRule(), *extra))


GATED = 'import fakellm\nURL = "https://api.openai.com/v1"\nllm = fakellm.LLM("{model}", api_base=URL)\n'


def test_constants_are_followed_into_a_wrapper_rules_constructions() -> None:
    result = _run(GATED.format(model="openai/gpt-4o"), _WrapperWithAttribute())
    assert 'URL = "https://api.vmira.ai/v1"' in result.code
    assert [c.rule for c in result.changes] == ["MC006", "MC901"]


def test_a_call_the_rule_itself_turns_down_keeps_its_constant() -> None:
    result = _run(GATED.format(model="anthropic/claude"), _WrapperWithAttribute())
    assert not result.changed


def test_a_constant_shared_by_a_turned_down_call_is_reviewed() -> None:
    code = GATED.format(model="openai/gpt-4o") + 'other = fakellm.LLM("anthropic/claude", api_base=URL)\n'
    result = _run(code, _WrapperWithAttribute())
    assert not result.changed
    assert any(r.rule == "MC006" and r.line == 2 and "also read at line 4" in r.reason for r in result.review)


def test_constructions_a_rule_hides_inside_find_are_not_followed() -> None:
    result = _run(GATED.format(model="openai/gpt-4o"), _WrapperBuildingInFind())
    assert not result.changed
    assert any(r.rule == "MC902" and "where MC006 does not follow it" in r.reason for r in result.review)


def test_a_key_constant_is_not_followed_into_a_rule_that_writes_its_own_key_expression() -> None:
    code = 'import fakellm\nKEY = "sk-placeholder"\nllm = fakellm.SecretLLM(api_key=KEY)\n'
    result = _run(code, _SecretKeyLLM())
    assert result.code == code  # the constant is not this rule's to rewrite, so the construction stays whole
    assert any(r.rule == "MC903" and "api_key=KEY" in r.reason and "left as is" in r.reason for r in result.review)
