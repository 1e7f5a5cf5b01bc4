"""Which `OpenAI` is this? Scope-aware qualified names for a module, computed from Python's `ast`.

Rules match qualified names (`openai.OpenAI`), never spellings, so `from openai import OpenAI as C`,
`import openai as oa; oa.OpenAI`, function-local and try/except imports are found, while a local
`class OpenAI`, a parameter named `OpenAI` or `pandasai.llm.OpenAI` are not.

Why not libcst's QualifiedNameProvider: on this project's 2-core machines it costs ~50 ms for a
30-line file (ScopeProvider alone ~30 ms), which alone would blow the rewrite's time budget; an
`ast` pass over the same file costs well under 1 ms. The analysis follows Python's scoping rules
(function locals, class bodies invisible to nested functions, `global`/`nonlocal`, comprehensions)
but is flow-insensitive, like libcst's: a name bound twice in one scope (say an import and a class)
resolves to both, and rules treat that as ambiguous rather than guess.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

# Names `from openai import *` binds that rules care about (openai/__init__.py's client exports).
STAR_EXPORTS = {
    "openai": frozenset({"OpenAI", "AsyncOpenAI", "Client", "AsyncClient", "AzureOpenAI", "AsyncAzureOpenAI"}),
}

LOCAL = "<local>"  # prefix of qualified names bound in the module itself (def, class, assignment)


BindingKind = Literal["import", "def", "class", "assign", "param", "other"]
ScopeKind = Literal["module", "function", "class", "comprehension"]


@dataclass(eq=False)
class Binding:
    #: "param" is a function's parameter; "other" a loop target, with-as, except-as, augmented or
    #: tuple assignment, match capture, ...
    kind: BindingKind
    name: str
    #: For imports: what the name stands for ("openai.OpenAI", "openai", ".sibling.mod").
    imported: str | None = None
    #: For simple assignments: the value, so aliases (`Client = openai.OpenAI`) can be followed.
    #: For parameters: the default value (None when there is none).
    value: ast.expr | None = None
    #: Bound in an `except` handler of a `try` that imports: only exists if the import failed.
    import_fallback: bool = False
    #: The statement that binds the name (for a parameter: its function's `def`).
    statement: ast.stmt | None = None
    #: Bound under an `if`, a loop, a `match` case or an `except` handler of its scope: code after
    #: it in the same scope may run without it.
    conditional: bool = False


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)

    def bind(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


@dataclass(frozen=True)
class QName:
    """The qualified names an expression may stand for. Empty when unknown (a builtin, unbound)."""

    names: frozenset[str]

    @property
    def single(self) -> str | None:
        return next(iter(self.names)) if len(self.names) == 1 else None

    def __contains__(self, name: str) -> bool:
        return name in self.names


UNKNOWN = QName(frozenset())


class ModuleAnalysis(ast.NodeVisitor):
    """One pass over the module: scopes, bindings, and an index of the nodes rules look at."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.module_scope = Scope("module", None)
        self._scope = self.module_scope
        self._fallback_depth = 0
        #: The statement being visited, and how many conditional blocks of its scope enclose it.
        self._statement: ast.stmt | None = None
        self._conditional_depth = 0
        #: Scope each loaded Name was read in (by node identity).
        self.name_scope: dict[int, Scope] = {}
        #: Scope each statement runs in (by node identity).
        self.statement_scope: dict[int, Scope] = {}
        #: Every call, in source order; rules filter by qualified name of `func`.
        self.calls: list[ast.Call] = []
        self._qualified: dict[int, QName] = {}
        #: Every assignment statement (Assign, AnnAssign, AugAssign).
        self.assignments: list[ast.Assign | ast.AnnAssign | ast.AugAssign] = []
        self.visit(tree)

    # -- traversal: ast.NodeVisitor's, minus the per-node string building and the visits of
    # leaf nodes (contexts, operators, constants); this pass runs on every candidate file.

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt):
            self.statement_scope[id(node)] = self._scope
            outer, self._statement = self._statement, node
            self._visit(node)
            self._statement = outer
        else:
            self._visit(node)

    def _visit(self, node: ast.AST) -> None:
        method = _DISPATCH.get(type(node))
        if method is not None:
            method(self, node)
        elif not isinstance(node, _LEAVES):
            self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    # -- resolution ---------------------------------------------------------------------------

    def qualify(self, expr: ast.AST, _depth: int = 0) -> QName:
        """Qualified names of a Name or dotted Attribute chain (`oa.OpenAI` -> openai.OpenAI)."""
        if _depth:
            return self._qualify(expr, _depth)
        # Every rule asks about the same callees; the tree does not change while rules run.
        cached = self._qualified.get(id(expr))
        if cached is None:
            cached = self._qualified[id(expr)] = self._qualify(expr, 0)
        return cached

    def _qualify(self, expr: ast.AST, _depth: int) -> QName:
        if isinstance(expr, ast.Attribute):
            base = self.qualify(expr.value, _depth)
            return QName(frozenset(f"{name}.{expr.attr}" for name in base.names))
        if not isinstance(expr, ast.Name):
            return UNKNOWN
        scope = self.name_scope.get(id(expr))
        if scope is None:
            return UNKNOWN
        bindings = self.lookup(expr.id, scope)
        return QName(frozenset(self._binding_names(bindings, _depth)))

    def lookup(self, name: str, scope: Scope) -> list[Binding]:
        """Bindings a name read in `scope` may refer to, by Python's scoping rules."""
        holder = self.binding_scope(name, scope)
        if holder is not None:
            return holder.bindings[name]
        for module in reversed(self.module_scope.star_imports):
            if name in STAR_EXPORTS.get(module, ()):
                return [Binding("import", name, imported=f"{module}.{name}")]
        return []

    def binding_scope(self, name: str, scope: Scope) -> Scope | None:
        """The scope whose bindings a name read in `scope` refers to (None: unbound or a star import)."""
        if name in scope.globals:
            scope = self.module_scope
        start = scope
        current: Scope | None = scope
        while current is not None:
            # Class bodies are only visible to code directly in them, not to nested functions.
            visible = current is start or current.kind != "class"
            if visible and name in current.bindings and name not in current.nonlocals:
                return current
            current = current.parent
        return None

    def _binding_names(self, bindings: list[Binding], depth: int) -> Iterator[str]:
        # A fallback (`except ImportError: OpenAI = None`) only exists when the import failed;
        # when the import succeeds the name is the import's, so the fallback does not count.
        imported = any(b.kind == "import" and not b.import_fallback for b in bindings)
        for binding in bindings:
            if imported and binding.import_fallback:
                continue
            if binding.kind == "import":
                yield binding.imported or binding.name
            elif binding.kind == "assign" and binding.value is not None and depth < 4:
                alias = self.qualify(binding.value, depth + 1)
                yield from alias.names or {f"{LOCAL}.{binding.name}"}
            else:
                yield f"{LOCAL}.{binding.name}"

    def scope_of(self, name_node: ast.Name) -> Scope | None:
        return self.name_scope.get(id(name_node))

    # -- binding collection -------------------------------------------------------------------

    def _bind(self, name: str, kind: BindingKind, imported: str | None = None, value: ast.expr | None = None) -> None:
        scope = self._scope
        if name in scope.globals:
            scope = self.module_scope
        binding = Binding(
            kind,
            name,
            imported=imported,
            value=value,
            import_fallback=self._fallback_depth > 0,
            statement=self._statement,
            conditional=self._conditional_depth > 0,
        )
        scope.bind(binding)

    def _bind_target(self, target: ast.expr, value: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, "assign" if value is not None else "other", value=value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value)
        else:  # Attribute / Subscript targets bind nothing, but their parts are reads.
            self.visit(target)

    def _in_scope(self, kind: ScopeKind, nodes: list[ast.AST]) -> None:
        outer, outer_depth = self._scope, self._conditional_depth
        self._scope, self._conditional_depth = Scope(kind, outer), 0
        for node in nodes:
            self.visit(node)
        self._scope, self._conditional_depth = outer, outer_depth

    def _conditionally(self, statements: list[ast.stmt]) -> None:
        self._conditional_depth += 1
        for statement in statements:
            self.visit(statement)
        self._conditional_depth -= 1

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        self._conditionally([*node.body, *node.orelse])

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self._conditionally([*node.body, *node.orelse])

    def visit_Match(self, node: ast.Match) -> None:
        self.visit(node.subject)
        self._conditional_depth += 1
        for case in node.cases:
            self.visit(case.pattern)
            if case.guard is not None:
                self.visit(case.guard)
            for statement in case.body:
                self.visit(statement)
        self._conditional_depth -= 1

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.name_scope[id(node)] = self._scope
        else:  # Store in a context we do not model specially (match captures, del, ...)
            self._bind(node.id, "other")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, "import", imported=alias.name)
            else:
                top = alias.name.split(".")[0]
                self._bind(top, "import", imported=top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self._scope.star_imports.append(module)
                continue
            prefix = module if module.endswith(".") else module + "."
            self._bind(alias.asname or alias.name, "import", imported=prefix + alias.name)

    def visit_Global(self, node: ast.Global) -> None:
        self._scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self._scope.nonlocals.update(node.names)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        # Decorators, defaults and annotations are evaluated in the enclosing scope.
        for expr in [*getattr(node, "decorator_list", ()), *args.defaults, *args.kw_defaults]:
            if expr is not None:
                self.visit(expr)
        every_arg = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        for arg in every_arg:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)
        if not isinstance(node, ast.Lambda):
            if node.returns is not None:
                self.visit(node.returns)
            self._bind(node.name, "def")
        outer, outer_depth = self._scope, self._conditional_depth
        self._scope, self._conditional_depth = Scope("function", outer), 0
        defaults = _parameter_defaults(args)
        for arg in every_arg:
            if arg is not None:
                self._bind(arg.arg, "param", value=defaults.get(arg.arg))
        for statement in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(statement)
        self._scope, self._conditional_depth = outer, outer_depth

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._bind(node.name, "class")
        self._in_scope("class", list(node.body))

    def _visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        generators = node.generators
        # The first iterable is evaluated in the enclosing scope.
        self.visit(generators[0].iter)
        outer = self._scope
        self._scope = Scope("comprehension", outer)
        for index, generator in enumerate(generators):
            self._bind_target(generator.target)
            if index:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self._scope = outer

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        outer = self._scope
        # `:=` inside a comprehension binds in the enclosing function or module.
        while self._scope.kind == "comprehension" and self._scope.parent is not None:
            self._scope = self._scope.parent
        self._bind_target(node.target, node.value)
        self._scope = outer

    def visit_Assign(self, node: ast.Assign) -> None:
        self.assignments.append(node)
        self.visit(node.value)
        for target in node.targets:
            self._bind_target(target, node.value if len(node.targets) == 1 else None)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.assignments.append(node)
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.assignments.append(node)
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.name_scope[id(node.target)] = self._scope
            self._bind(node.target.id, "other")
        else:
            self.visit(node.target)

    def _visit_loop(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._conditional_depth += 1
        self._bind_target(node.target)
        self._conditional_depth -= 1
        self._conditionally([*node.body, *node.orelse])

    visit_For = visit_AsyncFor = _visit_loop

    def _visit_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars)
        for statement in node.body:
            self.visit(statement)

    visit_With = visit_AsyncWith = _visit_with

    def _visit_try(self, node: ast.Try) -> None:
        imports = any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in node.body)
        for statement in node.body:
            self.visit(statement)
        for handler in node.handlers:
            if handler.type is not None:
                self.visit(handler.type)
            if handler.name:
                self._bind(handler.name, "other")
            self._fallback_depth += imports
            self._conditionally(handler.body)
            self._fallback_depth -= imports
        # `else:` runs only when the body raised nothing; `finally:` always runs.
        self._conditionally(node.orelse)
        for statement in node.finalbody:
            self.visit(statement)

    visit_Try = _visit_try
    visit_TryStar = _visit_try  # type: ignore[assignment]  # TryStar has Try's fields

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append(node)
        self.generic_visit(node)


_LEAVES = (ast.Constant, ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
_DISPATCH = {
    getattr(ast, name.removeprefix("visit_")): method
    for name, method in vars(ModuleAnalysis).items()
    if name.startswith("visit_") and hasattr(ast, name.removeprefix("visit_"))
}


def _parameter_defaults(args: ast.arguments) -> dict[str, ast.expr]:
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(
        zip([a.arg for a in positional[len(positional) - len(args.defaults) :]], args.defaults, strict=True)
    )
    defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None)
    return defaults


def analyze(tree: ast.Module) -> ModuleAnalysis:
    return ModuleAnalysis(tree)
