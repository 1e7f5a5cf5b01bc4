"""What a call passes, as far as the code proves it: keyword values behind names, `**kwargs`
dicts, nested option dicts (`extra_body=`, LangChain's `model_kwargs=`), and the model ids sent.

A name is followed when it is bound exactly once where it is read, by a plain assignment (a
module constant or a local variable); a parameter, a loop variable or a name bound twice is not
(the analysis is flow-insensitive, like the rewrite's). A `**kwargs` dict is followed where the
rewrite follows one (config_dict.py: a literal plus `kwargs["key"] = value` in the same function).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from migrate_cli.scan.engine_api import ConfigDict, ModuleInfo, env_read, follow_config, string_items, string_value
from migrate_cli.scan.records import UNKNOWN

_DEPTH = 4
#: Keywords whose dict value holds more request parameters, sent as if passed directly.
NESTED_OPTIONS = frozenset({"extra_body", "model_kwargs", "additional_kwargs"})


def resolve(expr: ast.expr, module: ModuleInfo) -> ast.expr | None:
    """The expression a value stands for: itself, or what a name bound once by assignment holds.
    None when it is a name whose value cannot be proven (a parameter, bound twice, unbound)."""
    for _ in range(_DEPTH):
        if not isinstance(expr, ast.Name):
            return expr
        scope = module.analysis.scope_of(expr)
        bindings = module.analysis.lookup(expr.id, scope) if scope is not None else []
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
            return None
        expr = bindings[0].value
    return None


@dataclass
class Arguments:
    """The keyword arguments a call sends, `**` dicts and nested option dicts unpacked."""

    #: (name, value) in source order; a name may come more than once (a conditional dict entry).
    keywords: list[tuple[str, ast.expr]] = field(default_factory=list)
    #: What could not be read ("**kwargs", "extra_body").
    unread: list[str] = field(default_factory=list)

    def values(self, name: str) -> Iterator[ast.expr]:
        return (value for key, value in self.keywords if key == name)

    def names(self) -> set[str]:
        return {key for key, _ in self.keywords}


def call_arguments(call: ast.Call, module: ModuleInfo) -> Arguments:
    found = Arguments()
    for keyword in call.keywords:
        if keyword.arg is None:
            _unpack(keyword.value, call, module, found)
        elif keyword.arg in NESTED_OPTIONS:
            _nested(keyword.arg, keyword.value, module, found)
        else:
            found.keywords.append((keyword.arg, keyword.value))
    return found


def _unpack(splat: ast.expr, call: ast.Call, module: ModuleInfo, found: Arguments) -> None:
    followed = follow_config(splat, call, module)
    if isinstance(followed, ConfigDict):
        for entry in followed.entries:
            if entry.key in NESTED_OPTIONS:
                _nested(entry.key, entry.value, module, found)
            else:
                found.keywords.append((entry.key, entry.value))
    else:
        found.unread.append(f"**{_name_of(splat)}")


def _name_of(expr: ast.expr) -> str:
    """A dotted name as written; any other expression only as a placeholder, since it could spell
    a literal key (`**dict(api_key="sk-...")`) and unread names are printed."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, (ast.Name, ast.Attribute)):
        return f"{_name_of(expr.value)}.{expr.attr}"
    return "(...)"


def _nested(name: str, value: ast.expr, module: ModuleInfo, found: Arguments) -> None:
    resolved = resolve(value, module)
    if isinstance(resolved, ast.Constant) and resolved.value is None:
        return
    items = string_items(resolved) if isinstance(resolved, ast.Dict) else None
    if items is None:
        found.unread.append(name)
        return
    found.keywords += items


def model_ids(expr: ast.expr, module: ModuleInfo) -> list[str]:
    """The model ids an argument sends: a literal, a constant, a parameter's default, an env read's
    default (`os.getenv("MODEL", "gpt-4o")`, as the rewrite's MC004 reads them), else UNKNOWN."""
    if isinstance(expr, ast.Name):
        scope = module.analysis.scope_of(expr)
        bindings = module.analysis.lookup(expr.id, scope) if scope is not None else []
        if (
            len(bindings) == 1
            and bindings[0].kind == "param"
            and (default := string_value(bindings[0].value)) is not None
        ):
            return [default]
    resolved = resolve(expr, module)
    literal = string_value(resolved)
    if literal is not None:
        return [literal]
    if isinstance(resolved, ast.Call) and env_read(resolved, module.analysis) is not None:
        fallback = resolved.args[1] if len(resolved.args) > 1 else None
        fallback = fallback or next((k.value for k in resolved.keywords if k.arg == "default"), None)
        if (text := string_value(fallback)) is not None:
            return [text]
    if isinstance(resolved, ast.IfExp):
        return model_ids(resolved.body, module) + model_ids(resolved.orelse, module)
    return [UNKNOWN]
