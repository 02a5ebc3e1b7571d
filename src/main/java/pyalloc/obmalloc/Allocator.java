package pyalloc.obmalloc;

import it.unimi.dsi.fastutil.longs.LongArrayFIFOQueue;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * An exact model of CPython's small-object allocator ({@code Objects/obmalloc.c}) for one profile.
 *
 * <p>Callers get a block handle (a {@code long}, see {@link Block}) from {@link #malloc}, {@link #realloc}
 * and hand it back to {@link #free}. The model keeps {@code usedpools}, every arena's {@code freepools}, the
 * order of {@code usable_arenas} ({@link ArenaSelection}; CPython's is {@link UsableArenas}) and the unused-slot
 * stack exactly as CPython does, so the same call sequence yields the same addresses and the same
 * {@code _PyObject_DebugMallocStats} numbers. Where CPython could have chosen otherwise (which arena, which pool)
 * (which arena, which pool, whether an empty arena goes back) the rule is a {@link Policies} seam consulted per pool
 * or per arena, never per block. Finding an arena by address is
 * {@link ArenaIndex}'s job, counting the radix tree's nodes {@link ArenaMap}'s. Section numbers in comments refer
 * to docs/obmalloc.md.
 *
 * <p>Statistics are kept incrementally (per size class and per arena), so reading them costs
 * O(size classes + arenas), never a walk over pools.
 */
public final class Allocator {
    private static final int INITIAL_ARENA_OBJECTS = 16;
    /** Where synthesized arenas start when the trace gives no {@code arena_alloc} rows: a typical mmap area. */
    private static final long SYNTHETIC_ARENA_BASE = 0x7f0000000000L;

    private final AllocatorProfile profile;
    private final int shift;
    private final int threshold;
    private final int poolSize;
    private final int arenaSize;
    private final int maxPools;
    private final int poolIdShift;
    private final int[] blockSize;
    private final int[] blocksPerPool;

    /**
     * Every carved pool of every live arena by pool id (slot × pools per arena + index): a block's pool in
     * one load instead of a chain through its arena (free and realloc look it up on every call).
     */
    private Pool[] poolsById = new Pool[0];
    /** Live arenas by address, for {@link #blockAt}. */
    private final ArenaIndex arenaIndex;
    /**
     * A new arena overlapped a live one (a replay under another profile than the trace's): see {@link #blockAt}.
     * A field of its own, not the index's: the replay asks on every alloc.
     */
    private boolean arenasOverlapped;
    private final int arenaBits;
    private final int poolBits;
    /** ceil(2^32 / block size) per class, for {@link #blockAt}'s division. */
    private final long[] reciprocal;
    /** The arena {@link #blockAt} found last; a slot with no pools until then. */
    private ArenaObject lastArena = new ArenaObject(-1);
    /** {@code usedpools[c]}: the first partially used pool of each class (null: none). */
    private final Pool[] usedPools;
    /** {@code arenas} / {@code maxarenas}. */
    private ArenaObject[] arenas = new ArenaObject[0];
    /** {@code unused_arena_objects}: slots with address 0, chained through nextArena, LIFO. */
    private ArenaObject unusedArenaObjects;
    /** Which arena a new pool comes from: CPython's {@code usable_arenas} order, or a what-if rule. */
    private final ArenaSelection arenaSelection;
    /** Whether a wholly free arena is unmapped: the profile's CPython rule, or a what-if rule. */
    private final ArenaRelease arenaRelease;
    /** Mapped arenas whose pools are all free (nfreepools == ntotalpools), for {@link #arenaRelease}. */
    private int emptyArenas;
    /** Which pool serves a class next, which empty pool an arena reuses: CPython's LIFO, or a what-if rule. */
    private final PoolReuse poolReuse;

    private long ntimesArenaAllocated;
    private int narenasCurrentlyAllocated;
    private int narenasHighwater;

    /** Arena bases the real allocator got, oldest first; a new arena takes the next one. */
    private final LongArrayFIFOQueue arenaBases = new LongArrayFIFOQueue();
    private long nextSyntheticBase;

    /** The radix tree's nodes (3.10+), or null before 3.10. */
    private final ArenaMap arenaMap;

    // Incremental statistics.
    private final long[] liveBlocksByClass;
    private final int[] usedPoolsByClass;
    private long requestedBytes;
    private long allocatedBlockBytes;
    private long freePoolsTotal;
    private long carvedPoolsTotal;
    private int misalignedArenas;
    private long rawBlocks;
    private long rawBytes;

    /** Returns an allocator that follows CPython's own rules for {@code profile}. */
    public Allocator(AllocatorProfile profile) {
        this(profile, Policies.CPYTHON);
    }

    /**
     * Returns an allocator for {@code profile} that chooses arenas and pools by {@code policies}. Its
     * {@link #profile()} is named after both ({@code cpython-3.12+arenas-address-ordered}) unless the policies are
     * CPython's.
     */
    public Allocator(AllocatorProfile profile, Policies policies) {
        Policies own = policies.canonical(profile);
        this.profile = own.equals(Policies.CPYTHON) ? profile : profile.withId(profile.id() + own.idSuffix());
        this.shift = profile.alignmentShift();
        this.threshold = profile.smallRequestThreshold();
        this.poolSize = profile.poolSize();
        this.arenaSize = profile.arenaSize();
        this.maxPools = profile.maxPoolsInArena();
        this.poolIdShift = Integer.numberOfTrailingZeros(maxPools);
        this.poolBits = Integer.numberOfTrailingZeros(poolSize);
        this.arenaBits = Integer.numberOfTrailingZeros(arenaSize);
        int n = profile.sizeClasses();
        this.blockSize = new int[n];
        this.blocksPerPool = new int[n];
        this.reciprocal = new long[n];
        for (int c = 0; c < n; c++) {
            blockSize[c] = profile.blockSize(c);
            reciprocal[c] = ((1L << 32) + blockSize[c] - 1) / blockSize[c];
            blocksPerPool[c] = profile.blocksPerPool(c);
        }
        this.usedPools = new Pool[n];
        this.arenaSelection = own.arenaSelection().create(maxPools);
        this.arenaRelease = own.release(profile);
        this.poolReuse = own.poolReuse().create();
        this.arenaIndex = new ArenaIndex(arenaBits);
        this.arenaMap = profile.hasRadixTree() ? new ArenaMap(profile) : null;
        this.liveBlocksByClass = new long[n];
        this.usedPoolsByClass = new int[n];
        this.nextSyntheticBase = SYNTHETIC_ARENA_BASE
                + (profile.poolAlignedArenas() ? 0 : AllocatorProfile.PAGE_SIZE % poolSize);
    }

    public AllocatorProfile profile() {
        return profile;
    }

    /** Queues the base address the real allocator mapped an arena at; the next new arena takes it (1.4). */
    public void offerArenaBase(long address) {
        arenaBases.enqueue(address);
    }

    // ---------------------------------------------------------------- malloc

    /**
     * Returns true when the next {@code malloc(n)} will return {@code address}, as the first pool of
     * {@code usedpools} for its class tells; false when it will not, or when telling would take more than a look
     * (a new pool is needed, or pymalloc declines). A replay whose trace gave that very pointer then knows it
     * was free, without a look-up by address. (A boolean, not the address: there is no address value to mean
     * "none", every 64-bit value being a pointer a trace may give.)
     */
    public boolean isNextAddress(long n, long address) {
        if (n == 0 || n > threshold) {
            return false;
        }
        int c = (int) ((n - 1) >>> shift);
        Pool pool = usedPools[c];
        return pool != null && pool.firstBlock + (long) pool.freeBlock * blockSize[c] == address;
    }

    /** Returns a block for a request of {@code n} bytes ({@code _PyObject_Malloc}, also calloc of n in total). */
    public long malloc(long n) {
        if (n == 0 || n > threshold) {
            return rawMalloc(n);  // 3.1 step 1: pymalloc declines; raw malloc(1) for 0
        }
        int c = (int) ((n - 1) >>> shift);
        Pool pool = usedPools[c];
        int b;
        if (pool != null) {
            // 3.2: take the head of the first pool's free list; carve lazily; unlink when full.
            pool.count++;
            b = pool.freeBlock;
            int after = Pool.next(pool.blocks[b]);
            pool.freeBlock = after;
            if (after < 0) {
                if (pool.nextBlock < pool.numBlocks) {
                    pool.freeBlock = pool.nextBlock++;
                } else {
                    Pool next = pool.nextUsed;
                    usedPools[c] = next;
                    if (next != null) {
                        next.prevUsed = null;
                    }
                    pool.nextUsed = null;
                }
            }
        } else {
            pool = allocateFromNewPool(c);
            b = pool.sizeIndex == c ? reuseSameClass(pool) : initPool(pool, c);
            pool.count = 1;
            usedPoolsByClass[c]++;
        }
        int s = blockSize[c];
        pool.blocks[b] = (int) n;
        liveBlocksByClass[c]++;
        allocatedBlockBytes += s;
        requestedBytes += n;
        ArenaObject a = pool.arena;
        a.liveBlocks++;
        a.liveBlockBytes += s;
        return Block.small((a.slot << poolIdShift) | pool.index, b, (int) n);
    }

    /** 3.3 step 5: an emptied pool reused for its old class keeps its free list and carving offset. */
    private static int reuseSameClass(Pool pool) {
        int b = pool.freeBlock;
        pool.freeBlock = Pool.next(pool.blocks[b]);
        return b;
    }

    /** 3.3 step 6: a fresh pool, or one last used for another class, restarts at block 0. */
    private int initPool(Pool pool, int c) {
        int nb = blocksPerPool[c];
        if (pool.blocks == null || pool.blocks.length < nb) {
            pool.blocks = new int[nb];
        } else {
            java.util.Arrays.fill(pool.blocks, 0, pool.nextBlock, 0);  // the old class's free list
        }
        pool.sizeIndex = c;
        pool.numBlocks = nb;
        pool.freeBlock = 1;
        pool.nextBlock = 2;
        return 0;
    }

    /** 3.3 ({@code allocate_from_new_pool}): a pool from the arena the rule names, linked into usedpools[c]. */
    private Pool allocateFromNewPool(int c) {
        ArenaObject a = arenaSelection.next();
        if (a == null) {
            a = newArena();
            arenaSelection.mapped(a);
        }
        if (a.nFreePools == a.nTotalPools) {
            emptyArenas--;
        }
        a.nFreePools--;
        freePoolsTotal--;
        arenaSelection.poolTaken(a);
        Pool pool = poolReuse.takeEmpty(a);  // empty pools are preferred to never-carved ones
        if (pool == null) {
            pool = new Pool(a, a.nCarvedPools, poolSize);
            poolsById[(a.slot << poolIdShift) | pool.index] = pool;
            a.nCarvedPools++;
            carvedPoolsTotal++;
        }
        usedPools[c] = pool;  // the list was empty, so the pool is its only element
        pool.nextUsed = null;
        pool.prevUsed = null;
        return pool;
    }

    /** 3.5 ({@code new_arena}): takes the most recently released slot, or grows the vector, and maps an arena. */
    private ArenaObject newArena() {
        if (unusedArenaObjects == null) {
            int old = arenas.length;
            int grown = old == 0 ? INITIAL_ARENA_OBJECTS : old << 1;
            if ((long) grown << poolIdShift > Block.MAX_POOL_ID) {
                throw new IllegalStateException("more than " + old + " arenas live at once; the model's block"
                        + " handles cannot address more");
            }
            ArenaObject[] bigger = java.util.Arrays.copyOf(arenas, grown);
            for (int i = grown - 1; i >= old; i--) {
                bigger[i] = new ArenaObject(i);
                bigger[i].nextArena = i + 1 < grown ? bigger[i + 1] : null;
            }
            unusedArenaObjects = bigger[old];
            arenas = bigger;
            poolsById = java.util.Arrays.copyOf(poolsById, grown << poolIdShift);
        }
        ArenaObject a = unusedArenaObjects;
        unusedArenaObjects = a.nextArena;
        long base = arenaBases.isEmpty() ? syntheticBase() : arenaBases.dequeueLong();
        a.address = base;
        a.nextArena = null;
        a.prevArena = null;
        narenasCurrentlyAllocated++;
        ntimesArenaAllocated++;
        narenasHighwater = Math.max(narenasHighwater, narenasCurrentlyAllocated);
        a.freePools = null;
        if (arenaIndex.add(a, base)) {
            arenasOverlapped = true;
        }
        long excess = base & (poolSize - 1);
        a.nFreePools = maxPools;
        a.firstPoolAddress = base;
        if (excess != 0) {
            // 1.4: the partial pools at both ends are lost; together exactly one POOL_SIZE.
            a.nFreePools--;
            a.firstPoolAddress += poolSize - excess;
            misalignedArenas++;
        }
        a.nTotalPools = a.nFreePools;
        emptyArenas++;
        a.nCarvedPools = 0;
        a.liveBlocks = 0;
        a.liveBlockBytes = 0;
        freePoolsTotal += a.nFreePools;
        if (arenaMap != null) {
            arenaMap.markUsed(base);
        }
        return a;
    }

    private long syntheticBase() {
        long base = nextSyntheticBase;
        nextSyntheticBase += arenaSize + poolSize;  // keep the same offset from pool boundaries
        return base;
    }

    // ---------------------------------------------------------------- free

    /** Releases a block ({@code _PyObject_Free}). */
    public void free(long block) {
        if (Block.isRaw(block)) {
            rawBlocks--;
            rawBytes -= Block.rawSize(block);
            return;
        }
        Pool pool = poolsById[Block.poolId(block)];
        ArenaObject a = pool.arena;
        int c = pool.sizeIndex;
        int s = blockSize[c];
        liveBlocksByClass[c]--;
        allocatedBlockBytes -= s;
        requestedBytes -= Block.requestedSize(block);
        a.liveBlocks--;
        a.liveBlockBytes -= s;

        // 4.2: push on the pool's free list.
        boolean wasFull = pool.freeBlock < 0;
        int b = Block.blockIndex(block);
        pool.blocks[b] = Pool.FREE | (pool.freeBlock + 1);
        pool.freeBlock = b;
        pool.count--;
        if (wasFull) {
            poolReuse.usableAgain(usedPools, c, pool);  // CPython: to the front of its class list
            return;
        }
        if (pool.count != 0) {
            return;
        }
        usedPoolsByClass[c]--;
        insertToFreepool(pool);
    }

    /**
     * 4.2 step 4 and 4.3 ({@code insert_to_freepool}): the pool is empty; a wholly free arena is unmapped if the
     * release rule says so, else the arena rule re-sorts it.
     */
    private void insertToFreepool(Pool pool) {
        Pool next = pool.nextUsed;
        Pool prev = pool.prevUsed;
        if (prev == null) {
            usedPools[pool.sizeIndex] = next;
        } else {
            prev.nextUsed = next;
        }
        if (next != null) {
            next.prevUsed = prev;
        }
        pool.nextUsed = null;
        pool.prevUsed = null;

        ArenaObject ao = pool.arena;
        poolReuse.emptied(ao, pool);
        ao.nFreePools++;
        freePoolsTotal++;
        if (ao.nFreePools == ao.nTotalPools) {
            if (arenaRelease.release(arenaSelection.isLast(ao), emptyArenas)) {
                arenaSelection.released(ao);
                releaseArena(ao);
                return;
            }
            emptyArenas++;
        }
        arenaSelection.poolReturned(ao);
    }

    /** Unmaps an arena and pushes its slot on {@code unused_arena_objects}; radix nodes stay (1.6). */
    private void releaseArena(ArenaObject ao) {
        if ((ao.address & (poolSize - 1)) != 0) {
            misalignedArenas--;
        }
        freePoolsTotal -= ao.nFreePools;
        carvedPoolsTotal -= ao.nCarvedPools;
        arenaIndex.remove(ao);
        ao.nextArena = unusedArenaObjects;
        ao.prevArena = null;
        unusedArenaObjects = ao;
        ao.address = 0;
        ao.freePools = null;
        ao.nFreePools = 0;
        ao.nTotalPools = 0;
        ao.nCarvedPools = 0;
        java.util.Arrays.fill(poolsById, ao.slot << poolIdShift, (ao.slot + 1) << poolIdShift, null);
        narenasCurrentlyAllocated--;
    }

    // ---------------------------------------------------------------- realloc and raw

    /** Resizes a block ({@code _PyObject_Realloc}, section 5) and returns its handle afterwards. */
    public long realloc(long block, long n) {
        if (Block.isRaw(block)) {
            // A raw block stays raw, even when shrunk to a small size. Sizes are at most 2^63 - 1, so only the
            // sum can overflow: then ArithmeticException, which the replay reports with the trace line.
            rawBytes = Math.addExact(rawBytes, n - Block.rawSize(block));
            return Block.raw(n);
        }
        Pool pool = poolsById[Block.poolId(block)];
        int s = blockSize[pool.sizeIndex];
        if (n <= s && 4 * n > 3 * s) {
            requestedBytes += n - Block.requestedSize(block);  // in place: same class, or shrinking by < 1/4
            pool.blocks[Block.blockIndex(block)] = (int) n;
            return Block.withRequestedSize(block, (int) n);
        }
        long moved = malloc(n);  // first the new block, then the old one is freed: never the same block
        free(block);
        return moved;
    }

    /** Serves a request pymalloc declines; an {@link ArithmeticException} when the live raw bytes pass 2^63 - 1. */
    private long rawMalloc(long n) {
        rawBytes = Math.addExact(rawBytes, n);
        rawBlocks++;
        return Block.raw(n);
    }

    // ---------------------------------------------------------------- call sites

    /**
     * Records the call site of a small block just allocated (a replay of a trace with sites calls this after each
     * allocation; nothing on the model's own paths reads or writes sites). Raw blocks have no pool and are skipped.
     */
    public void setSite(long block, int site) {
        if (Block.isRaw(block)) {
            return;
        }
        Pool pool = poolsById[Block.poolId(block)];
        int[] s = pool.sites;
        if (s == null || s.length < pool.blocks.length) {
            // First site in this pool, or the pool was re-initialized for a larger class (then it was empty).
            pool.sites = s = new int[pool.blocks.length];
        }
        s[Block.blockIndex(block)] = site;
    }

    /** Returns the call site recorded for a small block in use (0 for none or a raw block). */
    public int site(long block) {
        return Block.isRaw(block) ? 0 : poolsById[Block.poolId(block)].site(Block.blockIndex(block));
    }

    /** Returns the size-class bytes of a block: its class's block size, or 0 for a raw block. */
    public int blockBytes(long block) {
        return Block.isRaw(block) ? 0 : blockSize[poolsById[Block.poolId(block)].sizeIndex];
    }

    // ---------------------------------------------------------------- read-only views

    /** Returns the block's address in the simulated address space (arena base from the trace or synthesized). */
    public long address(long block) {
        if (Block.isRaw(block)) {
            return 0;
        }
        Pool pool = pool(block);
        return pool.firstBlock + (long) Block.blockIndex(block) * blockSize[pool.sizeIndex];
    }

    /**
     * Returns true when an arena was once mapped over a live one, which happens only when a trace is replayed
     * under another profile than its own; from then on {@link #blockAt} may miss blocks.
     */
    public boolean arenasOverlapped() {
        return arenasOverlapped;
    }

    /**
     * Returns the handle of the small block in use that starts at {@code address} in the simulated address
     * space, or {@link Block#NONE}: the arena and pool from the address, as {@code address_in_range} finds
     * them, then the block index from the offset.
     */
    public long blockAt(long address) {
        ArenaObject a = lastArena;
        long offset = address - a.firstPoolAddress;
        if (offset < 0 || offset >= (long) a.nCarvedPools << poolBits) {
            // Most lookups fall in the arena of the one before (allocation follows usable_arenas' head).
            a = arenaIndex.find(address);
            if (a == null) {
                return Block.NONE;
            }
            lastArena = a;
            offset = address - a.firstPoolAddress;
            if (offset < 0 || offset >= (long) a.nCarvedPools << poolBits) {
                return Block.NONE;
            }
        }
        int id = (a.slot << poolIdShift) | (int) (offset >>> poolBits);
        Pool pool = poolsById[id];
        int c = pool.sizeIndex;
        if (c < 0) {
            return Block.NONE;
        }
        int inPool = (int) (offset & (poolSize - 1)) - AllocatorProfile.POOL_OVERHEAD;
        int s = blockSize[c];
        // inPool / s by a multiply: exact, since inPool * s < 2^32 (pools under 1 MiB, blocks under 1 KiB).
        int b = (int) ((inPool * reciprocal[c]) >>> 32);
        if (inPool < 0 || b * s != inPool || b >= pool.nextBlock) {
            return Block.NONE;
        }
        int n = pool.blocks[b];
        return Pool.inUse(n) ? Block.small(id, b, n) : Block.NONE;
    }

    /** What {@link #forEachLiveBlock} calls back with. */
    @FunctionalInterface
    public interface BlockVisitor {
        void visit(long address, long block);
    }

    /** Calls {@code action} with the address and handle of every small block in use. */
    public void forEachLiveBlock(BlockVisitor action) {
        for (ArenaObject a : arenas) {
            for (int j = 0; a.address != 0 && j < a.nCarvedPools; j++) {
                int id = (a.slot << poolIdShift) | j;
                Pool pool = poolsById[id];
                if (pool.count == 0) {
                    continue;
                }
                int s = blockSize[pool.sizeIndex];
                long first = pool.firstBlock;
                for (int b = 0; b < pool.nextBlock; b++) {
                    int n = pool.blocks[b];
                    if (Pool.inUse(n)) {
                        action.visit(first + (long) b * s, Block.small(id, b, n));
                    }
                }
            }
        }
    }

    /** Returns carved pool {@code j} of arena {@code a} (0 &lt;= j &lt; nCarvedPools), for walking the pools. */
    public Pool pool(ArenaObject a, int j) {
        return poolsById[(a.slot << poolIdShift) | j];
    }

    /** Returns the pool a small block lives in. */
    public Pool pool(long block) {
        return poolsById[Block.poolId(block)];
    }

    public int sizeClasses() {
        return blockSize.length;
    }

    /** Returns the blocks in use of class {@code c}. */
    public long liveBlocks(int c) {
        return liveBlocksByClass[c];
    }

    /** Returns the pools of class {@code c} holding at least one block (CPython's "num pools"). */
    public int usedPools(int c) {
        return usedPoolsByClass[c];
    }

    /** Returns the first pool of {@code usedpools[c]}, or null. */
    public Pool usedPoolsHead(int c) {
        return usedPools[c];
    }

    /** Returns the arena the next pool comes from (CPython: the head of {@code usable_arenas}), or null. */
    public ArenaObject usableArenasHead() {
        return arenaSelection.next();
    }

    /** Returns the {@code arenas} vector's length ({@code maxarenas}). */
    public int maxArenas() {
        return arenas.length;
    }

    /** Returns slot {@code i} of the {@code arenas} vector. */
    public ArenaObject arena(int i) {
        return arenas[i];
    }

    /** L: requested bytes of live small blocks. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** B: bytes in allocated blocks. */
    public long allocatedBlockBytes() {
        return allocatedBlockBytes;
    }

    /** Returns the unused pools over all arenas (empty plus never carved). */
    public long freePools() {
        return freePoolsTotal;
    }

    /** Returns the pools ever carved in live arenas (touched memory, T = carved × POOL_SIZE). */
    public long carvedPools() {
        return carvedPoolsTotal;
    }

    /** Returns the allocated arenas whose base is not a pool boundary (each loses one POOL_SIZE). */
    public int misalignedArenas() {
        return misalignedArenas;
    }

    public long ntimesArenaAllocated() {
        return ntimesArenaAllocated;
    }

    public int narenasCurrentlyAllocated() {
        return narenasCurrentlyAllocated;
    }

    public int narenasHighwater() {
        return narenasHighwater;
    }

    /** Returns blocks served by the raw allocator for MEM/OBJ requests (3.9+ {@code raw_allocated_blocks}). */
    public long rawBlocks() {
        return rawBlocks;
    }

    public long rawBytes() {
        return rawBytes;
    }

    /** Returns the radix tree's mid nodes ever created (3.10+). */
    public int arenaMapMidNodes() {
        return arenaMap == null ? 0 : arenaMap.midNodes();
    }

    /** Returns the radix tree's bottom nodes ever created (3.10+). */
    public int arenaMapBotNodes() {
        return arenaMap == null ? 0 : arenaMap.botNodes();
    }
}
