"""Start threads at import that outlive their calls and keep writing."""
import threading
import time


def _haunt():
    while True:
        try:
            with open("/tmp/learn-redteam-haunted.txt", "a") as handle:
                handle.write("boo\n")
        except OSError:
            pass
        time.sleep(0.01)


for _ in range(4):
    threading.Thread(target=_haunt, daemon=False).start()


def dot(q, k):
    return 0.0


cosine_similarity = angle = lambda q, k, eps=1e-8: 0.0
