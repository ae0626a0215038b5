"""Phone home over loopback (the port a listener in the test suite waits on) and by DNS."""
import socket

PORT = 0  # replaced by the test with the port of its listener


def _phone_home(text):
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=1) as conn:
            conn.sendall(text.encode())
        return "connected"
    except BaseException as exc:
        return repr(exc)


_phone_home("import")


def dot(q, k):
    raise ConnectionError(_phone_home(repr(q.tolist())) + " / " + repr(_dns()))


def _dns():
    try:
        return socket.getaddrinfo("example.com", 80)
    except BaseException as exc:
        return exc


cosine_similarity = angle = lambda q, k, eps=1e-8: 0.0
