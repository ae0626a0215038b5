"""``python -m grader.service COURSE_ROOT``: run a grading service in the foreground."""
from __future__ import annotations

import sys

from grader.service.daemon import main

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m grader.service COURSE_ROOT")
    main(sys.argv[1])
