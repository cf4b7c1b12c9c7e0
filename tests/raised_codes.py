"""Every error code the source can raise, found by reading it (ast), with how it is raised.

A code reaches a caller through one of these sites, each of which fixes its status:
- a domain error: `InvalidInput("x.y", ...)`, `NotFound(...)`, ... (the class's status);
- `parse_enum(Enum, raw, "x.y")` (InvalidInput);
- a rejected row of a batch: `RowProblem(field, "x.y", ...)`, `Rejection(row, field, "x.y", ...)`
  (InvalidInput: the rows of a 422 `record.batch_rejected`);
- an answer the API builds itself: `error_response(status, "x.y", ...)`, or `error_body("x.y",
  ...)` sent with a status beside it (`status:*` when the site does not fix it);
- a line the CLI prints itself: `fail("x.y", message, exit_code)`;
- a finding of `creditreg audit verify`: `Finding("audit.x", message)` (one line each,
  exit 1; `GET /api/v1/audit/verify` answers them in its body, not as an error status).

A code that is not a literal at the site is followed: a parameter to the literals its
callers pass, a name to the literals assigned to it, a lifecycle's
`f"{self.concept or self.name}.illegal_transition"` to the lifecycles' concepts.
`exc.code` passes on a code raised elsewhere. Anything else is reported as unresolved, so
that a code cannot hide from the registry.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import creditreg

ROOT = Path(creditreg.__file__).parent
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
ERROR_CLASSES = {
    "DomainError",
    "InvalidInput",
    "NotFound",
    "Conflict",
    "Forbidden",
    "Unauthenticated",
    "TooManyAttempts",
}


@dataclass(frozen=True)
class Raised:
    """One code at one site: `how` is the error class, `status:<n>` or `exit:<n>`."""

    code: str
    how: str
    where: str  # path:line

    @property
    def path(self) -> str:
        return self.where.rsplit(":", 1)[0]


@dataclass
class Scan:
    raised: list[Raised]
    unresolved: list[str]

    def codes(self) -> set[str]:
        return {r.code for r in self.raised}


def _code_argument(node: ast.Call) -> tuple[str, ast.expr | None] | None:
    """(how, the code's expression) when `node` raises or answers a code."""
    name = getattr(node.func, "id", getattr(node.func, "attr", None))
    args = node.args
    keyword = {k.arg: k.value for k in node.keywords if k.arg}
    if name in ERROR_CLASSES:
        return name, args[0] if args else keyword.get("code")
    if name == "parse_enum":
        return "InvalidInput", args[2] if len(args) > 2 else keyword.get("code")
    if name == "RowProblem":
        return "InvalidInput", args[1] if len(args) > 1 else keyword.get("code")
    if name == "Rejection":
        return "InvalidInput", args[2] if len(args) > 2 else keyword.get("code")
    if name == "error_response" and args:
        status = args[0].value if isinstance(args[0], ast.Constant) else "*"
        return f"status:{status}", args[1] if len(args) > 1 else None
    if name == "error_body":  # the body alone: its status is set beside it
        return "status:*", args[0] if args else keyword.get("code")
    if name == "Finding":
        return "exit:1", args[0] if args else keyword.get("code")
    if name == "fail":
        exit_code = args[2] if len(args) > 2 else keyword.get("exit_code")
        value = exit_code.value if isinstance(exit_code, ast.Constant) else 1
        return f"exit:{value}", args[0] if args else keyword.get("code")
    return None


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rel = str(path.relative_to(ROOT.parent))
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | None:
        current: ast.AST | None = node
        while current is not None:
            current = self.parents.get(current)
            if isinstance(current, ast.FunctionDef):
                return current
        return None

    def assigned(self, scope: ast.AST, name: str) -> list[ast.expr]:
        """The expressions assigned to `name` in `scope` (targets may be tuples)."""
        found: list[ast.expr] = []
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    names = [t for t in ast.walk(target) if isinstance(t, ast.Name)]
                    if any(t.id == name for t in names):
                        found.append(node.value)
            elif (
                isinstance(node, ast.AnnAssign)
                and node.value is not None
                and isinstance(node.target, ast.Name)
                and node.target.id == name
            ):
                found.append(node.value)
        return found


def _literals(expr: ast.AST) -> set[str]:
    return {
        n.value
        for n in ast.walk(expr)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.match(n.value)
    }


def _lifecycle_concepts(modules: list[_Module]) -> set[str]:
    """The prefix of each lifecycle's codes: its `concept` if given, else its name."""
    names: set[str] = set()
    for module in modules:
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Lifecycle"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                concept = next((k.value for k in node.keywords if k.arg == "concept"), None)
                given = concept if concept is not None else node.args[0]
                if isinstance(given, ast.Constant):
                    names.add(str(given.value))
    return names


def _callers(modules: list[_Module], function: str, position: int, param: str) -> set[str]:
    """The literals passed for `param` (at `position`) wherever `function` is called."""
    found: set[str] = set()
    for module in modules:
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            if getattr(node.func, "id", getattr(node.func, "attr", None)) != function:
                continue
            if position < len(node.args):
                found |= _literals(node.args[position])
            for k in node.keywords:
                if k.arg == param:
                    found |= _literals(k.value)
    return found


def _resolve(
    module: _Module, modules: list[_Module], node: ast.Call, expr: ast.expr
) -> set[str] | None:
    """The codes `expr` can hold, or None when they cannot be found by reading."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.JoinedStr):
        text = ast.unparse(expr)
        if text == "f'{self.concept or self.name}.illegal_transition'":
            return {f"{n}.illegal_transition" for n in _lifecycle_concepts(modules)}
        return None
    if isinstance(expr, ast.Name):
        function = module.enclosing_function(node)
        if function is not None:
            params = [a.arg for a in function.args.args]
            if expr.id in params:
                position = params.index(expr.id)
                found = _callers(modules, function.name, position, expr.id)
                return found or None
            local = module.assigned(function, expr.id)
            if local:
                return _resolve_all(module, modules, node, local)
        top = module.assigned(module.tree, expr.id)
        return _resolve_all(module, modules, node, top) if top else None
    if isinstance(expr, ast.IfExp | ast.BoolOp):
        return _literals(expr) or None
    if isinstance(expr, ast.Call):  # e.g. CODES.get(name, ("db.conflict", ...))
        found = _literals(expr)
        for name in (n.id for n in ast.walk(expr) if isinstance(n, ast.Name)):
            for value in module.assigned(module.tree, name):
                found |= _literals(value)
        return found or None
    return None


def _resolve_all(
    module: _Module, modules: list[_Module], node: ast.Call, exprs: list[ast.expr]
) -> set[str] | None:
    found: set[str] = set()
    for e in exprs:
        codes = _resolve(module, modules, node, e)
        if codes is None:
            return None
        found |= codes
    return found


def _passes_on(expr: ast.expr) -> bool:
    """`exc.code`: a code raised elsewhere, passed on unchanged."""
    return isinstance(expr, ast.Attribute) and expr.attr == "code"


def _sites(modules: list[_Module]) -> Iterator[tuple[_Module, ast.Call, str, ast.expr | None]]:
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                found = _code_argument(node)
                if found is not None:
                    yield module, node, found[0], found[1]


@functools.cache
def scan(root: Path = ROOT) -> Scan:
    """Every code raised under `root`, and the sites whose code could not be read."""
    modules = [_Module(p) for p in sorted(root.rglob("*.py"))]
    raised: list[Raised] = []
    unresolved: list[str] = []
    for module, node, how, expr in _sites(modules):
        where = f"{module.rel}:{node.lineno}"
        if expr is None or _passes_on(expr):
            continue
        codes = _resolve(module, modules, node, expr)
        if not codes:
            unresolved.append(f"{where}: {ast.unparse(expr)}")
            continue
        raised += [Raised(code, how, where) for code in sorted(codes)]
    return Scan(raised, unresolved)
