"""MC020 pydantic-settings: fields reading OpenAI's env vars are reviewed with the fix, never rewritten.

The last test checks the rule against the real library: for each settings class, the fields the rule
reviews are exactly the fields pydantic-settings (or pydantic.v1) fills from OPENAI_* env vars.
"""

from __future__ import annotations

from collections.abc import Sequence
from textwrap import dedent

import pytest
from helpers.rewrite_cases import check_noop

V2 = (
    "from pydantic import AliasChoices, AliasPath, Field\n"
    "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
)
V1 = "from pydantic.v1 import BaseSettings, Field\n"

# (code, [(line, words of the reason), ...]): every case is a no-op that gets exactly these reviews.
REVIEWED = [
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    openai_api_key: str = "unset"
    openai_base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o"
""",
        [
            (
                7,
                "Settings.openai_api_key reads $OPENAI_API_KEY: read $MIRA_API_KEY instead with "
                '`Field(validation_alias="MIRA_API_KEY")`, or set OPENAI_API_KEY to the key for '
                "https://api.vmira.ai/v1 where this runs",
            ),
            (
                8,
                "Settings.openai_base_url reads $OPENAI_BASE_URL (default https://api.openai.com/v1): "
                "set OPENAI_BASE_URL=https://api.vmira.ai/v1 where this runs, or make its default "
                '"https://api.vmira.ai/v1"',
            ),
        ],
        id="field-names",
    ),
    pytest.param(
        V2
        + """
class LLMSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="openai_")

    api_key: str = "unset"
    api_base: str = "unset"
    model: str = "unset"
""",
        [
            (7, "LLMSettings.api_key reads $OPENAI_API_KEY"),
            (8, "LLMSettings.api_base reads $OPENAI_API_BASE: set OPENAI_API_BASE="),
        ],
        id="env-prefix",
    ),
    pytest.param(
        V2
        + """
class Settings(BaseSettings, env_prefix="OPENAI_"):
    base_url: str = "unset"
""",
        [(5, "Settings.base_url reads $OPENAI_BASE_URL")],
        id="env-prefix-as-class-keyword",
    ),
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    llm_url: str = Field("unset", alias="OPENAI_API_BASE")
    llm_key: str = Field("unset", validation_alias=AliasChoices("LLM_KEY", "OPENAI_API_KEY"))
""",
        [
            (5, "Settings.llm_url reads $OPENAI_API_BASE"),
            (6, 'change "OPENAI_API_KEY" to "MIRA_API_KEY" in its validation_alias='),
        ],
        id="alias-and-alias-choices",
    ),
    pytest.param(
        V2
        + """
class Base(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="openai_")


class AppSettings(Base):
    api_key: str = "unset"
    debug: bool = False
""",
        [(9, "AppSettings.api_key reads $OPENAI_API_KEY")],
        id="subclass-of-local-settings-class-inherits-prefix",
    ),
    pytest.param(
        V1
        + """
class Settings(BaseSettings):
    openai_api_key: str = "unset"
    llm_base: str = Field("unset", env="OPENAI_BASE_URL")

    class Config:
        env_file = ".env"
""",
        [
            (4, 'read $MIRA_API_KEY instead with `Field(env="MIRA_API_KEY")`'),
            (5, "Settings.llm_base reads $OPENAI_BASE_URL"),
        ],
        id="pydantic-v1",
    ),
    pytest.param(
        V2
        + """
PREFIX = "openai_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX)

    api_key: str = "unset"
""",
        [(10, "Settings.api_key reads $OPENAI_API_KEY")],
        id="prefix-from-a-module-constant",
    ),
    pytest.param(
        """\
import pydantic_settings as ps


class Settings(ps.BaseSettings):
    openai_api_key: str = "unset"
""",
        [(5, "Settings.openai_api_key reads $OPENAI_API_KEY")],
        id="module-attribute-base",
    ),
]


@pytest.mark.parametrize(("code", "expected"), REVIEWED)
def test_reviewed_fields(code: str, expected: list[tuple[int, str]]) -> None:
    result = check_noop(code)
    assert [(r.rule, r.line) for r in result.review] == [("MC020", line) for line, _ in expected]
    for review, (_, words) in zip(result.review, expected, strict=True):
        assert words in review.reason


NOOPS = [
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    openai_api_key: str = Field("unset", validation_alias="MIRA_API_KEY")
    openai_base_url: str = "https://api.vmira.ai/v1"
""",
        id="already-migrated",
    ),
    pytest.param(
        """\
from pydantic import BaseModel


class Request(BaseModel):
    openai_api_key: str = "unset"
""",
        id="basemodel-is-not-settings",
    ),
    pytest.param(
        """\
from myframework.config import BaseSettings


class Settings(BaseSettings):
    openai_api_key: str = "unset"
""",
        id="lookalike-basesettings",
    ),
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="myapp_")

    openai_api_key: str = "unset"
""",
        id="other-prefix",
    ),
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True)

    openai_api_key: str = "unset"
""",
        id="case-sensitive-lowercase-name",
    ),
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    openai_api_key: str = Field("unset", alias="LLM_KEY")
""",
        id="alias-replaces-the-field-name",
    ),
    pytest.param(
        V1
        + """
class Settings(BaseSettings):
    openai_api_key: str = Field("unset", env="MIRA_API_KEY")
""",
        id="v1-env-already-migrated",
    ),
    pytest.param(
        "import os\n"
        + V2
        + """
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=os.environ.get("APP_PREFIX", ""))

    api_key: str = "unset"
""",
        id="prefix-known-only-at-run-time-is-not-guessed",
    ),
    pytest.param(
        V2
        + """
class Settings(BaseSettings):
    _openai_api_key: str = "unset"
    model_config = SettingsConfigDict(env_prefix="")
""",
        id="private-attribute",
    ),
    pytest.param(
        V2
        + """
def build():
    class BaseSettings:  # a local class shadows the import
        pass

    class Settings(BaseSettings):
        openai_api_key: str = "unset"

    return Settings
""",
        id="shadowed-base",
    ),
]


@pytest.mark.parametrize("code", NOOPS)
def test_noops(code: str) -> None:
    assert check_noop(code).review == ()


ENV = {"OPENAI_API_KEY": "from-openai-key", "OPENAI_BASE_URL": "from-openai-url", "OPENAI_API_BASE": "from-openai-base"}


def _code(values: Sequence[object]) -> str:
    """The code a case above passes: its first value."""
    code = values[0]
    assert isinstance(code, str)
    return code


@pytest.mark.parametrize(
    "code",
    [
        *(_code(p.values) for p in REVIEWED),
        *(
            _code(p.values)
            for p in NOOPS
            if "myframework" not in _code(p.values) and "def build" not in _code(p.values)
        ),
    ],
)
def test_reviewed_fields_are_exactly_those_the_library_fills_from_openai_env(
    code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MIRA_API_KEY", "from-target-key")
    namespace: dict[str, object] = {}
    exec(compile(dedent(code), "settings.py", "exec"), namespace)
    classes = [
        v
        for k, v in namespace.items()
        if isinstance(v, type)
        and k not in ("BaseSettings", "BaseModel", "Field", "AliasChoices", "AliasPath", "SettingsConfigDict")
    ]
    filled_from_openai = set()
    for cls in classes:
        instance = cls()
        for field, value in vars(instance).items():  # pydantic v1 and v2 keep field values there
            if value in ENV.values():
                filled_from_openai.add(f"{cls.__name__}.{field}")
    # A URL field whose default is already the target counts as migrated (the env is deployment config).
    for name in ENV:
        monkeypatch.delenv(name)
    for cls in classes:
        for field, value in vars(cls()).items():
            if value == "https://api.vmira.ai/v1":
                filled_from_openai.discard(f"{cls.__name__}.{field}")
    result = check_noop(code)
    reviewed = {review.reason.split(" reads ")[0] for review in result.review}
    assert reviewed == filled_from_openai
