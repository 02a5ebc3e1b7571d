package pyalloc.obmalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.stats.Footprint;

/**
 * One test per rule of docs/obmalloc.md, on hand-made call sequences with exact expected addresses.
 * The rules themselves are proven against the interpreters by OracleTest (every address of real runs, and
 * traces/workloads/rules.py drives each rule through ctypes); these pin each one in isolation, so that a
 * regression names the rule it broke.
 */
final class AllocatorRulesTest {
    private static final long BASE = 0x7f0000000000L;  // pool and arena aligned
    private static final AllocatorProfile P312 = Profiles.CPYTHON_3_12.profile();
    private static final AllocatorProfile P39 = Profiles.CPYTHON_3_9.profile();
    private static final AllocatorProfile P38 = Profiles.CPYTHON_3_8.profile();

    private static Allocator at(AllocatorProfile p, long... bases) {
        Allocator a = new Allocator(p);
        for (long b : bases) {
            a.offerArenaBase(b);
        }
        return a;
    }

    @Test
    void blocksAreCarvedLazilyInAddressOrderAndFreedBlocksComeBackFirst() {
        Allocator a = at(P312, BASE);
        long b0 = a.malloc(48);
        long b1 = a.malloc(40);  // same class (33..48)
        assertEquals(BASE + 48, a.address(b0));
        assertEquals(BASE + 48 + 48, a.address(b1));
        a.free(b0);
        assertEquals(BASE + 48, a.address(a.malloc(48)), "the block freed last is handed out next (LIFO)");
        assertEquals(BASE + 48 + 2 * 48, a.address(a.malloc(48)), "then carving resumes");
    }

    @Test
    void aFullPoolThatGetsAFreeBlockGoesToTheFrontOfUsedpools() {
        Allocator a = at(P312, BASE);
        int perPool = P312.blocksPerPool(2);  // 340 blocks of 48 bytes in a 16 KiB pool
        List<Long> first = new ArrayList<>();
        for (int i = 0; i < perPool; i++) {
            first.add(a.malloc(48));
        }
        long second = a.malloc(48);
        assertEquals(BASE + 16384 + 48, a.address(second), "pool 0 is full: the next block opens pool 1");
        a.free(first.get(100));
        assertEquals(a.address(first.get(100)), a.address(a.malloc(48)),
                "pool 0 stopped being full, went to the front, and serves the next request");
    }

    @Test
    void anEmptiedPoolKeepsItsFreeListForItsOldClassAndRestartsForAnother() {
        Allocator a = at(P312, BASE);
        long x = a.malloc(100);
        long y = a.malloc(100);
        long z = a.malloc(100);
        a.free(x);
        a.free(z);
        a.free(y);  // pool empty; its free list is y, z, x (most recent first)
        assertEquals(a.address(y), a.address(a.malloc(112)), "same class: the block freed last comes first");

        Allocator b = at(P312, BASE);
        long u = b.malloc(100);
        b.free(u);
        assertEquals(BASE + 48, b.address(b.malloc(20)), "another class re-initialises the pool at block 0");
    }

    @Test
    void emptyPoolsAreReusedBeforeNeverCarvedOnesMostRecentFirst() {
        Allocator a = at(P312, BASE);
        long p0 = a.malloc(16);
        long p1 = a.malloc(32);
        long p2 = a.malloc(48);
        a.free(p0);
        a.free(p2);  // pools 0 and 2 empty; 2 emptied last
        assertEquals(BASE + 2 * 16384 + 48, a.address(a.malloc(64)), "pool 2 is on top of freepools");
        assertEquals(BASE + 48, a.address(a.malloc(80)), "then pool 0, before carving pool 3");
        assertEquals(BASE + 16384 + 48, a.address(p1), "pool 1 kept its block (a pool's first block is at base + 48)");
        assertEquals(BASE + 3 * 16384 + 48, a.address(a.malloc(96)), "no empty pool left: pool 3 is carved");
    }

    @Test
    void wholeFreeArenaIsReleasedUpTo38AndKeptWhenLastFrom39() {
        Allocator old = at(P38);
        old.free(old.malloc(16));
        assertEquals(0, old.narenasCurrentlyAllocated(), "3.8 releases every wholly free arena");
        assertEquals(1, old.ntimesArenaAllocated());

        Allocator kept = at(P39);
        kept.free(kept.malloc(16));
        assertEquals(1, kept.narenasCurrentlyAllocated(), "3.9+ keeps it: it is the last of usable_arenas (bpo-37257)");
    }

    @Test
    void from39OnlyTheLastEmptyArenaIsKept() {
        Allocator a = at(P39);
        int perArena = 64 * P39.blocksPerPool(31);  // 7 blocks of 512 per 4 KiB pool
        List<Long> first = new ArrayList<>();
        for (int i = 0; i < perArena; i++) {
            first.add(a.malloc(512));
        }
        long second = a.malloc(512);  // opens arena 2
        assertEquals(2, a.narenasCurrentlyAllocated());
        for (long b : first) {
            a.free(b);  // arena 1 becomes wholly free while arena 2 is usable and after it: released
        }
        assertEquals(1, a.narenasCurrentlyAllocated());
        a.free(second);
        assertEquals(1, a.narenasCurrentlyAllocated(), "arena 2 is now the last one: kept");
    }

    /** Fills arena after arena with 512-byte blocks (one pool = 7 blocks in 3.9), returning them by pool. */
    private static List<List<Long>> fillPools(Allocator a, int pools) {
        List<List<Long>> out = new ArrayList<>();
        for (int p = 0; p < pools; p++) {
            List<Long> pool = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                pool.add(a.malloc(512));
            }
            out.add(pool);
        }
        return out;
    }

    @Test
    void anArenaReachingACountGoesBeforeTheArenasAlreadyAtThatCount() {
        long arenaA = BASE;
        long arenaB = BASE + (1L << 30);
        long arenaC = BASE + (2L << 30);
        Allocator a = at(P39, arenaA, arenaB, arenaC);
        List<List<Long>> pools = fillPools(a, 129);  // arenas A and B full, one pool in C
        // Free two pools of A, then two of B: B reaches 2 after A did, so B goes before A.
        for (int p : new int[] {0, 1, 64, 65}) {
            pools.get(p).forEach(a::free);
        }
        ArenaObject head = a.usableArenasHead();
        assertEquals(arenaB, head.address(), "B reached 2 free pools last: it sits before A (ties: most recent first)");
        assertEquals(arenaA, head.nextUsable().address());
        long next = a.malloc(512 - 1);  // a class with no used pool: takes a pool from the head arena
        assertTrue(a.address(next) >= arenaB && a.address(next) < arenaB + P39.arenaSize(), "served from B");
    }

    @Test
    void reallocStaysInPlaceWithinTheClassOrWhenShrinkingByLessThanAQuarter() {
        Allocator a = at(P312, BASE);
        long b = a.malloc(100);  // class of 112
        long grown = a.realloc(b, 112);
        assertEquals(a.address(b), a.address(grown), "same class: in place");
        long shrunk = a.realloc(grown, 85);  // 4 * 85 > 3 * 112: in place
        assertEquals(a.address(b), a.address(shrunk));
        long moved = a.realloc(shrunk, 84);  // 4 * 84 = 3 * 112: moves
        assertEquals(BASE + 16384 + 48, a.address(moved), "to class 5 (96 bytes), the first block of a new pool 1");
        assertEquals(84, Block.requestedSize(moved));
    }

    @Test
    void reallocTakesTheNewBlockBeforeFreeingTheOld() {
        Allocator a = at(P312, BASE);
        long only = a.malloc(200);  // the pool's only block
        long moved = a.realloc(only, 20);
        assertEquals(BASE + 16384 + 48, a.address(moved),
                "pool 0 was still in use when the new block was taken, so it came from a new pool 1"
                        + " (freeing first would have emptied pool 0 and reused it: BASE + 48)");
        assertEquals(0, a.usedPools(12), "then the old block was freed and its pool emptied");
    }

    @Test
    void reallocToZeroAndPastTheThresholdGoRawAndRawBlocksStayRaw() {
        Allocator a = at(P312, BASE);
        assertTrue(Block.isRaw(a.realloc(a.malloc(64), 0)), "realloc(p, 0) is a raw malloc(1)");
        assertTrue(Block.isRaw(a.realloc(a.malloc(64), 513)));
        long raw = a.malloc(4000);
        assertTrue(Block.isRaw(raw));
        assertTrue(Block.isRaw(a.realloc(raw, 16)), "a raw block never moves back to pymalloc");
        assertTrue(Block.isRaw(a.malloc(0)), "0 bytes go raw");
        assertTrue(!Block.isRaw(a.malloc(512)), "exactly 512 is still pymalloc");
        assertEquals(4, a.rawBlocks());
    }

    @Test
    void aPageAlignedArenaLosesOnePoolFrom310() {
        Allocator misaligned = at(P312, BASE + 4096);
        misaligned.malloc(16);
        assertEquals(63, misaligned.arena(0).nTotalPools());
        assertEquals(BASE + 16384 + 48, misaligned.address(misaligned.malloc(16)) - 16,
                "the first pool starts at the next 16 KiB boundary");
        assertEquals(16384, Footprint.of(misaligned).alignmentBytes());

        Allocator aligned = at(P312, BASE);
        aligned.malloc(16);
        assertEquals(64, aligned.arena(0).nTotalPools());
        assertEquals(0, Footprint.of(aligned).alignmentBytes());

        Allocator synthesized = new Allocator(P312);
        synthesized.malloc(16);
        assertEquals(63, synthesized.arena(0).nTotalPools(), "without arena rows, bases are page aligned");
        Allocator whatIf = new Allocator(P312.toBuilder().poolAlignedArenas(true).build());
        whatIf.malloc(16);
        assertEquals(64, whatIf.arena(0).nTotalPools());
    }

    @Test
    void radixNodesAreCountedPerSlotAndNeverFreed() {
        Allocator a = at(Profiles.CPYTHON_3_10.profile(), BASE + 4096, BASE + (1L << 40));
        long first = a.malloc(16);
        assertEquals(1, a.arenaMapMidNodes());
        assertEquals(1, a.arenaMapBotNodes(), "base and end slot share their nodes");
        List<Long> fill = new ArrayList<>();
        for (int i = 0; i < 63 * 1021; i++) {
            fill.add(a.malloc(16));  // fills arena 1, so the next block maps arena 2, 1 TiB away
        }
        assertEquals(2, a.narenasCurrentlyAllocated());
        assertEquals(2, a.arenaMapMidNodes(), "bits 38-47 differ: a new mid node (3.10: 48-bit tree)");
        a.free(first);
        fill.forEach(a::free);
        assertEquals(2, a.arenaMapBotNodes(), "nodes stay after arenas go");
    }

    @Test
    void statisticsIdentityHoldsAndCountersReturnToEmpty() {
        Allocator a = at(P312);
        List<Long> live = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            live.add(a.malloc(1 + (i * 37) % 512));
        }
        Footprint f = Footprint.of(a);
        assertEquals(f.arenaBytes(), f.sumOfParts(), "M = B + F + E + Hd + Q + A");
        live.forEach(a::free);
        assertEquals(0, a.requestedBytes());
        assertEquals(0, a.allocatedBlockBytes());
        assertEquals(1, a.narenasCurrentlyAllocated(), "3.12 keeps the last empty arena");
    }

    @Test
    void theLargestWhatIfPoolHoldsAllItsBlocks() {
        // 1 MiB pools of 8-byte blocks: 131,066 blocks, more than 16 bits can index.
        AllocatorProfile p = P312.toBuilder().alignment(8).poolSize(1 << 20).arenaSize(1 << 22).build();
        int perPool = p.blocksPerPool(0);
        assertEquals(131_066, perPool);
        Allocator a = at(p, BASE);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < perPool; i++) {
            blocks.add(a.malloc(8));
        }
        long last = blocks.get(perPool - 1);
        assertEquals(BASE + 48 + 8L * (perPool - 1), a.address(last));
        assertEquals(1, a.usedPools(0), "all in the first pool");
        assertTrue(Block.sameBlock(last, a.blockAt(a.address(last))), "found again by address");
        a.free(last);
        a.free(blocks.get(70_000));
        assertEquals(Block.NONE, a.blockAt(a.address(last)), "a free block is found by no address");
        assertEquals(BASE + 48 + 8L * 70_000, a.address(a.malloc(8)), "LIFO, past index 65535");
        assertEquals(BASE + 48 + 8L * (perPool - 1), a.address(a.malloc(8)));
        assertEquals(8L * perPool, a.requestedBytes());
    }

    @Test
    void everyBlockIsFoundByItsAddressInArenasNearAndFar() {
        // Page-aligned arenas, each over two ARENA_SIZE windows: two side by side, and one 1 TiB away.
        long near = BASE + 4096;
        long next = near + (1 << 20);
        long far = BASE + (1L << 40) + 4096;
        Allocator a = at(P312, near, next, far);
        int perArena = 63 * P312.blocksPerPool(0);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 3 * perArena; i++) {
            blocks.add(a.malloc(16));
        }
        assertEquals(3, a.narenasCurrentlyAllocated());
        assertEquals((far + 16383 & ~16383L) + 48, a.address(blocks.get(2 * perArena)), "the far arena's first block");
        for (long b : blocks) {
            assertTrue(Block.sameBlock(b, a.blockAt(a.address(b))));
        }
        assertEquals(Block.NONE, a.blockAt(near), "the partial pool before the first pool boundary");
        assertEquals(Block.NONE, a.blockAt(far + (1 << 20)), "just past the far arena");
        assertEquals(Block.NONE, a.blockAt(0x560000001000L), "no arena there");
        long last = blocks.get(perArena - 1);  // in the near arena's last pool, in the window of the next arena
        a.free(last);
        assertEquals(Block.NONE, a.blockAt(a.address(last)), "freed");
        assertTrue(Block.sameBlock(blocks.get(perArena), a.blockAt(a.address(blocks.get(perArena)))));
    }

    @Test
    void anArenaMappedOverALiveOneIsNoticed() {
        // Only a replay under another profile than the trace's can hand the model such a base.
        Allocator a = at(P312, BASE, BASE + 4096);
        for (int i = 0; i < 64 * P312.blocksPerPool(0); i++) {
            a.malloc(16);
        }
        assertEquals(false, a.arenasOverlapped());
        a.malloc(16);
        assertEquals(2, a.narenasCurrentlyAllocated());
        assertTrue(a.arenasOverlapped());
    }
}
