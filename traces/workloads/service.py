"""A long-running, service-like loop: requests build short-lived objects, a bounded LRU cache keeps some.

Shows the steady state of a server: arenas reach a plateau, the cache's survivors are scattered over many
pools, and memory is not given back when the load drops. Pass the number of requests (default 30000).
"""
import sys
from collections import OrderedDict

try:
    import pyalloc
except ImportError:
    pyalloc = None


def mark(label):
    if pyalloc:
        pyalloc.mark(label)


def handle(i, cache):
    # A request: parse a "payload", build a response, keep a small record in the cache.
    fields = {"id": i, "user": "u%d" % (i % 997), "tags": [str(t) for t in range(i % 7)],
              "body": "x" * (i % 300)}
    words = fields["body"].split("x")
    response = [(k, repr(v)) for k, v in fields.items()] + [len(words)]
    cache[i % 5000] = (fields["user"], tuple(fields["tags"]), response[0])
    cache.move_to_end(i % 5000)
    while len(cache) > 4000:
        cache.popitem(last=False)
    return len(response)


def main(n):
    cache = OrderedDict()
    mark("start")
    total = 0
    for i in range(n):
        total += handle(i, cache)
        if i == n // 2:
            mark("half")
    mark("busy")
    cache.clear()  # the load drops: what does the process keep?
    mark("idle")
    print(total)


main(int(sys.argv[1]) if len(sys.argv) > 1 else 30000)
