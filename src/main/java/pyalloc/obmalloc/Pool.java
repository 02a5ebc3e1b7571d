package pyalloc.obmalloc;

import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * One pool ({@code struct pool_header}): a {@code POOL_SIZE} piece of an arena holding blocks of one size class.
 *
 * <p>As in C, the free list threads through the free blocks themselves: {@link #blocks} holds, per block, the
 * size the program asked for while the block is in use, and the next free block's index while it is free. So
 * freeing or taking a block touches one entry, the one a lookup by address reads anyway. Never-carved blocks
 * are not on the list: {@link #nextBlock} plays {@code nextoffset}.
 */
public final class Pool {
    /** Size index meaning "freshly carved, never used" ({@code DUMMY_SIZE_IDX}). */
    static final int NO_CLASS = -1;
    /** Marks a free block's entry in {@link #blocks}; the other bits are the next free block's index + 1. */
    static final int FREE = Integer.MIN_VALUE;

    final ArenaObject arena;
    /** Position in the arena: the pool starts at {@code arena.firstPoolAddress + index * POOL_SIZE}. */
    final int index;
    /** The first block's address, past the pool header: fixed while the pool's arena lives. */
    final long firstBlock;
    /** {@code ref.count}: blocks currently allocated. */
    int count;
    /** {@code szidx}: the size class, kept while the pool sits empty in {@code freepools}. */
    int sizeIndex = NO_CLASS;
    /** {@code freeblock} as a block index, -1 for none: the most recently freed block, or the one just carved. */
    int freeBlock = -1;
    /**
     * Per block: the size asked for (positive: a block in use); {@link #FREE} | next free index + 1 (a free
     * block; + 1 so that 0 ends the list); 0, a block never handed out (carved or not).
     */
    int[] blocks;
    /**
     * Per block in use, the call site of its allocation (docs/trace-format.md, "Call sites"), indexed like
     * {@link #blocks}; null until a replay of a trace with sites sets one ({@link Allocator#setSite}), so a replay
     * without sites carries nothing of it. Stale for blocks not in use.
     */
    int[] sites;
    /** {@code nextoffset} as a block index: the next never-used block. */
    int nextBlock;
    /** {@code NUMBLOCKS(szidx)}; carving stops here ({@code maxnextoffset}). */
    int numBlocks;
    /** {@code nextpool} / {@code prevpool} in {@code usedpools[szidx]}. */
    Pool nextUsed;
    Pool prevUsed;
    /** {@code nextpool} in the arena's {@code freepools} stack. */
    Pool nextFree;

    Pool(ArenaObject arena, int index, int poolSize) {
        this.arena = arena;
        this.index = index;
        this.firstBlock = arena.firstPoolAddress + (long) index * poolSize + AllocatorProfile.POOL_OVERHEAD;
    }

    public ArenaObject arena() {
        return arena;
    }

    public int index() {
        return index;
    }

    /** Returns the blocks in use ({@code ref.count}). */
    public int count() {
        return count;
    }

    /** Returns the size class, or -1 for a pool never used. */
    public int sizeIndex() {
        return sizeIndex;
    }

    /** Returns the number of blocks on the free list (carved, available), by walking it. */
    public int freeListLength() {
        int n = 0;
        for (int b = freeBlock; b >= 0; b = next(blocks[b])) {
            n++;
        }
        return n;
    }

    /** Returns the next free block's index from a free block's entry, or -1 at the end of the list. */
    static int next(int entry) {
        return (entry & ~FREE) - 1;
    }

    /** Returns true when a block's entry says it is in use (then the entry is its requested size). */
    static boolean inUse(int entry) {
        return entry > 0;
    }

    /** Returns the size the program asked for of block {@code b}, which is in use. */
    public int requestedSize(int b) {
        return blocks[b];
    }

    /** Returns the call site of block {@code b}, which is in use; 0 when none was set. */
    public int site(int b) {
        return sites == null || b >= sites.length ? 0 : sites[b];
    }

    /** Returns the index of the next never-carved block. */
    public int nextBlock() {
        return nextBlock;
    }

    /** Returns the blocks the pool holds at its size class ({@code NUMBLOCKS(szidx)}); 0 for a pool never used. */
    public int numBlocks() {
        return numBlocks;
    }

    /** Returns true when block {@code b} (0 &lt;= b &lt; {@link #nextBlock()}) is in use. */
    public boolean blockInUse(int b) {
        return inUse(blocks[b]);
    }
}
