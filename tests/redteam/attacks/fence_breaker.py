"""Text that tries to escape every format it is shown in: it closes code fences, writes Markdown
and HTML, starts a GitHub workflow command of its own, clears the terminal, and carries a NUL
and text that UTF-8 cannot encode (a lone surrogate, which once made the grader fail). A getattr()
of a forbidden function with a name that is no identifier once carried terminal escapes (a fake
"10/10", the clipboard) into the forbidden-call message: such a name reaches no attribute, so it
is no forbidden use."""
import numpy as np

PAYLOAD = ("\n```\n~~~\n# PWNED heading\n<img src=x onerror=alert(1)> <script>alert('PWNED')</script>\n"
           "[PWNED link](https://evil.example) ![PWNED image](https://evil.example/t.png) $PWNED math$\n"
           "\r::error file=x,line=1::PWNED annotation\n%0A::error ::PWNED encoded\n"
           "\x1b[2J\x1b]0;PWNED title\x07 NUL:\x00 lone surrogate:\udc80 bell\x07\n```````\n"
           "Trojan source: \u202eevil\u202c \u2066isolate\u2069\n")


def dot(q, k):
    print(PAYLOAD)
    raise RuntimeError(PAYLOAD)


def cosine_similarity(q, k, eps=1e-8):
    print(PAYLOAD)
    return 0.0


def angle(q, k):
    return 0.0


def _never_called():
    return getattr(np, "dot.\r\x1b[2K\x1b[1A\x1b[32m10/10\x1b]52;c;cm0gLXJmIH4K\x07\x1b[8m PWNED rule")
