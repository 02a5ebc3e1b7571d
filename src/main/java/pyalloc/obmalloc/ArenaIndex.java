package pyalloc.obmalloc;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

/**
 * Live arenas by address, to find the arena of a pointer as CPython's radix tree ({@code arena_map_is_used},
 * 3.10+) or {@code address_in_range} finds it (docs/obmalloc.md 1.6).
 *
 * <p>Each ARENA_SIZE window of the address space holds the arena whose base lies in it ({@link WindowTable}). An
 * arena spans at most two windows, so an address is in the arena of its own window or of the one before. Arenas
 * come from one mmap area, so the table stays short; arenas too far apart for it go to a hash map.
 */
final class ArenaIndex {
    private final int arenaBits;
    private final WindowTable<ArenaObject> windows = new WindowTable<>();
    private final Long2ObjectOpenHashMap<ArenaObject> farAway = new Long2ObjectOpenHashMap<>();

    ArenaIndex(int arenaBits) {
        this.arenaBits = arenaBits;
    }

    /**
     * Enters a new arena at {@code base}; returns true when it overlaps a live one, which happens only when a
     * trace is replayed under another profile than its own (the index keeps the newer one, so from then on a
     * lookup may miss blocks).
     */
    boolean add(ArenaObject a, long base) {
        long window = base >>> arenaBits;
        boolean overlaps = find(base) != null || find(base + (1L << arenaBits) - 1) != null;
        if (!windows.put(window, a)) {
            farAway.put(window, a);
        }
        return overlaps;
    }

    /** Forgets an arena about to be unmapped. */
    void remove(ArenaObject a) {
        long window = a.address >>> arenaBits;
        if (windows.get(window) == a) {
            windows.put(window, null);
        } else {
            farAway.remove(window, a);
        }
    }

    /** Returns the live arena whose mapping holds {@code address}, or null. */
    ArenaObject find(long address) {
        long window = address >>> arenaBits;
        ArenaObject a = windows.get(window);
        if (!holds(a, address)) {
            a = windows.get(window - 1);
        }
        if (!holds(a, address) && !farAway.isEmpty()) {
            a = farAway.get(window);
            if (!holds(a, address)) {
                a = farAway.get(window - 1);
            }
        }
        return holds(a, address) ? a : null;
    }

    private boolean holds(ArenaObject a, long address) {
        return a != null && (address - a.address) >>> arenaBits == 0;  // unsigned: address - base < ARENA_SIZE
    }
}
