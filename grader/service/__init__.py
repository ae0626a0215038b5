"""The warm grading service: `learn grade` answered by a process that has everything loaded.

A cold `learn grade` pays for Python, numpy, pytest, click, jinja2, the course and a fork
server before it runs a test. The service pays once: a per-user, per-course (and per-install)
daemon that keeps them loaded and answers each request by forking a child from itself, which
runs the same command line as ``learn grade`` would (so results are the same, byte for byte,
for the same seed) on the caller's own terminal, whose file descriptors travel with the
request. Student code still runs only in confined workers of the service's fork server.

- ``place``: where the socket lives (a folder only the user can open) and its name.
- ``fingerprint``: what the service was started from; it refuses to serve once that changed.
- ``client``: the launcher's fast path, and starting a service on demand. Imports nothing heavy.
- ``daemon``: the service itself (``python -m grader.service``).

``learn grade`` falls back to grading in-process, silently and correctly, whenever the
service is missing, stale, broken or disabled (``LEARN_SERVICE=off``, and always under CI).
"""
