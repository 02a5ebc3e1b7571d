package pyalloc.obmalloc;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * An arena order kept in a sorted set: the usable arenas (those with a free pool) by a key each rule defines, pools
 * taken from the first. For the what-if rules only: CPython's own order is {@link UsableArenas}, with its exact ties.
 * Each arena's key is stored when it takes its place, since the allocator changes {@code nfreepools} before it
 * tells the rule; among equal keys the arena placed last comes first, as in CPython's order. O(log arenas) per pool.
 */
abstract class SortedArenas implements ArenaSelection {
    private long[] key = new long[16];
    private long[] placed = new long[16];
    private boolean[] usable = new boolean[16];
    private long clock;
    private final TreeSet<ArenaObject> order = new TreeSet<>((a, b) -> {
        int c = Long.compare(key[a.slot], key[b.slot]);
        return c != 0 ? c : Long.compare(placed[b.slot], placed[a.slot]);
    });

    /** Returns the arena's key: the usable arena with the smallest key gives the next pool. */
    abstract long key(ArenaObject a);

    @Override
    public ArenaObject next() {
        return order.isEmpty() ? null : order.first();
    }

    @Override
    public void mapped(ArenaObject a) {
        place(a);
    }

    @Override
    public void poolTaken(ArenaObject a) {
        leave(a);
        if (a.nFreePools > 0) {
            place(a);  // a full arena is in no order, as in usable_arenas
        }
    }

    @Override
    public boolean isLast(ArenaObject a) {
        return !usable[a.slot] || order.last() == a;  // a full arena is in no order: nothing follows it
    }

    @Override
    public void poolReturned(ArenaObject a) {
        leave(a);
        place(a);
    }

    @Override
    public void released(ArenaObject a) {
        leave(a);
    }

    private void place(ArenaObject a) {
        if (a.slot >= key.length) {
            int n = Math.max(a.slot + 1, 2 * key.length);
            key = Arrays.copyOf(key, n);
            placed = Arrays.copyOf(placed, n);
            usable = Arrays.copyOf(usable, n);
        }
        key[a.slot] = key(a);
        placed[a.slot] = ++clock;
        usable[a.slot] = true;
        order.add(a);
    }

    private void leave(ArenaObject a) {
        if (a.slot < usable.length && usable[a.slot]) {
            order.remove(a);  // found by the stored key, not the changed count
            usable[a.slot] = false;
        }
    }
}
