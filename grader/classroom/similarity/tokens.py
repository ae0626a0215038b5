"""A Python file as the normalized tokens winnowing compares, each with its line.

A tokenizer of its own, one regular expression over the file: the standard library's
``tokenize`` costs ~6 µs a token in Python before 3.12, which made tokenizing most of a
200-student class's run time; this one keeps only what normalizing needs (the kind of each
token, the line, the indentation) at a fifth of that. It never needs to be exact, only the
same for every student; the suite checks it against ``tokenize`` on the whole built-in course.
A string left open ends at its line's end (a triple-quoted one at the file's): a failed match
would rescan the rest of the line from every quote on it, and a hostile file of 250 KB of
``\\'`` took minutes where it now takes milliseconds.
"""
from __future__ import annotations

import builtins
import keyword
import re

KEEP = frozenset(keyword.kwlist) | frozenset(dir(builtins))   # the language, not the student's names

_TOKEN = re.compile(r"""
 (?P<space>[ \t\f]+)
|(?P<comment>\#[^\r\n]*)
|(?P<continuation>\\\r?\n)
|(?P<newline>\r?\n|\r)
|(?P<string>[rRbBuUfF]{0,2}(?:'''(?:\\.|[^\\])*?(?:'''|\Z)|\"\"\"(?:\\.|[^\\])*?(?:\"\"\"|\Z)|'(?:\\.|[^\\'\r\n])*(?:'|(?=[\r\n])|\Z)|"(?:\\.|[^\\"\r\n])*(?:"|(?=[\r\n])|\Z)))
|(?P<number>0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
|(?P<name>[^\W\d]\w*)
|(?P<op>\.\.\.|\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%&|^@=<>!]=|[-+*/%&|^@~<>=.,:;])
|(?P<open>[(\[{])
|(?P<close>[)\]}])
|(?P<other>.)
""", re.VERBOSE | re.DOTALL)


def normalize(source: str) -> tuple[list[tuple[str, int]], list[int]]:
    """(normalized token, line) for SOURCE, and where each top-level statement starts.

    Names the student chose become ``V``, string and number literals ``S`` and ``N``, blocks
    ``{ ; }``; comments, docstrings (a string that is a whole statement) and whitespace vanish.
    Fingerprints never span two top-level statements (see fingerprints.file_prints), so the
    order of a file's functions changes none of them.
    """
    out: list[tuple[str, int]] = []
    starts: list[int] = []
    indents = [0]
    line, brackets = 1, 0
    statement = 0          # index in OUT where the current logical line starts
    at_line_start = True   # nothing of this logical line seen yet: measure its indentation
    column = 0
    for match in _TOKEN.finditer(source):
        kind, text = match.lastgroup, match.group()
        if kind == "space":
            if at_line_start:
                column += len(text.expandtabs(8))
            continue
        if kind in ("newline", "continuation"):
            line += 1
            if kind == "newline" and brackets == 0:
                if not at_line_start:
                    if all(t == "S" for t, _ in out[statement:]):  # a docstring or a bare string: drop it
                        del out[statement:]
                    else:
                        out.append((";", line - 1))
                at_line_start, column = True, 0
            continue
        if kind == "comment":
            continue
        if at_line_start:  # the first token of a logical line: indentation decides the blocks
            at_line_start = False
            if column > indents[-1]:
                indents.append(column)
                out.append(("{", line))
            while column < indents[-1] and len(indents) > 1:
                indents.pop()
                out.append(("}", line))
            if len(indents) == 1:
                starts.append(len(out))
            statement = len(out)
        if kind == "name":
            previous = out[-1][0] if out else ""
            out.append((text if text in KEEP or previous == "." else "V", line))
        elif kind == "string":
            out.append(("S", line))
            line += text.count("\n")
        elif kind == "number":
            out.append(("N", line))
        elif kind == "open":
            brackets += 1
            out.append((text, line))
        elif kind == "close":
            brackets = max(0, brackets - 1)
            out.append((text, line))
        elif kind == "op":
            out.append((text, line))
    if not at_line_start and all(t == "S" for t, _ in out[statement:]):
        del out[statement:]
    out.extend(("}", line) for _ in indents[1:])
    return out, [s for s in dict.fromkeys(starts) if s < len(out)] or ([0] if out else [])
