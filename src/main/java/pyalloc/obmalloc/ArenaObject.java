package pyalloc.obmalloc;

/**
 * One slot of the {@code arenas} vector ({@code struct arena_object}) and, while {@link #isAllocated()}, the
 * arena mapped at {@link #address()}.
 */
public final class ArenaObject {
    /** Index in the {@code arenas} vector; pool headers store it as {@code arenaindex}. */
    final int slot;
    /** {@code address}: the arena's base, or 0 when the slot is unused. */
    long address;
    /** The first pool boundary at or after {@link #address}. */
    long firstPoolAddress;
    /** {@code nfreepools}: empty pools plus never-carved pools. */
    int nFreePools;
    /** {@code ntotalpools}: 64 pools, or 63 when the base is not pool aligned. */
    int nTotalPools;
    /** How many pools were ever carved ({@code pool_address}, as a count). */
    int nCarvedPools;
    /** {@code freepools}: emptied pools, most recently emptied first. */
    Pool freePools;
    /** {@code nextarena} / {@code prevarena} in {@code usable_arenas}; {@code nextarena} also chains unused slots. */
    ArenaObject nextArena;
    ArenaObject prevArena;
    /** Blocks in use in this arena, and their size-class bytes. */
    long liveBlocks;
    long liveBlockBytes;

    ArenaObject(int slot) {
        this.slot = slot;
    }

    public int slot() {
        return slot;
    }

    public boolean isAllocated() {
        return address != 0;
    }

    public long address() {
        return address;
    }

    public long firstPoolAddress() {
        return firstPoolAddress;
    }

    public int nFreePools() {
        return nFreePools;
    }

    public int nTotalPools() {
        return nTotalPools;
    }

    public int nCarvedPools() {
        return nCarvedPools;
    }

    /** Returns the pools holding at least one block. */
    public int usedPools() {
        return nTotalPools - nFreePools;
    }

    /** Returns the carved pools that are empty (in {@code freepools}). */
    public int emptyPools() {
        return nCarvedPools - usedPools();
    }

    public long liveBlocks() {
        return liveBlocks;
    }

    /** Returns the bytes of the blocks in use in this arena, counted at their size-class size. */
    public long liveBlockBytes() {
        return liveBlockBytes;
    }

    /** Returns the next arena in {@code usable_arenas}, or null. */
    public ArenaObject nextUsable() {
        return nextArena;
    }
}
