"""Module constants used as a client's URL or key (MC006's analysis, shared with the value policy).

    BASE_URL = "https://api.openai.com/v1"
    API_KEY = os.getenv("OPENAI_API_KEY")
    client = OpenAI(base_url=BASE_URL, api_key=API_KEY)

The right edit is the constant's assignment, not the call. That is safe only when the constant is
assigned exactly once, at module level, and *every* read of it is a URL parameter (or every read a
key parameter) of a construction this run migrates: a construction of an enabled construction rule
(construction.py) that is not left alone, or the openai module client (`openai.base_url = BASE_URL`,
MC002). A constant read anywhere else (an f-string, a `requests` call, a client pointed at a local
server) is "blocked": rewriting it would change that too.

`follow(name, module)` is what the policy asks when it meets a Name; `module_constants(module)` is what
MC006 rewrites. Both read one index per module, built once, and only when some call passes a Name
that is bound at module level (most files never pay for it). With MC006 disabled nothing is followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from migrate_cli.rewrite.analysis import Binding
from migrate_cli.rewrite.context import Findings, ModuleInfo, Recorder
from migrate_cli.rewrite.names import OPENAI_MODULES

CODE = "MC006"
_MODULE_URL_ATTRIBUTES = ("base_url", "api_base")


@dataclass(eq=False)
class Use:
    kind: str  # "url" | "key"
    node: ast.Name
    #: What reads it, for messages: "OpenAI()" or "openai.base_url".
    label: str
    owner: int  # the construction (or module-client group) it belongs to, as an index into Index.owners


@dataclass(eq=False)
class Constant:
    name: str
    assignment: ast.stmt | None
    value: ast.expr | None
    uses: list[Use] = field(default_factory=list)
    #: Why it cannot be rewritten; None when it can.
    blocked: str | None = None
    #: Some client reading it would move if the constant could: then a block costs something.
    feeds_movable_client: bool = False

    @property
    def kind(self) -> str:
        return self.uses[0].kind

    @property
    def line(self) -> int:
        return self.assignment.lineno if self.assignment is not None else 0

    def describe_uses(self) -> str:
        return ", ".join(
            f"{use.label} at line {use.node.lineno}" for use in sorted(self.uses, key=lambda u: u.node.lineno)
        )


@dataclass(frozen=True)
class Imported:
    name: str
    #: Where it comes from, as written: ".config" for `from .config import BASE_URL`.
    source: str


@dataclass
class _Owner:
    label: str
    line: int
    url_values: list[ast.expr]


@dataclass
class Index:
    constants: dict[str, Constant] = field(default_factory=dict)
    owners: list[_Owner] = field(default_factory=list)


def follow(name: ast.Name, module: ModuleInfo) -> Constant | Imported | None:
    """The module constant (or import) a Name passed as a URL or key stands for; None: not followed."""
    if not module.rule_enabled(CODE):
        return None
    bindings = _bindings(name, module)
    if len(bindings) == 1 and bindings[0].kind == "import":
        return _imported(name.id, bindings[0])
    if bindings and bindings is module.analysis.module_scope.bindings.get(name.id):
        if not any(b.kind == "assign" for b in bindings):
            return None  # a def, a class, a loop variable: not a constant
        constant = _index(module).constants.get(name.id)
        if constant is None or not any(use.node is name for use in constant.uses):
            # Read by a call the index does not know (another rule's): it serves something else too.
            return _blocked(
                name.id,
                bindings,
                module,
                constant,
                f"{name.id} is read at line {name.lineno}, where MC006 does not follow it",
            )
        return constant
    return None


def module_constants(module: ModuleInfo) -> list[Constant]:
    """Every module constant read as a URL or key by a construction this run migrates."""
    if not module.rule_enabled(CODE):
        return []
    return sorted(_index(module).constants.values(), key=lambda c: c.line)


# -- the index --------------------------------------------------------------------------------


def _bindings(name: ast.Name, module: ModuleInfo) -> list[Binding]:
    scope = module.analysis.scope_of(name)
    return module.analysis.lookup(name.id, scope) if scope is not None else []


def _index(module: ModuleInfo) -> Index:
    if "constants" not in module.memo:
        module.memo["constants"] = Index()  # what a rule's own checks see if they ask while it is built
        if _worth_building(module):
            module.memo["constants"] = _build(module)
    return module.memo["constants"]


def _worth_building(module: ModuleInfo) -> bool:
    """Cheap test first: does any call pass a module-level Name, or unpack a dict whose values might be one?"""
    module_bindings = module.analysis.module_scope.bindings
    for call in module.analysis.calls:
        for keyword in call.keywords:
            if keyword.arg is None:
                return True
            if isinstance(keyword.value, ast.Name) and keyword.value.id in module_bindings:
                return True
    return any(_module_client_setting(stmt, module) for stmt in module.analysis.assignments)


def _build(module: ModuleInfo) -> Index:
    index = Index()
    reads: list[tuple[str, ast.expr, str, int]] = []  # (kind, value, label, owner)
    for owner_label, line, url_values, key_values in _sites(module):
        owner = len(index.owners)
        index.owners.append(_Owner(owner_label, line, url_values))
        reads += [("url", value, owner_label, owner) for value in url_values]
        reads += [("key", value, owner_label, owner) for value in key_values]

    module_bindings = module.analysis.module_scope.bindings
    for kind, value, label, owner in reads:
        if not isinstance(value, ast.Name):
            continue
        bindings = _bindings(value, module)
        if bindings is module_bindings.get(value.id) and any(b.kind == "assign" for b in bindings):
            constant = index.constants.get(value.id) or _new_constant(value.id, bindings, module)
            index.constants[value.id] = constant
            constant.uses.append(Use(kind, value, label, owner))

    if index.constants:
        _check_every_read(index, module)
        _check_kinds(index)
        _check_owners_migrate(index, module)
    return index


def _sites(module: ModuleInfo):
    """(label, line, url values, key values) of every construction this run migrates, and the module client."""
    # construction.py imports the policy, which imports this module
    from migrate_cli.rewrite.rules.construction import ConstructionRule, calls_to, constructions_of

    for rule in (c for registered in module.enabled_rules() for c in constructions_of(registered)):
        # A rule that writes its own key expression (Haystack's Secret.from_env_var(...)) expects
        # something other than a string there: a key constant is not this rule's to follow.
        keys_are_strings = type(rule).key_code is ConstructionRule.key_code
        for call in calls_to(module, rule.spec.callees):
            label, ambiguity = rule.match(call, module)
            if label is None or ambiguity is not None:
                continue
            plan = rule.plan(call, label, module)
            if plan is None or plan.problem is not None or plan.shares_config:
                continue
            if type(rule).rewrite_call is not ConstructionRule.rewrite_call and not _passes_own_checks(
                rule, call, label, module
            ):
                continue  # e.g. dspy.LM("anthropic/...", api_base=URL): that rule leaves the call alone
            urls = [v.expr for v in plan.values(rule.spec.url_params)]
            keys = [v.expr for v in plan.values(rule.spec.key_params)] if keys_are_strings else []
            yield f"{label}()", call.lineno, urls, keys

    if module.rule_enabled("MC002"):
        settings = [
            (stmt, target) for stmt in module.analysis.assignments if (target := _module_client_setting(stmt, module))
        ]
        # MC002 leaves an Azure-style (api_type) module config alone entirely.
        if settings and not any(target.attr == "api_type" for _, target in settings):
            urls = [stmt.value for stmt, target in settings if target.attr in _MODULE_URL_ATTRIBUTES]  # type: ignore[attr-defined]
            keys = [stmt.value for stmt, target in settings if target.attr == "api_key"]  # type: ignore[attr-defined]
            yield "openai module client", settings[0][0].lineno, urls, keys


def _passes_own_checks(rule, call: ast.Call, label: str, module: ModuleInfo) -> bool:  # type: ignore[no-untyped-def]
    """Run the rule's rewrite_call in probe mode: do its own checks let the call reach the shared rewrite?"""
    from migrate_cli.rewrite.rules.construction import PROBE

    reached: set[int] = set()
    module.memo[PROBE] = reached
    try:
        for _ in rule.rewrite_call(call, label, module, Recorder("probe", Findings())):  # findings thrown away
            pass
    finally:
        del module.memo[PROBE]
    return id(call) in reached


def _module_client_setting(stmt: ast.stmt, module: ModuleInfo) -> ast.Attribute | None:
    """`openai.api_key = ...`-style statements (the ones MC002 rewrites)."""
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if isinstance(target, ast.Attribute) and target.attr in ("api_key", "api_type", *_MODULE_URL_ATTRIBUTES):
        if module.qualify(target.value).single in OPENAI_MODULES:
            return target
    return None


def _new_constant(name: str, bindings: list[Binding], module: ModuleInfo) -> Constant:
    assigns = [b for b in bindings if b.kind == "assign"]
    if len(bindings) > 1:
        return Constant(
            name,
            None,
            None,
            blocked=f"{name} is assigned {len(bindings)} times in this module, so its value at the client is not known",
        )
    value = assigns[0].value
    assignment = next((s for s in module.analysis.assignments if getattr(s, "value", None) is value), None)
    if assignment is None or value is None:
        return Constant(name, None, None, blocked=f"{name} is not set by a plain assignment")
    return Constant(name, assignment, value)


def _blocked(name: str, bindings: list[Binding], module: ModuleInfo, known: Constant | None, reason: str) -> Constant:
    constant = known or _new_constant(name, bindings, module)
    return Constant(constant.name, constant.assignment, constant.value, list(constant.uses), constant.blocked or reason)


def _imported(name: str, binding: Binding) -> Imported:
    source = binding.imported or name
    module_path = source[: -len(name) - 1] if source.endswith("." + name) else source
    return Imported(name, module_path or source)


def _check_every_read(index: Index, module: ModuleInfo) -> None:
    """Block a constant read anywhere but the indexed sites (one walk of the tree for all of them)."""
    known = {id(use.node) for constant in index.constants.values() for use in constant.uses}
    module_bindings = module.analysis.module_scope.bindings
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Name) or node.id not in index.constants or id(node) in known:
            continue
        constant = index.constants[node.id]
        if (
            constant.blocked is None
            and isinstance(node.ctx, ast.Load)
            and _bindings(node, module) is module_bindings.get(node.id)
        ):
            line = module.lines[node.lineno - 1].strip()
            shown = line if len(line) <= 60 else line[:57] + "..."
            constant.blocked = (
                f"{node.id} is also read at line {node.lineno} (`{_redacted(shown)}`), not as a client's URL or key"
            )


def _check_kinds(index: Index) -> None:
    for constant in index.constants.values():
        if constant.blocked is None and len({use.kind for use in constant.uses}) > 1:
            constant.blocked = f"{constant.name} is passed both as a URL and as an API key"


def _check_owners_migrate(index: Index, module: ModuleInfo) -> None:
    """A constant read by a client that stays where it is (its URL is not OpenAI's) must not move."""
    from migrate_cli.rewrite.policy import decide_base_url

    def stays(owner: _Owner, blocks_count: bool = True) -> bool:
        for value in owner.url_values:
            if isinstance(value, ast.Name) and value.id in index.constants:
                constant = index.constants[value.id]
                if any(use.node is value for use in constant.uses):
                    if blocks_count and constant.blocked is not None:
                        return True
                    if (
                        constant.value is None
                        or decide_base_url(constant.value, module, follow_constants=False).action == "foreign"
                    ):
                        return True
                    continue
            if decide_base_url(value, module, follow_constants=False).action == "foreign":
                return True
        return False

    movable = {i for i, owner in enumerate(index.owners) if not stays(owner, blocks_count=False)}
    for constant in index.constants.values():
        constant.feeds_movable_client = any(use.owner in movable for use in constant.uses)

    changed = True
    while changed:  # a blocked URL constant can leave a client alone, which blocks its key constant
        changed = False
        staying = {i for i, owner in enumerate(index.owners) if stays(owner)}
        for constant in index.constants.values():
            if constant.blocked is not None:
                continue
            use = next((u for u in constant.uses if u.owner in staying), None)
            if use is not None:
                constant.blocked = f"{constant.name} is also used by {use.label} at line {use.node.lineno}, which is left as is (its URL is not OpenAI's)"
                changed = True


def _redacted(text: str) -> str:
    from migrate_cli.redact import redact

    return redact(text)
