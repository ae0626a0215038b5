"""Finds forbidden calls in a student's file without running it (AST).

Patterns come from ``forbidden:`` in exercise.yaml: a dotted name (``numpy.dot``) matched
through any alias or from-import, a glob (``numpy.linalg.eig*``), a module (``scipy``: any use
of it), the operator ``@``, or a method (``.dot``) called on anything. Because a static check
can be dodged with dynamic lookups, an exercise with forbidden calls also rejects ``eval``,
``exec``, ``__import__``, ``importlib`` and ``getattr`` with a computed name.
"""
from __future__ import annotations

import ast
import fnmatch

from grader.reports.text import one_line
from grader.results import Violation

DYNAMIC = {"eval", "exec", "compile", "__import__"}
LISTED = 20        # violations listed one by one; the rest are counted in one more line
NAME_CHARS = 120   # of a name the student wrote, as a message quotes it


def matches(pattern: str, dotted: str) -> bool:
    """Does the dotted name (numpy.linalg.eigh) fall under a forbidden pattern?"""
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(dotted, pattern)
    return dotted == pattern or dotted.startswith(pattern + ".")


class _Finder(ast.NodeVisitor):
    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self.names = [p for p in patterns if p != "@" and not p.startswith(".")]
        self.methods = {p[1:] for p in patterns if p.startswith(".")}
        self.aliases: dict[str, str] = {}
        self.found: list[Violation] = []
        self._rule_of: dict[str, str | None] = {}  # a file names the same few things many times

    def report(self, node: ast.AST, rule: str, message: str) -> None:
        self.found.append(Violation(rule, getattr(node, "lineno", 0), message))

    def rule_for(self, dotted: str) -> str | None:
        """The first forbidden pattern DOTTED falls under, if any."""
        if dotted not in self._rule_of:
            self._rule_of[dotted] = next((p for p in self.names if matches(p, dotted)), None)
        return self._rule_of[dotted]

    def check_name(self, node: ast.AST, dotted: str) -> None:
        pattern = self.rule_for(dotted)
        if pattern is not None:
            self.report(node, pattern, f"uses {one_line(dotted, NAME_CHARS)}, which this exercise forbids")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_name(node, alias.name)
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
            if alias.name.split(".")[0] == "importlib":
                self.report(node, "dynamic", "imports importlib, which hides what is called")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.check_name(node, module)
                self.report(node, "star-import", f"`from {module} import *` hides what is called; "
                            "import the module instead")
                continue
            dotted = f"{module}.{alias.name}" if module else alias.name
            self.check_name(node, dotted)
            self.aliases[alias.asname or alias.name] = dotted

    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = self.resolve(node)
        if dotted:
            self.check_name(node, dotted)
        elif node.attr in self.methods:
            self.report(node, f".{node.attr}", f"calls the method .{node.attr}(), which this exercise forbids")
        if dotted is None or self.rule_for(dotted) is None:
            self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            return
        if node.id in self.aliases:
            self.check_name(node, self.aliases[node.id])
        elif node.id in DYNAMIC:
            self.report(node, "dynamic", f"uses {node.id}(), which hides what is called")
        else:
            self.check_name(node, node.id)  # a builtin such as reversed

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2:
            name = node.args[1]
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                self.report(node, "dynamic", "uses getattr() with a computed name, which hides what is called")
            elif name.value.isidentifier():  # any other string names no attribute: getattr would raise
                base = self.resolve(node.args[0])
                if base:
                    self.check_name(node, f"{base}.{name.value}")
                elif name.value in self.methods:
                    self.report(node, f".{name.value}", f"calls the method .{name.value}(), which this exercise forbids")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.MatMult) and "@" in self.patterns:
            self.report(node, "@", "uses the @ operator, which this exercise forbids")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, ast.MatMult) and "@" in self.patterns:
            self.report(node, "@", "uses the @= operator, which this exercise forbids")
        self.generic_visit(node)


def find_violations(source: str, patterns: tuple[str, ...]) -> list[Violation]:
    """The forbidden uses in SOURCE, in line order. A file that does not parse has none here:
    the import reports its syntax error."""
    if not patterns:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    finder = _Finder(tuple(patterns))
    try:
        finder.visit(tree)
    except RecursionError:
        return [Violation("dynamic", 0, "the file is nested too deeply to be checked")]
    unique = sorted({(v.line, v.message): v for v in finder.found}.values(), key=lambda v: v.line)
    if len(unique) > LISTED:  # one line per use would let a file of 37,000 np.dot write 190 MB of reports
        more = unique[LISTED]
        return unique[:LISTED] + [Violation(more.rule, more.line, f"and {len(unique) - LISTED} more forbidden "
                                            "uses from this line on")]
    return unique
