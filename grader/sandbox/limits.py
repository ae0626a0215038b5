"""What confines a worker, as plain values: its resource limits and its environment.

Light on purpose: the grader's side (and the launcher, before anything else loads) needs these
without importing the layers, ctypes or numpy.
"""
from __future__ import annotations

import os
from typing import NamedTuple

ISOLATION = "process"  # the floor; the fork server reports what it actually achieved


class Limits(NamedTuple):  # not a dataclass: importing dataclasses costs ~10 ms before the fork server starts
    cpu_seconds: int = 120            # the whole worker; the per-call limit is wall clock
    memory_bytes: int = 2 * 1024 ** 3  # address space: numpy arrays past this raise MemoryError
    file_bytes: int = 1024 ** 2
    open_files: int = 64
    processes: int = 1                # once unprivileged: no fork, no thread
    scratch_bytes: int = 16 * 1024 ** 2

    def as_dict(self) -> dict:
        return self._asdict()


# needed on some CPUs, or the operator forcing a layer (LEARN_SANDBOX=process, LEARN_LANDLOCK=off);
# none is secret
PASSED_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LEARN_SANDBOX", "LEARN_LANDLOCK")


def worker_environment() -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "HOME": "/nonexistent", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in PASSED_THROUGH_ENV if k in os.environ})
    return env
