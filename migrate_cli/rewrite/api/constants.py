"""Named values used as a client's URL or key (MC006's analysis, shared with the value policy).

    BASE_URL = "https://api.openai.com/v1"
    API_KEY = os.getenv("OPENAI_API_KEY")
    client = OpenAI(base_url=BASE_URL, api_key=API_KEY)

    def build():
        key = os.environ["AZURE_OPENAI_API_KEY"]
        return AzureOpenAI(api_key=key, ...)

The right edit is the name's assignment, not the call. That is safe only when the name is
assigned exactly once, in the module or in a function (not a class body: its attributes are read
through `self`, which this analysis does not see), and *every* read of it is a URL parameter (or
every read a key parameter) of a construction this run migrates: a construction of an enabled
construction rule (construction.py) or an Azure client (MC003) that is not left alone, or the
openai module client (`openai.base_url = BASE_URL`, MC002). A name read anywhere else (an f-string,
a `requests` call, a client pointed at a local server, a client whose key is not proven) is
"blocked": rewriting it would change that too, so those clients are left alone and reviewed.

`follow(name, module)` is what the policy asks when it meets a Name; `module_constants(module)` is what
MC006 rewrites. Both read one index per module, built once, and only when some call passes a Name
(most files never pay for it). With MC006 disabled nothing is followed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from migrate_cli.redact import redact
from migrate_cli.rewrite.analysis.names import OPENAI_MODULES
from migrate_cli.rewrite.analysis.scopes import Binding
from migrate_cli.rewrite.analysis.values import points_at_openai, string_value
from migrate_cli.rewrite.api.context import Fact, ModuleInfo
from migrate_cli.rewrite.api.key_sources import key_source
from migrate_cli.rewrite.api.sites import ClientSite

CODE = "MC006"
MODULE_URL_ATTRIBUTES = ("base_url", "api_base")


#: What a client reads a name as.
UseKind = Literal["url", "key"]
#: Where the name is assigned: a module constant or a function's local variable.
ConstantScope = Literal["module", "function"]


@dataclass(eq=False)
class Use:
    kind: UseKind
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
    scope_kind: ConstantScope = "module"
    #: Why it cannot be rewritten; None when it can.
    blocked: str | None = None
    #: Some client reading it would move if the constant could: then a block costs something.
    feeds_movable_client: bool = False

    @property
    def kind(self) -> UseKind:
        return self.uses[0].kind

    @property
    def what(self) -> str:
        return "the module constant" if self.scope_kind == "module" else "the local variable"

    @property
    def line(self) -> int:
        return self.assignment.lineno if self.assignment is not None else 0

    def describe_uses(self, module: ModuleInfo) -> str:
        return ", ".join(
            f"{use.label} at {module.where(use.node)}" for use in sorted(self.uses, key=lambda u: u.node.lineno)
        )


@dataclass(frozen=True)
class Imported:
    name: str
    #: Where it comes from, as written: ".config" for `from .config import BASE_URL`.
    source: str


@dataclass
class Index:
    #: By the identity of the bindings list of the name (one per scope that binds it).
    constants: dict[int, Constant] = field(default_factory=dict)
    owners: list[ClientSite] = field(default_factory=list)


_INDEX: Fact[Index] = Fact("module constants")


def follow(name: ast.Name, module: ModuleInfo) -> Constant | Imported | None:
    """The named value (or import) a Name passed as a URL or key stands for; None: not followed."""
    if not module.rule_enabled(CODE):
        return None
    bindings = _bindings(name, module)
    if len(bindings) == 1 and bindings[0].kind == "import":
        return _imported(name.id, bindings[0])
    scope_kind = _followable(name, bindings, module)
    if scope_kind is None:
        return None  # a def, a class, a parameter, a loop variable, a class attribute: not followed
    constant = _index(module).constants.get(id(bindings))
    if constant is None or not any(use.node is name for use in constant.uses):
        # Read by a call the index does not know (another rule's): it serves something else too.
        return _blocked(
            name.id,
            bindings,
            module,
            constant,
            f"{name.id} is read at {module.where(name)}, where MC006 does not follow it",
            scope_kind,
        )
    return constant


def module_constants(module: ModuleInfo) -> list[Constant]:
    """Every named value read as a URL or key by a construction this run migrates."""
    if not module.rule_enabled(CODE):
        return []
    return sorted(_index(module).constants.values(), key=lambda c: c.line)


# -- the index --------------------------------------------------------------------------------


def _bindings(name: ast.Name, module: ModuleInfo) -> list[Binding]:
    scope = module.analysis.scope_of(name)
    return module.analysis.lookup(name.id, scope) if scope is not None else []


def _followable(name: ast.Name, bindings: list[Binding], module: ModuleInfo) -> ConstantScope | None:
    """ "module" or "function" when the name is an assigned variable of that scope kind; else None."""
    if not any(b.kind == "assign" for b in bindings):
        return None
    scope = module.analysis.scope_of(name)
    holder = module.analysis.binding_scope(name.id, scope) if scope is not None else None
    if holder is None or holder.kind not in ("module", "function"):
        return None
    return holder.kind


def _index(module: ModuleInfo) -> Index:
    index = module.known(_INDEX)
    if index is None:
        index = module.learn(_INDEX, Index())  # what a rule's own checks see if they ask while it is built
        if _worth_building(module):
            index = module.learn(_INDEX, _build(module))
    return index


def _worth_building(module: ModuleInfo) -> bool:
    """Cheap test first: does any call pass a Name, or unpack a dict whose values might be one?"""
    for call in module.analysis.calls:
        for keyword in call.keywords:
            if keyword.arg is None or isinstance(keyword.value, ast.Name):
                return True
    return any(module_client_setting(stmt, module) for stmt in module.analysis.assignments)


def _build(module: ModuleInfo) -> Index:
    index = Index()
    reads: list[tuple[UseKind, ast.expr, str, int]] = []  # (kind, value, label, owner)
    for site in module.client_sites:
        owner = len(index.owners)
        index.owners.append(site)
        reads += [("url", value, site.label, owner) for value in site.url_values]
        reads += [("key", value, site.label, owner) for value in site.key_values]

    for kind, value, label, owner in reads:
        if not isinstance(value, ast.Name):
            continue
        bindings = _bindings(value, module)
        scope_kind = _followable(value, bindings, module)
        if scope_kind is not None:
            constant = index.constants.get(id(bindings)) or _new_constant(value.id, bindings, module, scope_kind)
            index.constants[id(bindings)] = constant
            constant.uses.append(Use(kind, value, label, owner))

    if index.constants:
        _check_every_read(index, module)
        _check_kinds(index)
        _check_owners_migrate(index, module)
    return index


def module_client_setting(stmt: ast.stmt, module: ModuleInfo) -> ast.Attribute | None:
    """`openai.api_key = ...`-style statements (the ones MC002 rewrites)."""
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if (
        isinstance(target, ast.Attribute)
        and target.attr in ("api_key", "api_type", *MODULE_URL_ATTRIBUTES)
        and module.qualify(target.value).single in OPENAI_MODULES
    ):
        return target
    return None


def _new_constant(name: str, bindings: list[Binding], module: ModuleInfo, scope_kind: ConstantScope) -> Constant:
    assigns = [b for b in bindings if b.kind == "assign"]
    where = "this module" if scope_kind == "module" else "its function"
    if len(bindings) > 1:
        lines = ", ".join(module.where(b.statement) for b in bindings if b.statement is not None)
        return Constant(
            name,
            None,
            None,
            blocked=(
                f"{name} is set {len(bindings)} times in {where} ({lines}), so its value at the client is not known"
            ),
            scope_kind=scope_kind,
        )
    value = assigns[0].value
    assignment = next((s for s in module.analysis.assignments if getattr(s, "value", None) is value), None)
    if assignment is None or value is None:
        return Constant(name, None, None, blocked=f"{name} is not set by a plain assignment", scope_kind=scope_kind)
    return Constant(name, assignment, value, scope_kind=scope_kind)


def _blocked(
    name: str,
    bindings: list[Binding],
    module: ModuleInfo,
    known: Constant | None,
    reason: str,
    scope_kind: ConstantScope,
) -> Constant:
    constant = known or _new_constant(name, bindings, module, scope_kind)
    return Constant(
        constant.name,
        constant.assignment,
        constant.value,
        list(constant.uses),
        scope_kind=constant.scope_kind,
        blocked=constant.blocked or reason,
    )


def _imported(name: str, binding: Binding) -> Imported:
    source = binding.imported or name
    module_path = source[: -len(name) - 1] if source.endswith("." + name) else source
    return Imported(name, module_path or source)


def _check_every_read(index: Index, module: ModuleInfo) -> None:
    """Block a name read anywhere but the indexed sites (one walk of the tree for all of them)."""
    known = {id(use.node) for constant in index.constants.values() for use in constant.uses}
    names = {constant.name for constant in index.constants.values()}
    known |= _tested_names(module.tree, names)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Name) or node.id not in names or id(node) in known:
            continue
        constant = index.constants.get(id(_bindings(node, module)))
        if constant is not None and constant.blocked is None and isinstance(node.ctx, ast.Load):
            line = module.lines[node.lineno - 1].strip()
            shown = line if len(line) <= 60 else line[:57] + "..."
            constant.blocked = (
                f"{node.id} is also read at {module.where(node)} (`{_redacted(shown)}`), not as a client's URL or key"
            )


def _tested_names(tree: ast.Module, names: set[str]) -> set[int]:
    """Reads that only test a value (`if not key:`, `assert url`, `key is None`): they send it nowhere,
    so rewriting the assignment changes nothing but what is tested, which still means "is it set"."""
    tested: set[int] = set()

    def visit(test: ast.expr) -> None:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            visit(test.operand)
        elif isinstance(test, ast.BoolOp):
            for value in test.values:
                visit(value)
        elif isinstance(test, ast.Name) and test.id in names:
            tested.add(id(test))
        elif (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and all(isinstance(op, (ast.Is, ast.IsNot)) for op in test.ops)
            and all(isinstance(c, ast.Constant) and c.value is None for c in test.comparators)
        ):
            visit(test.left)

    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.While, ast.Assert, ast.IfExp)):
            visit(node.test)
    return tested


def _check_kinds(index: Index) -> None:
    for constant in index.constants.values():
        if constant.blocked is None and len({use.kind for use in constant.uses}) > 1:
            constant.blocked = f"{constant.name} is passed both as a URL and as an API key"


def _check_owners_migrate(index: Index, module: ModuleInfo) -> None:
    """A name read by a client that stays where it is must not move: the client's URL is not OpenAI's,
    or its key is not proven to be the target's once the run is done."""

    def indexed(value: ast.expr) -> Constant | None:
        if isinstance(value, ast.Name):
            constant = index.constants.get(id(_bindings(value, module)))
            if constant is not None and any(use.node is value for use in constant.uses):
                return constant
        return None

    def why_stays(owner: ClientSite, blocks_count: bool = True, ignore: Constant | None = None) -> str | None:
        """Why the owner stays where it is; `ignore`: judged without that name's own value."""
        for value in owner.url_values:
            constant = indexed(value)
            if constant is not None and constant is ignore:
                continue
            if constant is not None and blocks_count and constant.blocked is not None:
                return "its URL is not rewritten"
            url = constant.value if constant is not None else value
            if url is None or not _moves_as_is(url, module):
                return "its URL is not OpenAI's"
        for value in owner.key_values:
            constant = indexed(value)
            if constant is not None and constant is ignore:
                continue
            key = constant.value if constant is not None else value
            source = key_source(key, module) if key is not None else None
            if source is not None and source.kind == "target":
                continue
            if constant is not None and blocks_count and constant.blocked is not None:
                return "its key is not rewritten"
            if source is None or source.kind == "unproven" or (constant is None and isinstance(value, ast.Name)):
                return "its key is not proven to be the target's"
        return None

    movable = {i for i, owner in enumerate(index.owners) if why_stays(owner, blocks_count=False) is None}
    for constant in index.constants.values():
        constant.feeds_movable_client = any(use.owner in movable for use in constant.uses)

    changed = True
    while changed:  # a blocked name can leave a client alone, which blocks the client's other names
        changed = False
        for constant in index.constants.values():
            if constant.blocked is not None:
                continue
            # A client that stays only because of this very name's value says nothing new about it.
            for use in constant.uses:
                why = why_stays(index.owners[use.owner], ignore=constant)
                if why is not None:
                    constant.blocked = (
                        f"{constant.name} is also used by {use.label} at {module.where(use.node)}, "
                        f"which is left as is ({why})"
                    )
                    changed = True
                    break


def _moves_as_is(url: ast.expr, module: ModuleInfo) -> bool:
    """The policy's URL rule without following names (policy.decide_base_url): already the target's
    URL, or OpenAI's, so a client with it moves."""
    literal = string_value(url)
    return (literal is not None and module.target.same_url(literal)) or points_at_openai(url, module.analysis)


def _redacted(text: str) -> str:
    return redact(text)
