# Call sites (issue 15): blocks made on known lines, and long-lived blocks interleaved with short-lived ones of
# the same size class, so that they pin arenas. RecordSitesTest finds each line by its "# SITE:" comment.
# usage: sites.py N OUT  (N strings churned; OUT gets the addresses of the blocks of the known lines)
import sys
try:
    import pyalloc
except ImportError:
    pyalloc = None


def make(n):
    return bytes(n)  # SITE: make


def outer():
    return make(333)  # SITE: outer


top = [bytes(301)]  # SITE: top
inner = outer()  # SITE: inner

keep = []


def churn(n):
    short = []
    for i in range(n):
        short.append("s" * 200 + str(i))  # SITE: short
        if i % 50 == 0:
            keep.append("k" * 200 + str(i))  # SITE: keep
    return short


# Code objects made and dropped one after another, each at the address the last one had: a bytes object made
# on line L of each, and L differs from one to the next while the instructions do not. A recorder that kept the
# lines of a dead code object would give the new one's blocks the old one's lines.
made = []
for i in range(40):
    scope = {}
    exec("\n" * (i % 5) + "x = bytes(280 + %d)" % i, scope)  # SITE: exec
    made.append((i % 5 + 1, scope["x"]))

short = churn(int(sys.argv[1]))  # SITE: churn
pyalloc.mark("churned")
del short
pyalloc.mark("pinned")
with open(sys.argv[2], "w") as out:
    # bytes and str objects are not tracked by the GC: id() is the address pymalloc returned.
    print("top", hex(id(top[0])), file=out)
    print("inner", hex(id(inner)), file=out)
    for s in keep:
        print("keep", hex(id(s)), file=out)
    for line, x in made:
        print("exec", hex(id(x)), line, file=out)
