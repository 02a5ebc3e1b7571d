"""A large live set for the performance table: N small tuples kept in a list, each replaced four times over
in random order. About 3 live blocks per entry, so 1500000 entries keep 4.5 million blocks live. Pass N
(default 100000). No marks: it measures replay speed and memory, not a snapshot.
"""
import random
import sys

random.seed(1)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
live = [None] * n
for i in range(n):
    live[i] = (i, str(i))
for r in range(4):
    order = list(range(n))
    random.shuffle(order)
    for i in order:
        live[i] = (i, str(i + r))
