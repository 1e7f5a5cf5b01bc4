"""policy.py's decisions asked directly, for what every rule relies on even where the rules already
filter: an unproven key is never turned into a read of the target's variable."""

from __future__ import annotations

import ast

import pytest

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.analysis.python_syntax import parse_module
from migrate_cli.rewrite.analysis.scopes import analyze
from migrate_cli.rewrite.api.context import Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.api.policy import decide_api_key, key_unproven_reason


def module_of(code: str) -> ModuleInfo:
    tree = parse_module(code)
    return ModuleInfo(source=code, tree=tree, analysis=analyze(tree), target=resolve_target(), rules=())


def key_argument(module: ModuleInfo) -> tuple[ast.Call, ast.expr]:
    call = next(node for node in ast.walk(module.tree) if isinstance(node, ast.Call) and node.keywords)
    return call, next(k.value for k in call.keywords if k.arg == "api_key")


@pytest.mark.parametrize(
    ("key", "origin"),
    [
        ("settings.openai_key", "settings.openai_key (line 4) is not proven to hold the key"),
        ('os.environ["LLM_KEY"]', "reads $LLM_KEY (line 4), which is not known to hold the key"),
        ("key", "the parameter `key` of make()"),
    ],
)
def test_an_unproven_key_is_never_rewritten_even_when_asked_directly(key: str, origin: str) -> None:
    # Rules ask key_unproven_reason first and leave such a construction alone; decide_api_key must
    # say "unproven" on its own too, so a rule that forgets cannot write os.environ["MIRA_API_KEY"]
    # over a key that may be another provider's (and move the URL with it).
    module = module_of(f"import os\nfrom openai import OpenAI\ndef make(key):\n    return OpenAI(api_key={key})\n")
    call, value = key_argument(module)
    findings = Findings()
    decision = decide_api_key(value, module, Recorder("MC001", findings), call)
    assert decision.action == "unproven" and decision.leaves_alone and not decision.edits
    assert origin in decision.reason and decision.reason == key_unproven_reason(value, module)
    assert not findings.changes and not findings.security


@pytest.mark.parametrize(
    "key",
    ["gsk_4f9T2kQ7mZx81LwPq3Rv", "xai-Q8v2Lr7Tz1Wm5Nc9Kd3Hs6", "9f" * 32, "Zx81Lw"],
)
def test_a_hard_coded_key_left_in_place_because_os_is_rebound_is_reported_as_kept(key: str) -> None:
    # `os` is a parameter here, so os.environ["MIRA_API_KEY"] cannot be written: the construction stays
    # as it is. The key must still be a secret and a finding, and the finding must not claim that it
    # was replaced by a read of $MIRA_API_KEY.
    from helpers.rewrite_cases import rewrite

    code = f'from openai import OpenAI\n\n\ndef build(os):\n    return OpenAI(api_key="{key}")\n'
    result = rewrite(code)
    assert result.code == code
    assert [item.reason for item in result.review] == [
        'OpenAI(...): api_key: `os` is rebound here, so os.environ["MIRA_API_KEY"] cannot be written: '
        "left as is; set the key by hand"
    ]
    assert [finding.message for finding in result.security] == [
        "hard-coded API key in api_key, not rewritten (see the review item): revoke it and read it from the environment"
    ]
    assert key in result.secrets
