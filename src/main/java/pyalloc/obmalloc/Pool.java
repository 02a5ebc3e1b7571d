package pyalloc.obmalloc;

/**
 * One pool ({@code struct pool_header}): a {@code POOL_SIZE} piece of an arena holding blocks of one size class.
 *
 * <p>The C free list threads through the free blocks themselves; here it is a stack of block indices, which
 * gives the same LIFO order. Never-carved blocks are not on it: {@link #nextBlock} plays {@code nextoffset}.
 */
public final class Pool {
    /** Size index meaning "freshly carved, never used" ({@code DUMMY_SIZE_IDX}). */
    static final int NO_CLASS = -1;

    final ArenaObject arena;
    /** Position in the arena: the pool starts at {@code arena.firstPoolAddress + index * POOL_SIZE}. */
    final int index;
    /** {@code ref.count}: blocks currently allocated. */
    int count;
    /** {@code szidx}: the size class, kept while the pool sits empty in {@code freepools}. */
    int sizeIndex = NO_CLASS;
    /** {@code freeblock}: available, already carved blocks, most recently freed on top. */
    char[] freeBlocks;
    int nFree;
    /** The size the program asked for, per block; 0 for a block not in use (a request is 1 byte or more). */
    char[] requested;
    /** {@code nextoffset} as a block index: the next never-used block. */
    int nextBlock;
    /** {@code NUMBLOCKS(szidx)}; carving stops here ({@code maxnextoffset}). */
    int numBlocks;
    /** {@code nextpool} / {@code prevpool} in {@code usedpools[szidx]}. */
    Pool nextUsed;
    Pool prevUsed;
    /** {@code nextpool} in the arena's {@code freepools} stack. */
    Pool nextFree;

    Pool(ArenaObject arena, int index) {
        this.arena = arena;
        this.index = index;
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

    /** Returns the pool's address in the simulated address space. */
    public long address(int poolSize) {
        return arena.firstPoolAddress + (long) index * poolSize;
    }

    /** Returns the number of blocks on the free list (carved, available). */
    public int freeListLength() {
        return nFree;
    }

    /** Returns the index of the next never-carved block. */
    public int nextBlock() {
        return nextBlock;
    }
}
