"""The trust boundary: everything that runs, confines or talks to student code.

Threat model. A submission is hostile: it may read, write, fork, signal, connect, exhaust memory
or CPU, loop forever, forge replies on its channel, or attack the grader through the values and
text it returns. It must lose points and nothing else. Where each defence lives:

- a separate process that holds nothing of the course (``server``, ``worker``): student code
  never shares a process with the hidden tests, the reference or the expected values;
- OS confinement chosen per machine and reported (``layers``, ``namespaces``): namespaces with a
  chroot, as root (uid nobody) or without root in a user namespace of the server's own with no
  capabilities left (``userns``), else the process layer, with Landlock where the kernel has it
  (``landlock``); rlimits and a scrubbed environment (``limits``) in both;
- one view of what a worker may see, whatever the layer: the Python installation and the
  grader package, never a copy of the course nor the folders the grader names (``visibility``);
- the grader's own processes out of a worker's reach: non-dumpable, the seed secret scrubbed
  from their environment block (``shield``);
- an audit hook whose policy the student cannot reach (``guard``), defence in depth;
- only plain data crosses, framed, capped and checked by structure (``channel``, ``wire``).

The rest of the grader talks to the boundary through the names below.
"""
from __future__ import annotations

from grader.sandbox.client import ForkClient, ForkServer, Worker, WorkerDied, WorkerGarbled, WorkerTimedOut
from grader.sandbox.limits import ISOLATION, Limits

__all__ = ["ForkClient", "ForkServer", "ISOLATION", "Limits", "Worker", "WorkerDied", "WorkerGarbled",
           "WorkerTimedOut"]
