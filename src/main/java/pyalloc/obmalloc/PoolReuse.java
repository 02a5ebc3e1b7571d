package pyalloc.obmalloc;

/**
 * Which pool of a size class serves the next block, and which empty pool of an arena is reused first
 * (docs/obmalloc.md 3.2, 3.3, 4.2). Consulted when a pool changes list: when a full pool gets a block back, and
 * when a pool empties or is taken again, never for a block taken from the class's current pool.
 *
 * <p>CPython's rule is {@link LifoPoolReuse}; alternatives are named in {@link PoolReuseRule}.
 */
public interface PoolReuse {

    /**
     * A full pool of class {@code c} got a block back: links it into {@code usedPools[c]}, whose head serves
     * the next request of the class.
     */
    void usableAgain(Pool[] usedPools, int c, Pool pool);

    /** Pool {@code pool} of arena {@code a} is empty: keeps it among the arena's {@code freepools}. */
    void emptied(ArenaObject a, Pool pool);

    /** Returns an empty pool of arena {@code a} to carve blocks from, or null to carve a never-used one. */
    Pool takeEmpty(ArenaObject a);
}
