"""Target resolution: default, presets, project config, flags, and the errors a user can hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate_cli.config import load_project_config, parse_model_map, resolve_target
from migrate_cli.errors import UsageError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_default_is_vmira() -> None:
    target = resolve_target()
    assert (target.base_url, target.api_key_env, target.provider) == (
        "https://api.vmira.ai/v1",
        "MIRA_API_KEY",
        "vmira",
    )
    assert target.origin == "default"
    assert "vmira" in target.describe() and "$MIRA_API_KEY" in target.describe()


def test_provider_flag_picks_preset() -> None:
    target = resolve_target(provider="groq")
    assert (target.base_url, target.api_key_env) == ("https://api.groq.com/openai/v1", "GROQ_API_KEY")
    assert target.accepts_max_completion_tokens


def test_unknown_provider_suggests() -> None:
    with pytest.raises(UsageError) as info:
        resolve_target(provider="togther")
    assert "Did you mean 'together'" in info.value.message


def test_base_url_of_a_known_provider_adopts_its_key_env() -> None:
    target = resolve_target(base_url="https://api.together.xyz/v1/")
    assert target.provider == "together" and target.api_key_env == "TOGETHER_API_KEY"


def test_custom_base_url_needs_key_env() -> None:
    with pytest.raises(UsageError) as info:
        resolve_target(base_url="http://localhost:9000/v1")
    assert "--api-key-env" in (info.value.hint or "")
    target = resolve_target(base_url="http://localhost:9000/v1", api_key_env="LOCAL_KEY")
    assert (target.base_url, target.api_key_env, target.provider) == ("http://localhost:9000/v1", "LOCAL_KEY", None)


def test_key_value_given_as_env_name_is_refused_without_echo() -> None:
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz"
    with pytest.raises(UsageError) as info:
        resolve_target(api_key_env=secret)
    assert secret not in info.value.message and "NAME" in info.value.message


def test_bad_url_is_refused() -> None:
    with pytest.raises(UsageError):
        resolve_target(base_url="api.vmira.ai/v1")


def test_pyproject_config_then_flags(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.migrate]\nprovider = "deepseek"\nmodel_map = { "gpt-4o" = "deepseek-chat" }\n',
    )
    (tmp_path / ".git").mkdir()
    config = load_project_config(tmp_path / "src")
    assert config.path == tmp_path / "pyproject.toml"
    target = resolve_target(config)
    assert (target.provider, target.origin) == ("deepseek", "pyproject.toml [tool.migrate]")
    assert dict(target.model_map) == {"gpt-4o": "deepseek-chat"}
    flagged = resolve_target(config, provider="mistral", model_map={"gpt-4o": "mistral-large-latest"})
    assert (flagged.provider, flagged.origin) == ("mistral", "command line")
    assert dict(flagged.model_map) == {"gpt-4o": "mistral-large-latest"}


def test_config_key_env_overrides_preset(tmp_path: Path) -> None:
    write(tmp_path / "migrate.toml", 'api_key_env = "VMIRA_KEY"\n')
    target = resolve_target(load_project_config(tmp_path))
    assert (target.base_url, target.api_key_env) == ("https://api.vmira.ai/v1", "VMIRA_KEY")


def test_search_stops_at_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.migrate]\nprovider = "groq"\n')
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert load_project_config(tmp_path / "repo").path is None


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.migrate]\nprovider = "groq"\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    assert load_project_config(tmp_path / "pkg").path == tmp_path / "pyproject.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.migrate]\nprovder = "groq"\n', "unknown key 'provder'"),
        ("[tool.migrate]\nconcurrency = true\n", "'concurrency' must be an integer"),
        ('[tool.migrate]\nmodel_map = { "gpt-4o" = 3 }\n', "model_map values"),
        ("[tool.migrate\n", "cannot read"),
    ],
)
def test_bad_config_is_refused_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "pyproject.toml", text)
    with pytest.raises(UsageError) as info:
        load_project_config(tmp_path)
    assert message in info.value.message
    assert "pyproject.toml" in info.value.message


def test_parse_model_map() -> None:
    assert parse_model_map(["gpt-4o=mira", "gpt-4o-mini = mira-pro"]) == {"gpt-4o": "mira", "gpt-4o-mini": "mira-pro"}
    with pytest.raises(UsageError) as info:
        parse_model_map(["gpt-4o"])
    assert "OLD=NEW" in info.value.message


def test_the_target_line_never_shows_a_password_of_the_url() -> None:
    target = resolve_target(base_url="https://bob:hunter22@proxy.example/v1", api_key_env="PROXY_KEY")
    assert target.describe() == "https://bob:…REDACTED@proxy.example/v1 (key from $PROXY_KEY; command line)"
    assert target.base_url == "https://bob:hunter22@proxy.example/v1"  # the requests still carry it
