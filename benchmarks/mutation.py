"""Mutation testing of the safety code: do the tests notice a realistic one-line bug? Prints a score per area.

    python benchmarks/mutation.py                      # every area of [tool.migrate-mutation] in pyproject.toml
    python benchmarks/mutation.py --area redaction     # one area (repeatable)
    python benchmarks/mutation.py --list               # the mutants, without running anything
    python benchmarks/mutation.py --jobs 1             # workers (default 2)

A small driver rather than mutmut: mutmut 3 mutates every function of a file and runs the whole
suite through its trampolines, and part of this suite starts the CLI in subprocesses, which mutmut's
trampolines do not reach. Here each area names the functions that decide something about safety
(`path::function`, or a whole `path`) and the test files that should guard them; a mutant is one
operator applied at one place, written into a private copy of the tree, and that area's test files
run against it (`pytest -x -q`, PYTHONPATH pointing at the copy so subprocesses see the mutant too,
no bytecode cache so a same-size edit is never hidden by a stale .pyc). A mutant is killed when the
tests fail or time out (per-mutant timeout: a multiple of the area's unmutated run); it survives
when they pass.

The operators (what a one-line slip looks like):
  compare   ==/!=, </<=, >/>=, in/not in, is/is not swapped
  boolop    `and` <-> `or`
  not       a `not` dropped
  negate    an `if`/`elif`/`while`/ternary condition negated
  constant  an int n -> n + 1, True <-> False
  arith     + <-> -, * <-> /, // -> /
  minmax    min() <-> max()
  delete    a guard (`if` without `else` whose body raises, returns, continues or breaks), a
            `raise`, or a statement that is a bare call (`report.secret(x)`) replaced by `pass`
Docstrings, f-string pieces (messages) and `assert` statements are not mutated.

Equivalent mutants (no test can tell them apart from the original) are listed in pyproject.toml
with the reason, by their stable name ("function: before -> after"), and left out of the score.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".work", "mutants")


@dataclass(frozen=True)
class Area:
    name: str
    targets: tuple[str, ...]
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Mutant:
    area: str
    path: str
    name: str  # "function: before -> after", stable across line moves
    line: int
    source: str  # the whole mutated file


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # "killed", "timeout", "survived", "equivalent"
    seconds: float


@dataclass
class Config:
    areas: list[Area]
    equivalent: dict[str, str] = field(default_factory=dict)
    timeout_factor: float = 4.0
    min_timeout: float = 30.0


def load_config() -> Config:
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["migrate-mutation"]
    areas = [Area(a["name"], tuple(a["targets"]), tuple(a["tests"])) for a in table["areas"]]
    equivalent = {e["mutant"]: e["why"] for e in table.get("equivalent", [])}
    return Config(areas, equivalent, table.get("timeout-factor", 4.0), table.get("min-timeout", 30.0))


# -- making mutants -----------------------------------------------------------------------------

_COMPARE_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_ARITH_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
}


def _short(node: ast.AST, limit: int = 70) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_guard(node: ast.If) -> bool:
    return not node.orelse and isinstance(node.body[-1], (ast.Raise, ast.Return, ast.Continue, ast.Break))


def _expression_mutations(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """(operator, replacement) pairs for one expression node."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE_SWAP:
                new = copy.deepcopy(node)
                new.ops[i] = _COMPARE_SWAP[type(op)]()
                yield "compare", new
    elif isinstance(node, ast.BoolOp):
        new_op: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolop", ast.BoolOp(op=new_op, values=copy.deepcopy(node.values))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not", copy.deepcopy(node.operand)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            yield "constant", ast.Constant(not node.value)
        elif isinstance(node.value, int):
            yield "constant", ast.Constant(node.value + 1)
    elif isinstance(node, ast.BinOp) and type(node.op) in _ARITH_SWAP:
        yield "arith", ast.BinOp(copy.deepcopy(node.left), _ARITH_SWAP[type(node.op)](), copy.deepcopy(node.right))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
        new_call = copy.deepcopy(node)
        new_call.func = ast.Name("max" if node.func.id == "min" else "min", ast.Load())
        yield "minmax", new_call


def _negated_conditions(node: ast.AST) -> Iterator[ast.expr]:
    if isinstance(node, (ast.If, ast.While, ast.IfExp)) and not isinstance(node.test, ast.UnaryOp):
        yield node.test


def _deletable(node: ast.stmt) -> bool:
    if isinstance(node, ast.If):
        return _is_guard(node)
    if isinstance(node, ast.Raise):
        return True
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)


class _Splicer:
    """Replaces one node's text in the file by other text, leaving every other byte as it was."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.data = source.encode()
        self.starts = [0]
        for line in self.data.split(b"\n"):  # ast counts lines by "\n" and columns in UTF-8 bytes
            self.starts.append(self.starts[-1] + len(line) + 1)

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def replace(self, node: ast.AST, text: str) -> str:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return (self.data[:start] + text.encode() + self.data[end:]).decode()


def _skipped_nodes(function: ast.AST) -> set[int]:
    """Nodes never mutated: decorators, docstrings, f-strings (messages), asserts, and everything inside them."""
    skipped: set[int] = set()
    for decorator in getattr(function, "decorator_list", []):  # `@lru_cache(maxsize=64)`: not behaviour
        skipped.update(id(inner) for inner in ast.walk(decorator))
    for node in ast.walk(function):
        if isinstance(node, (ast.JoinedStr, ast.Assert)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        ):
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def _functions(tree: ast.Module, wanted: set[str] | None) -> Iterator[tuple[str, ast.AST]]:
    """(qualified name, node) of every function in the file (or only the wanted ones), outermost first."""

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                if wanted is None or name in wanted:
                    yield name, child
                else:
                    yield from visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, prefix + child.name + ".")

    yield from visit(tree, "")


def mutants_of(area: Area) -> list[Mutant]:
    by_file: dict[str, set[str] | None] = {}
    for target in area.targets:
        path, _, function = target.partition("::")
        if not function:
            by_file[path] = None
        else:
            names = by_file.setdefault(path, set())
            if names is not None:
                names.add(function)
    found: list[Mutant] = []
    for path, wanted in by_file.items():
        source = (ROOT / path).read_text()
        tree = ast.parse(source)
        splicer = _Splicer(source)
        functions = list(_functions(tree, wanted))
        missing = (wanted or set()) - {name for name, _ in functions}
        if missing:
            raise SystemExit(f"{path}: no function {', '.join(sorted(missing))}")
        for qualname, function_node in functions:
            seen: dict[str, int] = {}
            skipped = _skipped_nodes(function_node)
            for node in ast.walk(function_node):
                if id(node) in skipped or node is function_node:
                    continue
                for operator, text, target_node in _mutations_at(node):
                    try:
                        mutated = splicer.replace(target_node, text)
                        ast.parse(mutated)
                    except (SyntaxError, ValueError):
                        continue
                    before = "<" + _short(target_node) + ">" if operator == "delete" else _short(target_node)
                    name = f"{qualname}: {operator} {before} -> {text if len(text) < 70 else text[:69] + '…'}"
                    seen[name] = seen.get(name, 0) + 1
                    if seen[name] > 1:
                        name += f" [{seen[name]}]"
                    found.append(Mutant(area.name, path, name, target_node.lineno, mutated))  # type: ignore[attr-defined]
    return found


def _mutations_at(node: ast.AST) -> Iterator[tuple[str, str, ast.AST]]:
    """(operator, new text, node replaced) for every mutation at one node."""
    if isinstance(node, ast.expr):
        for operator, replacement in _expression_mutations(node):
            yield operator, f"({ast.unparse(replacement)})", node
    for condition in _negated_conditions(node):
        yield "negate", f"(not ({ast.unparse(condition)}))", condition
    if isinstance(node, ast.stmt) and _deletable(node):
        yield "delete", "pass", node


# -- running them -------------------------------------------------------------------------------


class Workspace:
    """A private copy of the tree for one worker; a mutant is written into it and undone after."""

    def __init__(self, base: Path, index: int) -> None:
        self.root = base / f"tree{index}"
        shutil.copytree(ROOT, self.root, ignore=COPY_IGNORE, symlinks=True)
        self.env = {**os.environ, "PYTHONPATH": str(self.root), "PYTHONDONTWRITEBYTECODE": "1"}

    def run_tests(self, tests: tuple[str, ...], timeout: float) -> tuple[str, float]:
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the test run and whatever servers it started
            process.wait()
            return "timeout", time.monotonic() - started
        return ("survived" if code == 0 else "killed"), time.monotonic() - started

    def run_mutant(self, mutant: Mutant, tests: tuple[str, ...], timeout: float) -> Outcome:
        target = self.root / mutant.path
        original = target.read_bytes()
        target.write_text(mutant.source)
        try:
            status, seconds = self.run_tests(tests, timeout)
        finally:
            target.write_bytes(original)
        return Outcome(mutant, status, seconds)


def run(config: Config, areas: list[Area], jobs: int, verbose: bool) -> list[Outcome]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="migrate-mutation-") as base:
        workspaces = [Workspace(Path(base), i) for i in range(jobs)]
        free = list(workspaces)
        for area in areas:
            status, baseline = workspaces[0].run_tests(area.tests, 600)
            if status != "survived":
                raise SystemExit(f"{area.name}: the tests fail without any mutant ({' '.join(area.tests)})")
            timeout = max(config.min_timeout, baseline * config.timeout_factor)
            mutants = mutants_of(area)
            print(f"{area.name}: {len(mutants)} mutants, unmutated tests {baseline:.1f} s", flush=True)

            def one(mutant: Mutant, area: Area = area, timeout: float = timeout) -> Outcome:
                if mutant.name in config.equivalent:
                    return Outcome(mutant, "equivalent", 0.0)
                with lock:
                    workspace = free.pop()
                try:
                    outcome = workspace.run_mutant(mutant, area.tests, timeout)
                finally:
                    with lock:
                        free.append(workspace)
                if verbose or outcome.status == "survived":
                    print(f"  {outcome.status:9} {mutant.path}:{mutant.line} {mutant.name}", flush=True)
                return outcome

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                outcomes.extend(pool.map(one, mutants))
    return outcomes


def print_table(areas: list[Area], outcomes: list[Outcome]) -> None:
    print()
    print("| area | mutants | killed | survived | equivalent | score |")
    print("|---|---:|---:|---:|---:|---:|")
    totals = [0, 0, 0, 0]
    for area in areas:
        mine = [o for o in outcomes if o.mutant.area == area.name]
        killed = sum(o.status in ("killed", "timeout") for o in mine)
        survived = sum(o.status == "survived" for o in mine)
        equivalent = sum(o.status == "equivalent" for o in mine)
        for i, n in enumerate((len(mine), killed, survived, equivalent)):
            totals[i] += n
        print(f"| {area.name} | {len(mine)} | {killed} | {survived} | {equivalent} | {_score(killed, survived)} |")
    print(f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {_score(totals[1], totals[2])} |")
    survivors = [o for o in outcomes if o.status == "survived"]
    if survivors:
        print("\nSurvivors:")
        for o in survivors:
            print(f"  [{o.mutant.area}] {o.mutant.path}:{o.mutant.line} {o.mutant.name}")
    timeouts = sum(o.status == "timeout" for o in outcomes)
    if timeouts:
        print(f"\n({timeouts} of the killed mutants were killed by the timeout)")


def _score(killed: int, survived: int) -> str:
    return f"{100 * killed / (killed + survived):.0f}%" if killed + survived else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--area", action="append", help="run only this area (repeatable)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--verbose", action="store_true", help="print every mutant's outcome")
    args = parser.parse_args()
    config = load_config()
    areas = [a for a in config.areas if not args.area or a.name in args.area]
    if not areas:
        raise SystemExit(f"no such area; the areas are: {', '.join(a.name for a in config.areas)}")
    if args.list:
        for area in areas:
            for mutant in mutants_of(area):
                tag = " (equivalent)" if mutant.name in config.equivalent else ""
                print(f"[{area.name}] {mutant.path}:{mutant.line} {mutant.name}{tag}")
        return 0
    unknown = set(config.equivalent) - {m.name for a in config.areas for m in mutants_of(a)}
    if unknown:
        print(f"note: {len(unknown)} listed equivalent mutant(s) no longer exist: {sorted(unknown)}")
    started = time.monotonic()
    outcomes = run(config, areas, max(1, args.jobs), args.verbose)
    print_table(areas, outcomes)
    print(f"\n{time.monotonic() - started:.0f} s with {args.jobs} worker(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
