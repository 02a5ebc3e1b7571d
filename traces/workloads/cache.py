"""A cache that grows, then is half emptied: the classic "why doesn't my process give memory back".

Entries are small objects (a tuple, a str, a float) allocated in arrival order, so every arena holds entries
of every age. Evicting every other entry frees half the bytes but hardly any arena: each one keeps live
blocks. Pass the number of entries (default 60000).
"""
import sys

try:
    import pyalloc
except ImportError:
    pyalloc = None


def mark(label):
    if pyalloc:
        pyalloc.mark(label)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
mark("start")
cache = {}
for i in range(n):
    cache["key-%d" % i] = ("value", str(i) * 2, i * 0.5)
mark("full")
for i in range(0, n, 2):
    del cache["key-%d" % i]
mark("half-evicted")
for i in range(n, n + n // 4):
    cache["key-%d" % i] = ("value", str(i) * 2, i * 0.5)
mark("refilled")
print(len(cache))
