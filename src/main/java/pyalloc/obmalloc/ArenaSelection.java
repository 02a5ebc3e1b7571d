package pyalloc.obmalloc;

/**
 * Which arena a new pool is carved from, and so which arenas empty out and go back to the OS: the order of
 * {@code usable_arenas} (docs/obmalloc.md 3.3, 4.3). The allocator keeps every arena's {@code nfreepools} and
 * tells the rule after each change; the rule is consulted once per pool taken or given back, never per block.
 *
 * <p>CPython's rule is {@link UsableArenas}; alternatives are named in {@link ArenaSelectionRule}.
 */
public interface ArenaSelection {

    /** Returns the arena the next pool is taken from, or null when none has a free pool (a new one is mapped). */
    ArenaObject next();

    /** A newly mapped arena, every pool free, becomes usable. */
    void mapped(ArenaObject a);

    /** {@code a} (the one {@link #next} returned) gave a pool: its nfreepools just went down by one. */
    void poolTaken(ArenaObject a);

    /**
     * {@code a} got a pool back: its nfreepools just went up by one (from 0 when it was full). Returns true when
     * the arena is now wholly free and must be released, after leaving the rule's order; false when it stays.
     */
    boolean poolReturned(ArenaObject a);
}
