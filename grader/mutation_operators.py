"""The mutation operators: where in a reference's syntax tree each one applies and what it
writes instead. :func:`edits` lists every edit; grader/mutants.py applies them one at a time.

Replacements that bind less tightly than what they replace are parenthesized, so
``np.clip(a + b, 0, 1) * 2`` without its clip is ``(a + b) * 2``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

# one reduction (or extremum) where another was meant
SWAPPED_FUNCTIONS = {
    "sum": "mean", "mean": "sum", "nansum": "nanmean", "nanmean": "nansum", "max": "min", "min": "max",
    "amax": "amin", "amin": "amax", "nanmax": "nanmin", "nanmin": "nanmax", "argmax": "argmin",
    "argmin": "argmax", "maximum": "minimum", "minimum": "maximum", "fmax": "fmin", "fmin": "fmax",
    "prod": "sum", "std": "var", "var": "std", "median": "mean", "cumsum": "cumprod", "cumprod": "cumsum",
    "any": "all", "all": "any",
}
# calls whose first argument is what they would return without them: a left-out step
DROPPABLE = {"clip", "sqrt", "abs", "absolute", "real", "conj", "conjugate", "nan_to_num", "sign", "exp",
             "log", "square", "copy", "astype"}
TRANSPOSES = {"transpose", "swapaxes", "moveaxis", "matrix_transpose", "permute_dims"}
# calls whose first two positional arguments do not commute
ORDERED = {"dot", "matmul", "outer", "inner", "cross", "divide", "subtract", "true_divide", "arctan2",
           "power", "kron", "solve", "tensordot", "vdot", "lstsq", "allclose", "isclose"}
COMPARISONS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
               ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
AUGMENTED = {ast.Sub: "drop-subtraction", ast.Div: "drop-division", ast.Add: "drop-addition",
             ast.Mult: "drop-factor", ast.FloorDiv: "drop-division"}
ATOMS = (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Tuple, ast.Dict)
OPERATORS = ("swap-axis", "drop-keepdims", "swap-reduction", "drop-call", "drop-transpose", "full-transpose",
             "swap-args", "drop-division", "drop-subtraction", "drop-addition", "drop-factor", "drop-power",
             "drop-negation", "drop-not", "change-comparison", "swap-boolean", "change-constant", "drop-raise")


@dataclass(frozen=True)
class Edit:
    operator: str
    function: str
    start: tuple[int, int]     # (line, column in characters), 1-based lines
    end: tuple[int, int]
    replacement: str


def _name(node: ast.expr) -> str:
    """The last part of a called name: ``np.linalg.norm`` → ``norm``, ``x.sum`` → ``sum``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _code(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if isinstance(node, ATOMS) else f"({text})"


class _Collector(ast.NodeVisitor):
    """Every edit the operators make in one module, with the function each one is in."""

    def __init__(self, tree: ast.Module) -> None:
        self.edits: list[Edit] = []
        self.function = "module"
        self.local_functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        self.skip: set[int] = set()          # ids of nodes no operator touches (messages, docstrings)

    def add(self, operator: str, node: ast.AST, replacement: str | ast.AST) -> None:
        text = replacement if isinstance(replacement, str) else _code(replacement)
        self.edits.append(Edit(operator, self.function, (node.lineno, node.col_offset),
                                (node.end_lineno or node.lineno, node.end_col_offset or 0), text))

    def visit(self, node: ast.AST) -> None:
        if id(node) not in self.skip:
            super().visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self.function = self.function, node.name
        if node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            self.skip.add(id(node.body[0]))  # the docstring
        self.generic_visit(node)
        self.function = outer

    def visit_Raise(self, node: ast.Raise) -> None:
        self.add("drop-raise", node, "pass")  # the exception's message is not worth mutating

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        pass

    def visit_Assert(self, node: ast.Assert) -> None:
        pass

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        is_method = isinstance(node.func, ast.Attribute) and not _is_module(node.func.value)
        for keyword in node.keywords:
            if keyword.arg == "axis":
                self._axis(keyword.value)
                self.skip.add(id(keyword.value))
            elif keyword.arg == "keepdims" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True:
                call = _copy(node)
                call.keywords = [k for k in call.keywords if k.arg != "keepdims"]
                self.add("drop-keepdims", node, call)
                self.skip.add(id(keyword.value))
        if name in SWAPPED_FUNCTIONS and (isinstance(node.func, ast.Attribute) or name in ("max", "min", "sum", "any", "all")):
            call = _copy(node)
            if isinstance(call.func, ast.Attribute):
                call.func.attr = SWAPPED_FUNCTIONS[name]
            else:
                call.func = ast.Name(SWAPPED_FUNCTIONS[name], ast.Load())
            self.add("swap-reduction", node, call)
        if name in ("maximum", "minimum", "fmax", "fmin") and len(node.args) == 2:
            for argument in node.args:  # a guard such as np.maximum(1.0, norm) left out
                self.add("drop-call", node, argument)
        elif name in DROPPABLE:
            subject = node.func.value if is_method else (node.args[0] if node.args else None)
            if subject is not None and not isinstance(subject, ast.Starred):
                self.add("drop-call", node, subject)
        if name == "where" and len(node.args) == 3:
            self.add("drop-call", node, node.args[1])
            self.add("drop-call", node, node.args[2])
        if name in TRANSPOSES:
            subject = node.func.value if is_method else (node.args[0] if node.args else None)
            if subject is not None:
                self.add("drop-transpose", node, subject)
                if name in ("swapaxes", "matrix_transpose", "permute_dims"):
                    self.add("full-transpose", node, ast.Attribute(subject, "T", ast.Load()))
        if (name in ORDERED or (isinstance(node.func, ast.Name) and name in self.local_functions)) \
                and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]) \
                and ast.dump(node.args[0]) != ast.dump(node.args[1]):
            call = _copy(node)
            call.args[0], call.args[1] = call.args[1], call.args[0]
            self.add("swap-args", node, call)
        for argument in node.args:
            if isinstance(argument, ast.Tuple) and len(argument.elts) == 2 and \
                    ast.dump(argument.elts[0]) != ast.dump(argument.elts[1]):
                self.add("swap-args", argument, ast.Tuple(argument.elts[::-1], ast.Load()))  # a shape (m, n)
        self.generic_visit(node)

    def _axis(self, value: ast.expr) -> None:
        number = _int(value)
        if number is None:
            self.add("swap-axis", value, "-1")  # an axis argument ignored: always the last one
            return
        for other in {-1: (-2, 0), -2: (-1, 0), 0: (1, -1), 1: (0, -1)}.get(number, (number - 1, -1)):
            self.add("swap-axis", value, str(other))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ("T", "mT") and isinstance(node.ctx, ast.Load):
            self.add("drop-transpose", node, node.value)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        op = type(node.op)
        if op in (ast.Div, ast.FloorDiv):
            self.add("drop-division", node, node.left)
        elif op is ast.Sub:
            self.add("drop-subtraction", node, node.left)
        elif op is ast.Add:
            self.add("drop-addition", node, node.left)
            self.add("drop-addition", node, node.right)
        elif op is ast.Mult:
            self.add("drop-factor", node, node.left)
            self.add("drop-factor", node, node.right)
        elif op is ast.Pow:
            self.add("drop-power", node, node.left)
        if op in (ast.Sub, ast.Div, ast.MatMult, ast.Pow) and ast.dump(node.left) != ast.dump(node.right):
            self.add("swap-args", node, ast.BinOp(node.right, node.op, node.left))
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if type(node.op) in AUGMENTED:
            self.add(AUGMENTED[type(node.op)], node, "pass")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        number = _int(node) if isinstance(node.op, ast.USub) else None
        if number is not None or (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)):
            self._constant(node, -node.operand.value)  # type: ignore[attr-defined]
            return
        if isinstance(node.op, ast.USub):
            self.add("drop-negation", node, node.operand)
        elif isinstance(node.op, ast.Not):
            self.add("drop-not", node, node.operand)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for i, op in enumerate(node.ops):
            if type(op) in COMPARISONS:
                compare = _copy(node)
                compare.ops = list(compare.ops)
                compare.ops[i] = COMPARISONS[type(op)]()
                self.add("change-comparison", node, compare)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add("swap-boolean", node, ast.BoolOp(other, node.values))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        self._constant(node, node.value)

    def _constant(self, node: ast.AST, value: object) -> None:
        if isinstance(value, bool):
            self.add("change-constant", node, repr(not value))
        elif isinstance(value, int):
            others = (value + 1, value - 1) if abs(value) <= 10 else (0,)
            for other in others:
                self.add("change-constant", node, f"({other})" if other < 0 else str(other))
        elif isinstance(value, float):
            self.add("change-constant", node, "0.0" if value != 0 else "1.0")


def _is_module(node: ast.expr) -> bool:
    """``np`` in ``np.sum`` (a module or package alias), as opposed to an array ``x.sum``."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ("np", "numpy", "math", "scipy", "linalg")


def _int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int(node.operand)
        return -inner if inner is not None else None
    return None


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node), mode="eval").body  # type: ignore[attr-defined]




def edits(tree: ast.Module) -> list[Edit]:
    """Every edit the operators make in TREE, each with the function it is in."""
    collector = _Collector(tree)
    collector.visit(tree)
    return collector.edits
