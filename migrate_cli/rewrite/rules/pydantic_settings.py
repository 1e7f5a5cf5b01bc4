"""MC020 pydantic-settings: settings fields that read OpenAI's env vars are listed for review, with the fix.

    class Settings(BaseSettings):
        openai_api_key: SecretStr                    # reads $OPENAI_API_KEY
        openai_base_url: str = "https://api.openai.com/v1"

pydantic-settings (and pydantic v1's `BaseSettings`) fill a field from the env var named after it:
the field name, or `env_prefix` + the field name (`env_prefix="openai_"` with `api_key`), or a
`Field(alias=...)` / `validation_alias=` (an `AliasChoices` gives several), or v1's `Field(env=...)`;
case-insensitively unless `case_sensitive=True` (reference/codemod.md E4; pydantic-settings
`EnvSettingsSource._extract_field_info`: an alias replaces the prefixed name). A field that reads
OPENAI_API_KEY, OPENAI_BASE_URL or OPENAI_API_BASE keeps the app on OpenAI after the clients move.

Nothing is rewritten: renaming a field breaks every `settings.openai_api_key` in the code base, and
whether the deployment's env should change or the field should read another variable is the owner's
call. Each such field is reviewed with the concrete change to make. Classes are matched by qualified
name (`pydantic_settings.BaseSettings`, `pydantic.BaseSettings`, `pydantic.v1.BaseSettings`), and so
are subclasses of a settings class defined in the same file, which inherit its prefix and case rule.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from migrate_cli.rewrite.analysis.scopes import LOCAL
from migrate_cli.rewrite.analysis.values import OPENAI_KEY_ENV, OPENAI_URL_ENVS, is_openai_url, string_value
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import Edit
from migrate_cli.rewrite.api.rule import FixSafety, Rule

_V2_BASES = frozenset({"pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings"})
_V1_BASES = frozenset(
    {
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.v1.env_settings.BaseSettings",
    }
)
_FIELD = frozenset({"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field", "pydantic.v1.fields.Field"})
_ALIAS_CHOICES = frozenset({"pydantic.AliasChoices", "pydantic.aliases.AliasChoices"})
_ALIAS_PATH = frozenset({"pydantic.AliasPath", "pydantic.aliases.AliasPath"})
_CONFIG_DICT = frozenset(
    {"pydantic_settings.SettingsConfigDict", "pydantic_settings.main.SettingsConfigDict", "pydantic.ConfigDict"}
)


@dataclass(frozen=True)
class _Config:
    v1: bool
    #: None when it is set to something that is not a string literal: unknown.
    env_prefix: str | None = ""
    case_sensitive: bool = False
    populate_by_name: bool = False


class PydanticSettingsRule(Rule):
    code = "MC020"
    name = "pydantic-settings"
    fix_safety = FixSafety.NEEDS_REVIEW
    summary = "pydantic-settings fields read from OPENAI_API_KEY / OPENAI_BASE_URL: reviewed with the change to make"
    needles = (b"basesettings",)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if "BaseSettings" not in module.source:  # the cheap test: most files never get past it
            return []
        settings: dict[str, _Config] = {}  # local settings classes, by name, for subclasses below them
        classes = sorted((n for n in ast.walk(module.tree) if isinstance(n, ast.ClassDef)), key=lambda n: n.lineno)
        for cls in classes:
            inherited = _settings_base(cls, module, settings)
            if inherited is None:
                continue
            config = _own_config(cls, module, inherited)
            settings[cls.name] = config
            for field, default, env_names, aliased in _fields(cls, module, config):
                self._review(cls, field, default, env_names, aliased, config, module, report)
        return []

    @staticmethod
    def _review(
        cls: ast.ClassDef,
        field: ast.stmt,
        default: ast.expr | None,
        env_names: list[str],
        aliased: bool,
        config: _Config,
        module: ModuleInfo,
        report: Recorder,
    ) -> None:
        name = field.target.id  # type: ignore[attr-defined]  # _fields yields one-name assignments only
        wanted = {n if config.case_sensitive else n.upper(): n for n in env_names}
        target = module.target
        if OPENAI_KEY_ENV in wanted:
            new_env = json.dumps(target.api_key_env)
            keyword = "env" if config.v1 else "validation_alias"
            if aliased:
                fix = f"change {json.dumps(wanted[OPENAI_KEY_ENV])} to {new_env} in its {keyword}="
            else:
                fix = f"read ${target.api_key_env} instead with `Field({keyword}={new_env})`"
            report.review(
                field,
                f"{cls.name}.{name} reads ${OPENAI_KEY_ENV}: {fix}, "
                f"or set {OPENAI_KEY_ENV} to the key for {target.base_url} where this runs",
            )
        url_env = next((env for env in sorted(OPENAI_URL_ENVS) if env in wanted), None)
        if url_env is not None:
            literal = string_value(default)
            if literal is not None and target.same_url(literal):
                return  # defaults to the target already
            shown = f" (default {literal})" if literal is not None and is_openai_url(literal) else ""
            report.review(
                field,
                f"{cls.name}.{name} reads ${url_env}{shown}: set {url_env}={target.base_url} where this runs, "
                f"or make its default {json.dumps(target.base_url)}",
            )


def _settings_base(cls: ast.ClassDef, module: ModuleInfo, local: dict[str, _Config]) -> _Config | None:
    for base in cls.bases:
        names = module.qualify(base).names
        if len(names) != 1:
            continue
        (name,) = names
        if name in _V2_BASES:
            return _Config(v1=False)
        if name in _V1_BASES:
            return _Config(v1=True)
        if isinstance(base, ast.Name) and base.id in local and name == f"{LOCAL}.{base.id}":
            return local[base.id]
    return None


def _own_config(cls: ast.ClassDef, module: ModuleInfo, config: _Config) -> _Config:
    """The class's settings config: its parent's, updated by class keywords, `model_config` or `class Config`."""
    options: dict[str, ast.expr] = {k.arg: k.value for k in cls.keywords if k.arg}
    for stmt in cls.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and _target_name(stmt) == "model_config":
            value = stmt.value
            if isinstance(value, ast.Call) and _is_config_call(value, module):
                options.update({k.arg: k.value for k in value.keywords if k.arg})
            elif isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    if option := string_value(key):
                        options[option] = item
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                name = _target_name(inner)
                if isinstance(inner, (ast.Assign, ast.AnnAssign)) and name and inner.value is not None:
                    options[name] = inner.value
    if "env_prefix" in options:
        config = replace(config, env_prefix=_string_constant(options["env_prefix"], module))
    if "case_sensitive" in options:
        config = replace(config, case_sensitive=_is_true(options["case_sensitive"]))
    if "populate_by_name" in options:
        config = replace(config, populate_by_name=_is_true(options["populate_by_name"]))
    return config


def _is_true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


def _string_constant(expr: ast.expr, module: ModuleInfo) -> str | None:
    """A string literal, or a name bound once to one (`PREFIX = "openai_"`); None when unknown."""
    if isinstance(expr, ast.Name) and (scope := module.analysis.scope_of(expr)) is not None:
        bindings = module.analysis.lookup(expr.id, scope)
        return string_value(bindings[0].value) if len(bindings) == 1 and bindings[0].kind == "assign" else None
    return string_value(expr)


def _is_config_call(call: ast.Call, module: ModuleInfo) -> bool:
    names = module.qualify(call.func).names
    if names & _CONFIG_DICT:
        return True
    return isinstance(call.func, ast.Name) and call.func.id == "dict" and not names  # the builtin


def _fields(cls: ast.ClassDef, module: ModuleInfo, config: _Config):
    """(statement, default value, env var names, named explicitly) of each field whose env var names are known."""
    for stmt in cls.body:
        name = _target_name(stmt)
        if name is None or name.startswith("_") or name == "model_config":
            continue
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            continue  # _target_name names assignments only
        if isinstance(stmt, ast.Assign) and not config.v1:
            continue  # v2 fields need an annotation
        value = stmt.value
        field_call = value if isinstance(value, ast.Call) and module.qualify(value.func).names & _FIELD else None
        default = _field_default(field_call) if field_call is not None else value
        names, aliased = _env_names(name, field_call, module, config)
        if names:
            yield stmt, default, names, aliased


def _env_names(name: str, field_call: ast.Call | None, module: ModuleInfo, config: _Config) -> tuple[list[str], bool]:
    """The env vars a field reads, and whether an alias (v1: `env=`) names them rather than the field name."""
    keywords = {k.arg: k.value for k in field_call.keywords if k.arg} if field_call is not None else {}
    prefixed = [config.env_prefix + name] if config.env_prefix is not None else []
    if config.v1:  # v1 ignores aliases for env vars; `env=` replaces the prefixed name
        if "env" not in keywords:
            return prefixed, False
        env = keywords["env"]
        items = env.elts if isinstance(env, (ast.List, ast.Tuple, ast.Set)) else [env]
        return [s for s in map(string_value, items) if s is not None], True
    alias = keywords.get("validation_alias", keywords.get("alias"))
    if alias is None:
        return prefixed, False
    names = _alias_names(alias, module)
    return (names + prefixed if config.populate_by_name else names), True


def _alias_names(alias: ast.expr, module: ModuleInfo) -> list[str]:
    if (literal := string_value(alias)) is not None:
        return [literal]
    if isinstance(alias, ast.Call):
        callee = module.qualify(alias.func).names
        if callee & _ALIAS_CHOICES:
            return [n for arg in alias.args for n in _alias_names(arg, module)]
        if callee & _ALIAS_PATH and alias.args:  # the env var is the path's first element
            first = string_value(alias.args[0])
            return [first] if first is not None else []
    return []


def _field_default(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "default"), None)


def _target_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    return None
