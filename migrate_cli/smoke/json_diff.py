"""JSON-aware comparison of two answers: parse (fences removed), and name the paths that differ.

Only objects and arrays count as JSON answers; a bare "42" or "true" is compared as text. Equality is
structural: key order and layout do not matter, 1 equals 1.0, but true is not 1 (types are JSON's:
null, boolean, number, string, array, object).
"""

from __future__ import annotations

import json
from typing import Any

#: Deeper answers are compared as text: walking them recursively could exhaust the stack.
MAX_DEPTH = 200


def _unfence(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and "\n" in stripped:
        stripped = stripped[stripped.index("\n") + 1 : -3]
    return stripped


def parse_json_output(text: str) -> dict[str, Any] | list[Any] | None:
    """The answer as a JSON object/array (after removing a ```json fence), else None.

    Scalars ("42", "true") are left to the text comparison: they are answers, not structures.
    """
    body = _unfence(text)
    if not body or body[0] not in "[{":
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, (dict, list)) or _depth_over(value, MAX_DEPTH):
        return None  # too deep to walk safely: compared as text instead
    return value


def json_error(text: str) -> str:
    """Why `text` is not a JSON object/array, in a few words."""
    body = _unfence(text)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return "nested too deeply to read"
    if isinstance(value, (dict, list)):
        return f"nested deeper than {MAX_DEPTH} levels"
    return f"it is a JSON {_json_kind(value)}, not an object or array"


def _depth_over(value: Any, limit: int) -> bool:
    """True when `value` nests deeper than `limit` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


_JSON_KINDS: dict[type, str] = {str: "string", list: "array", dict: "object"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return _JSON_KINDS[type(value)]


#: Differences collected before the walk stops: a reason names a few, and two large JSON answers
#: can differ in 100,000 places (naming each took seconds).
MAX_DIFFERENCES = 1_000


def json_differences(a: Any, b: Any, path: str = "$", limit: int = MAX_DIFFERENCES) -> list[str]:
    """The paths where two JSON values differ, with how (missing key, type, value), in order; at
    most `limit` of them (a caller that gets `limit` paths knows there may be more)."""
    found: list[str] = []
    _differences(a, b, path, found, limit)
    return found


def _differences(a: Any, b: Any, path: str, found: list[str], limit: int) -> None:
    if len(found) >= limit:
        return
    kind_a, kind_b = _json_kind(a), _json_kind(b)
    if kind_a != kind_b:
        found.append(f"{path} ({kind_a} vs {kind_b})")
    elif isinstance(a, dict):
        found += [f"{path}.{key} (missing on candidate)" for key in a if key not in b]
        found += [f"{path}.{key} (only on candidate)" for key in b if key not in a]
        for key in a:
            if key in b:
                _differences(a[key], b[key], f"{path}.{key}", found, limit)
    elif isinstance(a, list):
        if len(a) != len(b):
            found.append(f"{path} ({len(a)} items vs {len(b)})")
        for index, (item_a, item_b) in enumerate(zip(a, b, strict=False)):  # lengths compared above
            if len(found) >= limit:
                break
            _differences(item_a, item_b, f"{path}[{index}]", found, limit)
    elif a != b:
        found.append(f"{path} ({_short(a)} vs {_short(b)})")
    del found[limit:]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _short(value: Any, limit: int = 24) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
