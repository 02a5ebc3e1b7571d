"""Drives pymalloc directly (ctypes.pythonapi) through every rule pyalloc models, with a mark after each.

Recorded with 'pyalloc record' on each CPython and checked with 'pyalloc verify', it pins the rules against
the real allocator: every block address and CPython's own statistics at every mark.
"""
import ctypes

try:
    import pyalloc
except ImportError:
    pyalloc = None

api = ctypes.pythonapi
api.PyObject_Malloc.restype = ctypes.c_void_p
api.PyObject_Malloc.argtypes = [ctypes.c_size_t]
api.PyObject_Realloc.restype = ctypes.c_void_p
api.PyObject_Realloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
api.PyObject_Free.restype = None
api.PyObject_Free.argtypes = [ctypes.c_void_p]
malloc, realloc, free = api.PyObject_Malloc, api.PyObject_Realloc, api.PyObject_Free


def mark(label):
    if pyalloc:
        pyalloc.mark(label)


mark("start")

# A pool becomes full, then non-full again: it goes to the front of usedpools.
big = [malloc(488) for _ in range(200)]         # class 30: several pools fill up
for i in range(5, 60, 7):
    free(big[i])                                  # full pools become non-full
    big[i] = None
again = [malloc(490) for _ in range(6)]           # served from the pool freed into last
mark("pools-full-and-back")

# A pool emptied and reused for the same class (keeps its free list), then for another class.
same = [malloc(200) for _ in range(150)]
for p in reversed(same):
    free(p)
reused = [malloc(200) for _ in range(10)]
other = [malloc(33) for _ in range(300)]
mark("pools-reused")

# Arenas: fill several, then empty them in an order that makes usable_arenas ties and releases.
arenas = [malloc(512) for _ in range(6000)]       # well over one arena of 512-byte blocks
for p in arenas[::2]:
    free(p)
mark("arenas-half")
for p in arenas[1:3000:2]:
    free(p)                                       # the first arenas empty wholly: released (3.9+: the last kept)
mark("arenas-emptied")
fill = [malloc(400) for _ in range(2000)]         # pools come from the head of usable_arenas
mark("arenas-refilled")

# Realloc: in place (same class, shrink < 1/4), moved, to zero (goes raw), raw stays raw.
r = malloc(100)
r = realloc(r, 110)                               # same class: in place
r = realloc(r, 90)                                # shrink by less than a quarter: in place
r = realloc(r, 40)                                # shrink by more: moves
r = realloc(r, 300)                               # grow: moves
z = malloc(64)
z = realloc(z, 0)                                 # to zero: a raw malloc(1) block
raw = malloc(4000)                                # over the threshold: raw
raw = realloc(raw, 16)                            # a raw block stays raw, even when small
mark("realloc")

for p in big + again + reused + other + fill + arenas[3001::2]:
    if p:
        free(p)
for p in (r, z, raw):
    free(p)
mark("freed")
