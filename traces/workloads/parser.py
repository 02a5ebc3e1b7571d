"""A parser building and dropping syntax trees: bursts of many small, short-lived objects.

Each round parses a block of generated source with ast, walks the tree, keeps a small summary and drops
the tree. The footprint rises and falls with every tree; the summaries that survive pin a few pools.
Pass the number of rounds (default 12).
"""
import ast
import sys

try:
    import pyalloc
except ImportError:
    pyalloc = None


def mark(label):
    if pyalloc:
        pyalloc.mark(label)


def source(k):
    lines = []
    for i in range(300):
        lines.append("def f%d_%d(a, b=%d):\n    return [a * x + b for x in range(%d)] + {'k': a}['k']\n" % (k, i, i, i))
    return "".join(lines)


rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 12
summaries = []
mark("start")
for k in range(rounds):
    tree = ast.parse(source(k))
    names = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    summaries.append((k, len(names), names[-1]))
    del tree, names
    if k == rounds // 2:
        mark("middle")
mark("done")
print(len(summaries))
