"""Where a litellm-style call sends its requests: litellm itself, and the libraries that route the
litellm way (DSPy, CrewAI) by a "provider/model" string or a provider keyword.

https://docs.litellm.ai/docs/providers/openai and https://docs.litellm.ai/docs/providers/openai_compatible
"""

from __future__ import annotations

import ast
from typing import Literal

from migrate_cli.rewrite.analysis.model_ids import is_openai_model_id
from migrate_cli.rewrite.analysis.values import (
    OPENAI_KEY_ENV,
    OPENAI_URL_ENVS,
    constant_string,
    env_read,
    is_openai_url,
)
from migrate_cli.rewrite.api.context import ModuleInfo

#: "prefixed" ("openai/<id>"), "bare" (an OpenAI id), "explicit" (a provider keyword saying "openai"),
#: "other" (another provider: not ours), "unknown" (the model is not a known string here).
Route = Literal["prefixed", "bare", "explicit", "other", "unknown"]

OPENAI_PREFIXES = ("openai/", "text-completion-openai/")


def model_route(call: ast.Call, module: ModuleInfo, provider_param: str = "custom_llm_provider") -> Route:
    """Where litellm (or a library routing the litellm way: DSPy, CrewAI) sends this call:
    "prefixed" ("openai/<id>"), "bare" (an OpenAI id), "explicit" (`<provider_param>="openai"`),
    "other" (another provider: not ours) or "unknown" (the model is not a known string here)."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    if provider_param in keywords:
        provider = constant_string(keywords[provider_param], module.analysis)
        if provider is None:
            return "unknown"
        return "explicit" if provider == "openai" else "other"
    model = keywords.get("model")
    if model is None and call.args and not isinstance(call.args[0], ast.Starred):
        model = call.args[0]
    text = constant_string(model, module.analysis)
    if text is None:
        return "unknown"
    if text.startswith(OPENAI_PREFIXES):
        return "prefixed"
    if "/" not in text and is_openai_model_id(text):
        return "bare"
    return "other"


def says_openai(call: ast.Call, module: ModuleInfo) -> bool:
    """The call's own URL or key names OpenAI, so it is an OpenAI call whatever its model variable holds."""
    for keyword in call.keywords:
        if keyword.arg in ("api_base", "base_url"):
            literal = constant_string(keyword.value, module.analysis)
            env = env_read(keyword.value, module.analysis)
            if (literal is not None and is_openai_url(literal)) or (env is not None and env.var in OPENAI_URL_ENVS):
                return True
        if keyword.arg == "api_key":
            env = env_read(keyword.value, module.analysis)
            if env is not None and env.var == OPENAI_KEY_ENV:
                return True
    return False


def unknown_route_reason(
    call: ast.Call, label: str, url_param: str, module: ModuleInfo, model_form: str = "model={}"
) -> str:
    """Why a call whose model is only known at run time (and nothing else names OpenAI) is reviewed,
    and how to move it."""
    model = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "model"), None)
    shown = module.segment(model) if model is not None else "(not given)"
    return (
        f"{label}({model_form.format(shown)}): which provider serves this model is only known at run time: "
        f"if it is an OpenAI model, pass {url_param}={module.target.base_url!r} "
        f"and the ${module.target.api_key_env} key as api_key"
    )
