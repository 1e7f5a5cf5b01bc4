"""MC003 azure: convert `AzureOpenAI(...)` / `AsyncAzureOpenAI(...)` to `OpenAI(...)` / `AsyncOpenAI(...)`
on the target.

An Azure client talks to one Azure resource (`azure_endpoint`, `api_version`, optionally one
`azure_deployment`) with an Azure key or an Entra ID token. Moving it means a plain OpenAI client
on the target: those Azure-only arguments are removed (the SDK has no use for them outside Azure:
openai-python `src/openai/lib/azure.py`), `base_url` and `api_key` are set by the shared policy, and
a read of `AZURE_OPENAI_API_KEY` becomes a read of the target's key variable. The class is renamed
in the file's own import style: `openai.AzureOpenAI(...)` -> `openai.OpenAI(...)`;
`from openai import AzureOpenAI` -> `from openai import OpenAI` (or `AzureOpenAI, OpenAI` while
something else, a type hint or an `isinstance`, still names the Azure class; that is reviewed).

On Azure, `model=` names a *deployment* (a name someone chose), not a model id, so every `model=`
passed to calls on a converted client that the model map does not cover is listed for review.
The frameworks' Azure classes (LangChain's `AzureChatOpenAI`, LlamaIndex's `AzureOpenAI`) are not
a rename away from their OpenAI siblings; their own rules (MC010, MC011) list them for review, and
this rule lists autogen's, Haystack's and Semantic Kernel's.
Sources: https://github.com/openai/openai-python/blob/main/src/openai/lib/azure.py (the Azure client's
arguments; `model=` is the deployment), https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from migrate_cli.redact import redact
from migrate_cli.rewrite.analysis.model_ids import map_model_id, split_model_id
from migrate_cli.rewrite.analysis.names import AZURE_CLIENT_NAMES, OPENAI_MODULES, short_name
from migrate_cli.rewrite.analysis.values import string_value
from migrate_cli.rewrite.api.clients import AZURE_ENTRA_ARGUMENTS, client_calls
from migrate_cli.rewrite.api.context import ModuleInfo, Recorder
from migrate_cli.rewrite.api.edits import AddKeywords, Edit, InsertAfter, RemoveKeyword, ReplaceExpr
from migrate_cli.rewrite.api.import_names import (
    add_imported,
    binding_import,
    empties_its_block,
    remove_imported,
    rename_imported,
    uses_of,
)
from migrate_cli.rewrite.api.policy import (
    credential_header_problem,
    decide_api_key,
    decide_base_url,
    key_unproven_reason,
    report_kept_secrets,
)
from migrate_cli.rewrite.api.rule import FixSafety, Rule
from migrate_cli.rewrite.api.sites import ClientSite, SiteKind

# Arguments only an Azure client has, with why each one goes.
AZURE_ONLY = (
    ("azure_endpoint", "the Azure resource; base_url now says where requests go"),
    ("api_version", "an Azure API version; the target takes none"),
    ("azure_deployment", "an Azure deployment; calls name the model with model="),
)
_PLAIN_CLASS = {"AzureOpenAI": "OpenAI", "AsyncAzureOpenAI": "AsyncOpenAI"}
_AZURE_TEXT = re.compile("azure(?:openai|chatcompletion|textcompletion|textembedding)", re.IGNORECASE)


def _qualified(modules: tuple[str, ...], classes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(f"{module}.{cls}" for module in modules for cls in classes)


#: Azure classes of frameworks whose rules move only the OpenAI siblings: an Azure resource, its
#: deployments and its key, none of which the target has. Reviewed, never moved. Sources: autogen-ext
#: `autogen_ext/models/openai/__init__.py`; Haystack `haystack/components/generators/chat/azure.py`,
#: `generators/azure.py`, `embedders/azure_*_embedder.py`; Semantic Kernel
#: `semantic_kernel/connectors/ai/open_ai/__init__.py`.
FRAMEWORK_AZURE_CLASSES = (
    _qualified(("autogen_ext.models.openai",), ("AzureOpenAIChatCompletionClient",))
    | _qualified(
        ("haystack.components.generators.chat", "haystack.components.generators.chat.azure"),
        ("AzureOpenAIChatGenerator",),
    )
    | _qualified(("haystack.components.generators", "haystack.components.generators.azure"), ("AzureOpenAIGenerator",))
    | _qualified(
        ("haystack.components.embedders", "haystack.components.embedders.azure_document_embedder"),
        ("AzureOpenAIDocumentEmbedder",),
    )
    | _qualified(
        ("haystack.components.embedders", "haystack.components.embedders.azure_text_embedder"),
        ("AzureOpenAITextEmbedder",),
    )
    | _qualified(
        ("semantic_kernel.connectors.ai.open_ai",),
        ("AzureChatCompletion", "AzureTextCompletion", "AzureTextEmbedding"),
    )
)


class AzureRule(Rule):
    code = "MC003"
    name = "azure"
    fix_safety = FixSafety.NEEDS_REVIEW
    summary = "AzureOpenAI()/AsyncAzureOpenAI() become OpenAI()/AsyncOpenAI() on the target; deployment names reviewed"
    # AzureOpenAI and AsyncAzureOpenAI (and the frameworks' Azure...OpenAI... classes),
    # Semantic Kernel's Azure connectors.
    needles = (b"azureopenai", b"azurechatcompletion", b"azuretextcompletion", b"azuretextembedding")

    def client_sites(self, module: ModuleInfo) -> Iterator[ClientSite]:
        """The Azure clients this rule converts: keyword arguments only (their URL is always the target's)."""
        for call in module.analysis.calls:
            names = module.qualify(call.func).names
            if names and names <= AZURE_CLIENT_NAMES and not call.args and all(k.arg for k in call.keywords):
                keys = [k.value for k in call.keywords if k.arg == "api_key"]
                yield ClientSite("AzureOpenAI()", call.lineno, [], keys, SiteKind.AZURE_CLIENT)

    def find(self, module: ModuleInfo, report: Recorder) -> Iterable[Edit]:
        if not _AZURE_TEXT.search(module.source):
            return []  # the file passed the pre-filter for another rule
        azure_calls = []
        for call in module.analysis.calls:
            names = module.qualify(call.func).names
            ours = names & AZURE_CLIENT_NAMES
            if ours and len(names) > 1:
                report.review(
                    call,
                    f"{module.segment(call.func)} is {short_name(next(iter(ours)))} but may be something else in this "
                    "scope: convert it by hand",
                )
            elif ours:
                azure_calls.append(call)
            elif len(names) == 1 and names <= FRAMEWORK_AZURE_CLASSES:
                report.review(
                    call,
                    f"{short_name(min(names))} is Azure OpenAI, which the rewrite does not move: migrate it by hand "
                    "(its deployment names are not model ids, and its key is an Azure key)",
                )
        if not azure_calls:
            return []
        convertible = [call for call in azure_calls if self._convertible(call, module, report)]
        edits: list[Edit] = []
        imports = _ImportEdits(module, report, convertible)
        converted = []
        for call in convertible:
            callee = imports.callee_edits(call)
            if callee is None:
                continue
            edits += callee
            edits += self._arguments(call, module, report)
            converted.append(call)
        edits += imports.edits()
        self._review_deployments(converted, module, report)
        return edits

    @staticmethod
    def _convertible(call: ast.Call, module: ModuleInfo, report: Recorder) -> bool:
        """Whether the call can become a plain client on the target; if not, it is reviewed and left alone."""
        label = short_name(module.qualify(call.func).single or "AzureOpenAI")
        plain = _PLAIN_CLASS[label]
        if call.args or any(k.arg is None for k in call.keywords):
            shown = ", ".join(module.segment(a) for a in [*call.args, *(k for k in call.keywords if k.arg is None)])
            report.review(
                call,
                f"{label}({shown}): arguments the rewrite cannot see; convert it to {plain}(base_url=..., "
                "api_key=...) by hand",
            )
            return False
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        problem = _entra_problem(keywords, plain) or credential_header_problem(
            keywords.get("default_headers"), module, report
        )
        if problem is None:
            problem = key_unproven_reason(keywords.get("api_key"), module)
        if problem is not None:
            report.review(call, f"{label}(...): {problem}")
            report_kept_secrets(keywords.get("api_key"), module, report)
            return False
        return True

    def _arguments(self, call: ast.Call, module: ModuleInfo, report: Recorder) -> Iterator[Edit]:
        label = short_name(module.qualify(call.func).single or "AzureOpenAI")
        keywords = {k.arg: k.value for k in call.keywords}
        notes = [f"{label} -> {_PLAIN_CLASS[label]}"]
        key = decide_api_key(keywords.get("api_key"), module, report, call)
        yield from key.edits
        key_insert = key.code if key.action == "insert" else None
        if key.note and key.action in ("insert", "edit"):
            notes.append(key.note)

        url_value = keywords.get("base_url")  # Azure's v1 endpoint form: `base_url=".../openai/v1/"`
        url_insert = None
        if url_value is None:
            url_insert = decide_base_url(None, module).code
        elif not (string_value(url_value) is not None and module.target.same_url(string_value(url_value) or "")):
            yield ReplaceExpr(url_value, decide_base_url(None, module).code)
        notes.append(f"base_url -> {module.target.base_url}")

        for name, why in AZURE_ONLY:
            if name in keywords:
                yield RemoveKeyword(call, name)
                notes.append(f"removed {name}= ({why})")
        if "azure_deployment" in keywords:
            shown = redact(module.segment(keywords["azure_deployment"]))
            report.review(
                call,
                f"azure_deployment={shown} was removed: requests on this client went to that deployment; make sure "
                "each call passes model=<a model id the target serves>",
            )
        inserts = tuple((name, code) for name, code in (("api_key", key_insert), ("base_url", url_insert)) if code)
        if inserts:
            yield AddKeywords(call, inserts)
        report.change(call, "; ".join(notes))

    @staticmethod
    def _review_deployments(converted: list[ast.Call], module: ModuleInfo, report: Recorder) -> None:
        ids = {id(call) for call in converted}
        for api_call in client_calls(module):
            if not any(id(c) in ids for c in api_call.origin.constructions):
                continue
            keyword = api_call.keyword("model")
            if keyword is None:
                continue
            literal = string_value(keyword.value)
            model = split_model_id(literal, "") if literal is not None else None
            if model is not None and map_model_id(model, module.target.model_map).outcome in ("mapped", "target"):
                continue  # MC004 maps it: the user said what this deployment becomes
            shown = redact(module.segment(keyword.value))
            suggestion = f"--model-map {literal}=<model>" if literal is not None else "a model id"
            report.review(
                keyword.value,
                f"model={shown} was an Azure deployment name, not a model id: use a model the target serves "
                f"({suggestion})",
            )


def _entra_problem(keywords: dict[str, ast.expr], plain: str) -> str | None:
    # Entra ID (Azure AD) authentication: the client has no API key to swap, and the SDK refuses a
    # token together with api_key (openai-python `src/openai/lib/azure.py`, MutuallyExclusiveAuthError).
    used = [name for name in AZURE_ENTRA_ARGUMENTS if name in keywords]
    if not used:
        return None
    return (
        f"{used[0]}= authenticates with Microsoft Entra ID, not an API key: left as is; convert it to "
        f"{plain}(base_url=..., api_key=...) by hand once the target's key is in place"
    )


class _ImportEdits:
    """Renames the callee of each converted call, and edits the imports that bind it (once each)."""

    def __init__(self, module: ModuleInfo, report: Recorder, convertible: list[ast.Call]) -> None:
        self.module = module
        self.report = report
        self.funcs = {id(call.func) for call in convertible}
        self._imports: dict[tuple[int, str, str], Edit] = {}
        self._reviewed: set[int] = set()

    def edits(self) -> list[Edit]:
        # A call where the plain class was not bound renamed the import: it must not also lose the name.
        renamed = {(stmt, name) for stmt, kind, name in self._imports if kind == "rename"}
        return [
            edit
            for (stmt, kind, name), edit in self._imports.items()
            if not (kind == "remove" and (stmt, name) in renamed)
        ]

    def callee_edits(self, call: ast.Call) -> list[Edit] | None:
        """The edits that make `call.func` name the plain class; None (and a review) if it cannot."""
        module, func = self.module, call.func
        qualified = module.qualify(func).single or ""
        azure_class = short_name(qualified)
        plain = _PLAIN_CLASS[azure_class]
        if isinstance(func, ast.Attribute):
            root = _root_name(func)
            if module.qualify(func.value).single in OPENAI_MODULES:
                return [ReplaceExpr(func, f"{module.segment(func.value)}.{plain}")]
            if root is not None and module.qualify(root).single == "openai":
                return [ReplaceExpr(func, f"{root.id}.{plain}")]  # openai.lib.azure.AzureOpenAI
            self._review(
                call,
                f"{module.segment(func)} is reached through {module.segment(func.value)}: convert it to "
                f"openai.{plain}(...) by hand",
            )
            return None
        if not isinstance(func, ast.Name):
            self._review(call, f"{module.segment(func)}: convert it to {plain}(...) by hand")
            return None

        scope = module.analysis.scope_of(func)
        plain_names = module.analysis.lookup(plain, scope) if scope is not None else []
        plain_qualified = {b.imported for b in plain_names if b.kind == "import"}
        plain_is_ours = (
            bool(plain_names)
            and all(b.kind == "import" for b in plain_names)
            and plain_qualified <= {f"{m}.{plain}" for m in OPENAI_MODULES}
        )
        if plain_names and not plain_is_ours:
            self._review(
                call,
                f"{plain} already names something else here, so {func.id}(...) cannot become {plain}(...): convert it "
                "by hand",
            )
            return None

        bindings = module.analysis.lookup(func.id, scope) if scope is not None else []
        stmt = binding_import(module, func.id, qualified, call) if bindings else None
        if stmt is None:
            if plain_is_ours:  # `from openai import *` binds both classes
                return [ReplaceExpr(func, plain)]
            self._review(
                call, f"{func.id} is not imported by a plain `from ... import` here: convert it to {plain}(...) by hand"
            )
            return None

        uses = uses_of(module, func.id, bindings)
        stmt_module = "." * stmt.level + (stmt.module or "")
        only_converted = all(id(use) in self.funcs for use in uses)
        aliased = func.id != azure_class
        removable = only_converted and not empties_its_block(module, stmt)
        if removable and plain_is_ours:
            # `OpenAI` is imported already: the Azure name leaves its import rather than become a second `OpenAI`.
            self._imports.setdefault((id(stmt), "remove", azure_class), self._remove(stmt, azure_class, func.id))
            return [ReplaceExpr(func, plain)]
        if only_converted and stmt_module in OPENAI_MODULES and (aliased or not plain_names):
            # Nothing else names the Azure class: the import itself changes class.
            self._imports.setdefault((id(stmt), "rename", azure_class), rename_imported(stmt, azure_class, plain))
            return [] if aliased else [ReplaceExpr(func, plain)]
        if not plain_is_ours:
            if stmt_module in OPENAI_MODULES:
                self._imports.setdefault((id(stmt), "add", plain), add_imported(stmt, azure_class, plain))
            else:  # e.g. `from openai.lib.azure import AzureOpenAI`: the plain class lives in `openai`
                self._imports.setdefault((id(stmt), "insert", plain), InsertAfter(stmt, f"from openai import {plain}"))
                if removable:  # and nothing uses the Azure class any more
                    self._imports.setdefault(
                        (id(stmt), "remove", azure_class), self._remove(stmt, azure_class, func.id)
                    )
        if not only_converted and id(stmt) not in self._reviewed:
            self._reviewed.add(id(stmt))
            lines = sorted({use.lineno for use in uses if id(use) not in self.funcs})
            self.report.review(
                stmt,
                f"{func.id} is still referenced on line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))} "
                f"(a type hint, isinstance, ...): the clients built here are now {plain}; update those references",
            )
        return [ReplaceExpr(func, plain)]

    @staticmethod
    def _remove(stmt: ast.ImportFrom, azure_class: str, local: str) -> Edit:
        return remove_imported(stmt, azure_class, None if local == azure_class else local)

    def _review(self, call: ast.Call, reason: str) -> None:
        self.report.review(call, reason)


def _root_name(expr: ast.expr) -> ast.Name | None:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr if isinstance(expr, ast.Name) else None
