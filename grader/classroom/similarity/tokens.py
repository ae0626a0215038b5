"""A Python file as the normalized tokens winnowing compares, each with its line."""
from __future__ import annotations

import builtins
import io
import keyword
import token as tok
import tokenize

KEEP = frozenset(keyword.kwlist) | frozenset(dir(builtins))   # the language, not the student's names
SKIP = {tok.COMMENT, tok.NL, tok.ENCODING, tok.ENDMARKER, tok.ERRORTOKEN}
STRUCTURE = {tok.NEWLINE: ";", tok.INDENT: "{", tok.DEDENT: "}"}
STATEMENT_START = {tok.NEWLINE, tok.INDENT, tok.DEDENT, None}
# f-strings are several tokens from Python 3.12 on: one "S" like any other string.
FSTRING = {getattr(tok, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tok, n)}


def normalize(source: str) -> tuple[list[tuple[str, int]], list[int]]:
    """(normalized token, line) for SOURCE, and where each top-level statement starts.

    Names the student chose become ``V``, string and number literals ``S`` and ``N``, blocks
    ``{ ; }``; comments, docstrings (a string that is a whole statement) and whitespace vanish.
    Fingerprints never span two top-level statements (see fingerprints.file_prints), so the
    order of a file's functions changes none of them. A file that stops tokenizing (a syntax
    error) gives the tokens before the error."""
    out: list[tuple[str, int]] = []
    starts: list[int] = [0]
    depth = 0
    previous_type: int | None = None   # of the last significant token
    previous = ""
    pending_docstring = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = token.type
            if kind in SKIP:
                continue
            if pending_docstring:
                pending_docstring = False
                if kind == tok.NEWLINE:     # the string was the whole statement: drop it
                    out.pop()
                    previous_type, previous = kind, ";"
                    continue
            depth += (kind == tok.INDENT) - (kind == tok.DEDENT)
            if depth == 0 and previous_type in (tok.NEWLINE, tok.DEDENT) and kind != tok.DEDENT and out:
                starts.append(len(out))
            if kind == tok.NAME:
                text = token.string if token.string in KEEP or previous == "." else "V"
            elif kind == tok.STRING or kind in FSTRING:
                if previous == "S" and kind in FSTRING:
                    continue
                text = "S"
                pending_docstring = kind == tok.STRING and previous_type in STATEMENT_START
            elif kind == tok.NUMBER:
                text = "N"
            else:
                text = STRUCTURE.get(kind, token.string)
            out.append((text, token.start[0]))
            previous_type, previous = kind, text
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out, [i for i in dict.fromkeys(starts) if i < len(out)]
