"""Crash the interpreter through ctypes (a NULL read)."""
import ctypes


def dot(q, k):
    return ctypes.string_at(0, 16)


def cosine_similarity(q, k, eps=1e-8):
    ctypes.memmove(0, 1, 16)


def angle(q, k):
    import faulthandler
    faulthandler._read_null()  # a real fault: raise(SIGSEGV) is ignored by a PID-namespace init
