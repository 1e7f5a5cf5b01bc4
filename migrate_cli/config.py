"""Where the migration goes: provider presets, `[tool.migrate]` defaults and flags -> one `Target`.

Precedence, lowest to highest: the built-in default (`vmira`), the project config (`[tool.migrate]` in
the nearest `pyproject.toml`, or a `migrate.toml`), then command-line flags. A `provider` in a higher
layer starts that layer over from its preset; `base_url` / `api_key_env` override single fields.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from migrate_cli.errors import UsageError
from migrate_cli.redact import redact

DEFAULT_PROVIDER = "vmira"
CONFIG_FILES = ("migrate.toml", "pyproject.toml")

# Every key `[tool.migrate]` may hold, with its type. Unknown keys are refused so a typo does not
# silently fall back to a default.
CONFIG_KEYS: dict[str, type | tuple[type, ...]] = {
    "provider": str,
    "base_url": str,
    "api_key_env": str,
    "include": list,
    "exclude": list,
    "model_map": dict,
    "env_files": bool,
    # smoke
    "model": str,
    "baseline_base_url": str,
    "baseline_api_key_env": str,
    "pricing": str,
    "concurrency": int,
    "timeout": (int, float),
    "max_retries": int,
    # smoke: the response cache directory (relative to the config file)
    "cache": str,
}

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    base_url: str
    api_key_env: str
    max_completion_tokens: bool
    docs: str
    model_map: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """The provider code is moved to (and the `smoke` candidate)."""

    base_url: str
    api_key_env: str
    #: Preset name when the URL is a known provider's, else None.
    provider: str | None
    #: Where the target came from, for the "Target: ..." line every run prints.
    origin: str
    accepts_max_completion_tokens: bool = False
    model_map: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        name = f"{self.provider} " if self.provider else ""
        return f"{name}{redact(self.base_url)} (key from ${self.api_key_env}; {self.origin})"

    def same_url(self, url: str) -> bool:
        return normalize_url(url) == normalize_url(self.base_url)


@dataclass(frozen=True)
class ProjectConfig:
    """The validated `[tool.migrate]` table, and the file it came from (None when there is none)."""

    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def resolve_path(self, value: str) -> Path:
        """A path written in the config file is relative to that file."""
        base = self.path.parent if self.path else Path.cwd()
        return (base / value).resolve()

    @property
    def label(self) -> str:
        if self.path is None:
            return "no config"
        table = "" if self.path.name == "migrate.toml" else " [tool.migrate]"
        return f"{self.path.name}{table}"


def normalize_url(url: str) -> str:
    return url.strip().rstrip("/").lower()


@cache
def load_presets() -> Mapping[str, Preset]:
    text = resources.files("migrate_cli.providers").joinpath("presets.toml").read_text("utf-8")
    presets = {
        name: Preset(name=name, model_map=MappingProxyType(dict(row.pop("model_map", {}))), **row)
        for name, row in tomllib.loads(text).items()
    }
    return MappingProxyType(presets)


def preset_for_url(url: str) -> Preset | None:
    wanted = normalize_url(url)
    return next((p for p in load_presets().values() if normalize_url(p.base_url) == wanted), None)


def get_preset(name: str, *, source: str) -> Preset:
    presets = load_presets()
    if name in presets:
        return presets[name]
    close = difflib.get_close_matches(name, list(presets), n=1)
    suggestion = f" Did you mean '{close[0]}'?" if close else ""
    raise UsageError(
        f"unknown provider '{name}' ({source}).{suggestion}",
        hint="known providers: " + ", ".join(presets),
    )


def find_project_config(start: Path) -> Path | None:
    """The nearest `migrate.toml`, or `pyproject.toml` with a `[tool.migrate]` table, from `start` up.

    The search stops at the repository root (a directory holding `.git`), so a config in some
    unrelated parent directory is never picked up.
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and (name == "migrate.toml" or _has_tool_table(candidate)):
                return candidate
        if (directory / ".git").exists():
            return None
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = pyproject.read_bytes()
    except OSError:
        return False
    # Cheap check first: most pyproject.toml files have no [tool.migrate] and need no TOML parse.
    return b"tool.migrate" in data


def load_project_config(start: Path | None = None) -> ProjectConfig:
    path = find_project_config(start or Path.cwd())
    if path is None:
        return ProjectConfig()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    # migrate.toml holds the keys at its top level, like ruff.toml beside [tool.ruff].
    table = data if path.name == "migrate.toml" else data.get("tool", {}).get("migrate", {})
    return ProjectConfig(path=path, values=MappingProxyType(_validate(table, path)))


def _validate(table: Mapping[str, Any], path: Path) -> dict[str, Any]:
    for key, value in table.items():
        expected = CONFIG_KEYS.get(key)
        if expected is None:
            close = difflib.get_close_matches(key, list(CONFIG_KEYS), n=1)
            suggestion = f" Did you mean '{close[0]}'?" if close else ""
            raise UsageError(f"{path}: unknown key '{key}' in the migrate config.{suggestion}")
        if isinstance(value, bool) and expected is not bool:
            raise UsageError(f"{path}: '{key}' must be {_type_name(expected)}, not true/false")
        if not isinstance(value, expected):
            raise UsageError(f"{path}: '{key}' must be {_type_name(expected)}")
    if not all(isinstance(v, str) for v in table.get("model_map", {}).values()):
        raise UsageError(f'{path}: model_map values must be model-id strings (like "gpt-4o" = "mira")')
    for key in ("api_key_env", "baseline_api_key_env"):
        if key in table:
            check_env_name(table[key], source=f"{path}: {key}")
    return dict(table)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        list: "a list",
        dict: "a table",
        bool: "true or false",
        int: "an integer",
        float: "a number",
    }
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names[k] for k in kinds)


def check_env_name(name: str, *, source: str) -> str:
    """Refuse anything that is not an env var *name*, without echoing it: it may be the key itself."""
    if not _ENV_NAME.match(name):
        raise UsageError(
            f"{source} must be the NAME of an environment variable (like MIRA_API_KEY), "
            "not its value; the value given is not shown in case it is a key"
        )
    return name


def check_url(url: str, *, source: str) -> str:
    if not re.match(r"https?://[^/\s]+", url):
        raise UsageError(f"{source} must be an http(s) URL, got '{url}'")
    return url


def parse_model_map(pairs: list[str] | tuple[str, ...], *, source: str = "--model-map") -> dict[str, str]:
    """`OLD=NEW` pairs -> {OLD: NEW}; a malformed pair is a usage error naming it."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UsageError(f"{source} expects OLD=NEW (like gpt-4o=mira), got '{pair}'")
        mapping[old.strip()] = new.strip()
    return mapping


def resolve_target(
    config: ProjectConfig | None = None,
    *,
    provider: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    model_map: Mapping[str, str] | None = None,
) -> Target:
    """Combine the default preset, the project config and the flags into the target.

    The model map merges the preset's default map, `[tool.migrate.model_map]` and `--model-map`
    pairs (`model_map`), later ones winning per model.
    """
    config = config or ProjectConfig()
    preset: Preset | None = get_preset(DEFAULT_PROVIDER, source="default")
    origin = "default"
    url: str | None = None
    key_env: str | None = None

    layers = (
        (config.label, config.get("provider"), config.get("base_url"), config.get("api_key_env")),
        ("command line", provider, base_url, api_key_env),
    )
    for source, layer_provider, layer_url, layer_key in layers:
        if layer_provider is not None:
            preset, url, key_env = get_preset(layer_provider, source=source), None, None
            origin = source
        if layer_url is not None:
            url, origin = check_url(layer_url, source=f"base_url ({source})"), source
        if layer_key is not None:
            key_env, origin = check_env_name(layer_key, source=f"api_key_env ({source})"), source

    if url is not None and not preset_matches(preset, url):
        known = preset_for_url(url)
        if known is not None:
            preset = known
        elif key_env is None:
            raise UsageError(
                f"base URL {url} is not a known provider, so migrate cannot tell which env var holds its key",
                hint="add --api-key-env NAME (or api_key_env in [tool.migrate])",
            )
        else:
            preset = None

    merged_map = dict(preset.model_map) if preset else {}
    merged_map.update(config.get("model_map") or {})
    merged_map.update(model_map or {})
    if preset is None:
        # Only an unknown base URL leaves no preset, and it was refused above without a key variable.
        assert url is not None and key_env is not None
        return Target(
            base_url=url,
            api_key_env=key_env,
            provider=None,
            origin=origin,
            accepts_max_completion_tokens=False,
            model_map=MappingProxyType(merged_map),
        )
    return Target(
        base_url=url or preset.base_url,
        api_key_env=key_env or preset.api_key_env,
        provider=preset.name,
        origin=origin,
        accepts_max_completion_tokens=preset.max_completion_tokens,
        model_map=MappingProxyType(merged_map),
    )


def preset_matches(preset: Preset | None, url: str) -> bool:
    return preset is not None and normalize_url(preset.base_url) == normalize_url(url)
