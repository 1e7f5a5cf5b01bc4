"""Find a module's client constructions and API call sites, with what each call uses.

A call counts when its receiver provably is an openai client, resolved by the rewrite engine
(clients.py: any import form or alias, `self.client`, `client or OpenAI()`, `with_options()`,
`instructor.from_openai(c)`, the module client `openai.chat...`, openai<1's
`openai.ChatCompletion.create`), whichever resource it calls: chat, responses, embeddings, images,
audio, files, batches, moderations, assistants and threads (`beta.*`), fine-tuning, ... (the
resources of openai-python's `src/openai/resources/`). Framework wrappers count where the rewrite
knows their model argument (model_sites.py): LangChain's `ChatOpenAI(...)`, litellm's
`completion(...)`, LlamaIndex's `OpenAI(...)`, ...; those that name another provider do not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from migrate_cli.scan.arguments import call_arguments, model_ids
from migrate_cli.scan.call_features import Kind, call_features
from migrate_cli.scan.engine_api import (
    AZURE_CLIENT_NAMES,
    CLIENT_NAMES,
    SITE_NAMES,
    SITES_BY_CALLEE,
    ModelSite,
    ModuleInfo,
    resolve_client,
    split_model_id,
    string_value,
)
from migrate_cli.scan.records import UNKNOWN, CallFound, ClientFound, ModuleScan

# The first attribute after a client: openai-python 1.x resources (`src/openai/resources/`) and the
# openai<1 module resources (`openai.ChatCompletion`, v0.28 `openai/api_resources/`).
RESOURCES = frozenset(
    {
        "chat", "completions", "responses", "embeddings", "images", "audio", "files", "batches",
        "moderations", "beta", "fine_tuning", "models", "vector_stores", "uploads", "containers",
        "conversations", "evals", "realtime", "webhooks", "videos",
        "ChatCompletion", "Completion", "Embedding", "Edit", "Image", "Moderation", "File", "FineTune",
        "FineTuningJob", "Audio", "Model", "Engine",
    }
)  # fmt: skip
# Access paths that return the same resource with another response wrapper.
_TRANSPARENT = frozenset({"with_raw_response", "with_streaming_response"})
_CHAT_RESOURCES = ("chat.completions.", "beta.chat.completions.")
_CHAT_METHODS = frozenset({"create", "parse", "stream", "acreate"})
_KINDS: dict[str, Kind] = {
    "ChatCompletion.create": "chat",
    "ChatCompletion.acreate": "chat",
    "completions.create": "completions",
    "Completion.create": "completions",
    "Completion.acreate": "completions",
    "embeddings.create": "embeddings",
    "Embedding.create": "embeddings",
    "Embedding.acreate": "embeddings",
    "responses.create": "responses",
    "responses.parse": "responses",
    "responses.stream": "responses",
}
# Framework callees by what they call: their last name part, when it is not a chat model.
_FRAMEWORK_KINDS: dict[str, Kind] = {
    "OpenAIEmbeddings": "embeddings",
    "init_embeddings": "embeddings",
    "OpenAIEmbedding": "embeddings",
    "OpenAITextEmbedding": "embeddings",
    "Embedder": "embeddings",
    "embedding": "embeddings",
    "aembedding": "embeddings",
    "responses": "responses",
    "aresponses": "responses",
    "OpenAIResponses": "responses",
    "OpenAIResponsesModel": "responses",
    "text_completion": "completions",
    "atext_completion": "completions",
    "OpenAITextCompletion": "completions",
}


def scan_module(module: ModuleInfo) -> ModuleScan:
    calls: list[CallFound] = []
    clients: list[ClientFound] = []
    # Qualifying every call costs more than this look-up: only names that may be a client class or
    # a framework callee are qualified, aliases imported at module level (`import X as Y`) included.
    wanted = _CALLEE_NAMES | _aliases(module)
    for call in module.analysis.calls:
        func = call.func
        short = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if short in wanted:
            qualified = module.qualify(func).single or ""
            if qualified in CLIENT_NAMES or qualified in AZURE_CLIENT_NAMES:
                clients.append(ClientFound(call.lineno, qualified.rsplit(".", 1)[-1]))
                continue
            site = SITES_BY_CALLEE.get(qualified)
            if site is not None:
                calls += _framework_call(call, site, qualified, module)
                continue
        if isinstance(func, ast.Attribute):
            calls += _client_call(call, func, module)
    return ModuleScan(tuple(calls), tuple(clients))


_CALLEE_NAMES = SITE_NAMES | frozenset(name.rsplit(".", 1)[-1] for name in CLIENT_NAMES | AZURE_CLIENT_NAMES)


def _aliases(module: ModuleInfo) -> frozenset[str]:
    return frozenset(
        name
        for name, bindings in module.analysis.module_scope.bindings.items()
        for binding in bindings
        if binding.kind == "import" and (binding.imported or "").rsplit(".", 1)[-1] in _CALLEE_NAMES
    )


def _client_call(call: ast.Call, func: ast.Attribute, module: ModuleInfo) -> Iterator[CallFound]:
    split = split_endpoint(func)
    if split is None:
        return
    receiver, endpoint = split
    if resolve_client(receiver, module) is None:
        return
    method = endpoint.rsplit(".", 1)[-1]
    is_chat = endpoint.startswith(_CHAT_RESOURCES) and method in _CHAT_METHODS
    kind: Kind = "chat" if is_chat else _KINDS.get(endpoint, "other")
    arguments = call_arguments(call, module)
    features, unread = call_features(kind, arguments, module, parse=method == "parse", stream=method == "stream")
    models = [m for value in arguments.values("model") for m in model_ids(value, module)]
    if not models and kind != "other" and any(u.startswith("**") for u in unread):
        models = [UNKNOWN]  # the model is in a dict the scan could not read
    yield CallFound(call.lineno, endpoint, features, tuple(dict.fromkeys(models)), unread)


def split_endpoint(func: ast.Attribute) -> tuple[ast.expr, str] | None:
    """`self.client.chat.completions.with_raw_response.create` -> (`self.client`, "chat.completions.create"):
    the receiver is what comes before the first resource name; a method must follow the resource."""
    chain: list[ast.Attribute] = []
    node: ast.expr = func
    while isinstance(node, ast.Attribute):
        chain.append(node)
        node = node.value
    chain.reverse()  # innermost first: `self.client`, `.chat`, `.completions`, ...
    for index, link in enumerate(chain[:-1]):
        if link.attr in RESOURCES:
            parts = [a.attr for a in chain[index:] if a.attr not in _TRANSPARENT]
            return link.value, ".".join(parts)
    return None


def _framework_call(call: ast.Call, site: ModelSite, qualified: str, module: ModuleInfo) -> Iterator[CallFound]:
    provider = next((k.value for k in call.keywords if site.provider_param and k.arg == site.provider_param), None)
    if provider is not None and string_value(provider) not in (None, "openai"):
        return  # `init_chat_model("claude-...", model_provider="anthropic")`
    models = []
    for value in _model_values(call, site):
        for model in model_ids(value, module):
            split = split_model_id(model, site.prefix) if model != UNKNOWN else None
            if model != UNKNOWN and split is None:
                return  # another provider's model ("anthropic/claude-..."): not an OpenAI call
            models.append(model)
    short = qualified.rsplit(".", 1)[-1]
    kind = _FRAMEWORK_KINDS.get(short, "completions" if _is_langchain_llm(qualified) else "chat")
    features, unread = call_features(kind, call_arguments(call, module), module)
    yield CallFound(call.lineno, f"{site.label} {short}", features, tuple(dict.fromkeys(models)), unread)


def _is_langchain_llm(qualified: str) -> bool:
    """LangChain's `OpenAI` (not `ChatOpenAI`) is the legacy completions model."""
    return qualified.startswith("langchain") and qualified.endswith(".OpenAI")


def _model_values(call: ast.Call, site: ModelSite) -> Iterator[ast.expr]:
    for keyword in call.keywords:
        if keyword.arg in site.keywords:
            yield keyword.value
    position = site.positional
    if position is None or len(call.args) <= position:
        return
    if not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        yield call.args[position]
