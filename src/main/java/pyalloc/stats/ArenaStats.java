package pyalloc.stats;

/**
 * One allocated arena at one moment.
 *
 * @param slot           index in CPython's {@code arenas} vector
 * @param address        base address (from the trace, or synthesized)
 * @param totalPools     {@code ntotalpools}: 64, or 63 when the base is not pool aligned
 * @param usedPools      pools holding at least one block
 * @param emptyPools     carved pools now empty ({@code freepools})
 * @param neverCarved    pools never used
 * @param liveBlocks     blocks in use
 * @param liveBlockBytes bytes of those blocks, at size-class size
 * @param arenaSize      the arena's size in bytes
 */
public record ArenaStats(int slot, long address, int totalPools, int usedPools, int emptyPools, int neverCarved,
        long liveBlocks, long liveBlockBytes, int arenaSize) {

    /** occ_a = bytes in live blocks / arena size. */
    public double occupancy() {
        return (double) liveBlockBytes / arenaSize;
    }

    /** Returns true when the arena is pinned: it holds live blocks, at occupancy under {@code below} (0..1). */
    public boolean isPinned(double below) {
        return isPinned(liveBlocks, liveBlockBytes, arenaSize, below);
    }

    /** The pinned-arena rule of metrics.md, in one place. */
    public static boolean isPinned(long liveBlocks, long liveBlockBytes, int arenaSize, double below) {
        return liveBlocks > 0 && (double) liveBlockBytes / arenaSize < below;
    }
}
