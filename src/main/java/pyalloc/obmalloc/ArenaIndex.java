package pyalloc.obmalloc;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

/**
 * Live arenas by address, to find the arena of a pointer as CPython's radix tree ({@code arena_map_is_used},
 * 3.10+) or {@code address_in_range} finds it (docs/obmalloc.md 1.6).
 *
 * <p>Entry i of the table is the arena whose base lies in the ARENA_SIZE window starting at
 * {@code base + i * ARENA_SIZE}. An arena spans at most two windows, so an address is in the arena of its own
 * window or of the one before. Arenas come from one mmap area, so the table stays short; arenas too far apart for
 * it ({@link #MAX_WINDOWS}) go to a hash map.
 */
final class ArenaIndex {
    private static final int MAX_WINDOWS = 1 << 20;

    private final int arenaBits;
    private ArenaObject[] table = new ArenaObject[0];
    private long tableBase;
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
        if (!fit(window)) {
            farAway.put(window, a);
        } else {
            table[(int) (window - (tableBase >>> arenaBits))] = a;
        }
        return overlaps;
    }

    /** Forgets an arena about to be unmapped. */
    void remove(ArenaObject a) {
        long window = a.address >>> arenaBits;
        long i = window - (tableBase >>> arenaBits);
        if (i >= 0 && i < table.length && table[(int) i] == a) {
            table[(int) i] = null;
        } else {
            farAway.remove(window, a);
        }
    }

    /** Grows the table to hold {@code window} and the one after; false when that would make it too long. */
    private boolean fit(long window) {
        long first = tableBase >>> arenaBits;
        if (table.length == 0) {
            first = window;
        }
        long from = Math.min(first, window);
        long to = Math.max(first + table.length, window + 2);
        if (to - from > MAX_WINDOWS) {
            return false;
        }
        if (from != first || to - from > table.length) {
            int length = (int) Math.min(MAX_WINDOWS, Math.max(to - from, 2L * table.length));
            from = Math.max(from - (length - (to - from)) / 2, 0);  // room on both sides
            ArenaObject[] grown = new ArenaObject[length];
            if (table.length > 0) {
                System.arraycopy(table, 0, grown, (int) (first - from), table.length);
            }
            table = grown;
            tableBase = from << arenaBits;
        }
        return true;
    }

    /** Returns the live arena whose mapping holds {@code address}, or null. */
    ArenaObject find(long address) {
        long i = (address - tableBase) >>> arenaBits;  // below the table: huge, so out of it
        ArenaObject a = null;
        if (i < table.length) {
            a = table[(int) i];
            if (!holds(a, address) && i > 0) {
                a = table[(int) i - 1];
            }
        } else if (!farAway.isEmpty()) {
            a = farAway.get(address >>> arenaBits);
            if (!holds(a, address)) {
                a = farAway.get((address >>> arenaBits) - 1);
            }
        }
        return holds(a, address) ? a : null;
    }

    private boolean holds(ArenaObject a, long address) {
        return a != null && (address - a.address) >>> arenaBits == 0;  // unsigned: address - base < ARENA_SIZE
    }
}
