package pyalloc.obmalloc;

/**
 * Which arena a new pool is carved from, and so which arenas empty out: the order of {@code usable_arenas}
 * (docs/obmalloc.md 3.3, 4.3). The allocator keeps every arena's {@code nfreepools} and tells the rule after each
 * change; the rule is consulted once per pool taken or given back, never per block. Whether a wholly free arena
 * goes back to the OS is {@link ArenaRelease}'s decision, which may ask where the arena sits ({@link #isLast}).
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
     * Returns true when {@code a}, whose nfreepools just went up by one, is the last arena of the order at its
     * place before that change: CPython 3.9+ keeps a wholly free arena only then (bpo-37257).
     */
    boolean isLast(ArenaObject a);

    /** {@code a} got a pool back (its nfreepools just went up by one) and stays mapped: it takes its new place. */
    void poolReturned(ArenaObject a);

    /** {@code a} got its last pool back and is about to be unmapped: it leaves the order. */
    void released(ArenaObject a);
}
