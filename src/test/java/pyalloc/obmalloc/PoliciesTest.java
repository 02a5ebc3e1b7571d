package pyalloc.obmalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;

/**
 * The what-if policies against CPython's rules, on hand-made call sequences where they part. Every expected number
 * is worked out by hand from the rule's definition (README, "Policies"), in the comments; CPython's rules themselves
 * are proven against the interpreters by OracleTest and pinned rule by rule by AllocatorRulesTest.
 *
 * <p>The profile is 3.9's: 4 KiB pools of 512-byte blocks hold 7 blocks ((4096 - 48) / 512), 64 pools make a
 * 256 KiB arena; the bases given are pool aligned, so no arena loses a pool.
 */
final class PoliciesTest {
    private static final long A = 0x7f0000000000L;
    private static final long B = A + (1L << 30);
    private static final long C = A + (2L << 30);
    private static final int POOL = 4096;
    private static final AllocatorProfile P39 = Profiles.CPYTHON_3_9.profile();
    private static final AllocatorProfile P38 = Profiles.CPYTHON_3_8.profile();

    private static Allocator at(AllocatorProfile p, Policies policies, long... bases) {
        Allocator a = new Allocator(p, policies);
        for (long b : bases) {
            a.offerArenaBase(b);
        }
        return a;
    }

    private static Policies arenas(String rule) {
        return Policies.of(rule, "cpython", "cpython");
    }

    private static Policies release(String rule) {
        return Policies.of("cpython", rule, "cpython");
    }

    private static Policies pools(String rule) {
        return Policies.of("cpython", "cpython", rule);
    }

    @Test
    void cpythonsRulesAreTheDefaultAndNamingThemChangesNothing() {
        assertEquals(Policies.CPYTHON, Policies.of("cpython", "cpython", "cpython"));
        assertEquals(ArenaSelectionRule.CPYTHON, Policies.CPYTHON.arenaSelection());
        assertEquals(ArenaReleaseRule.CPYTHON, Policies.CPYTHON.arenaRelease());
        assertEquals(PoolReuseRule.CPYTHON, Policies.CPYTHON.poolReuse());
        assertEquals("cpython-3.9", new Allocator(P39).profile().id(), "no policy named: the profile as it is");
        assertTrue(new Allocator(P39).usableArenasHead() == null);
        // 3.9's own release rule is keep-last, 3.8's is all: named, they are CPython's and add nothing to the id.
        assertEquals("cpython-3.9", new Allocator(P39, release("keep-last")).profile().id());
        assertEquals("cpython-3.8", new Allocator(P38, release("all")).profile().id());
        assertEquals("cpython-3.8+release-keep-last", new Allocator(P38, release("keep-last")).profile().id());
        assertEquals("cpython-3.9+arenas-address-ordered+release-keep-4+pools-address-ordered",
                new Allocator(P39, Policies.of("address-ordered", "keep-4", "address-ordered")).profile().id());
    }

    @Test
    void unknownPolicyNamesSayWhatIsKnown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arenas("first-fit"));
        assertEquals("unknown arena policy 'first-fit' (expected cpython, address-ordered, least-used-first)",
                e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> release("keep-0")).getMessage()
                .startsWith("unknown release policy 'keep-0' (expected cpython, all, keep-last, keep-N, N from 1"));
        assertThrows(IllegalArgumentException.class, () -> release("keep-x"));
        assertThrows(IllegalArgumentException.class, () -> pools("fifo"));
    }

    /**
     * Arenas A, B, C (in that address order) with 129 pools of 512-byte blocks: A and B full, one pool in C. Then
     * pools 0 and 1 of A and pool 5 of B are emptied, so A has 2 free pools, B 1 and C 63. The next request of a
     * class with no used pool takes a new pool from the arena the rule names.
     */
    private static long nextPoolAfterEmptying(Policies policies) {
        Allocator a = at(P39, policies, A, B, C);
        List<List<Long>> pools = fillPools(a, 129);
        for (int p : new int[] {0, 1, 64 + 5}) {
            pools.get(p).forEach(a::free);
        }
        return a.address(a.malloc(496));  // class 30: no pool of it is in use
    }

    @Test
    void arenaSelectionPicksTheMostUsedTheLowestOrTheLeastUsedArena() {
        // CPython: the fewest free pools first, B (1 free) before A (2) and C (63); B's emptied pool 5.
        assertEquals(B + 5 * POOL + 48, nextPoolAfterEmptying(Policies.CPYTHON));
        // Address order: A is the lowest arena with a free pool; its freepools stack has pool 1 on top (emptied last).
        assertEquals(A + POOL + 48, nextPoolAfterEmptying(arenas("address-ordered")));
        // Least used first: C has the most free pools; it has none emptied, so its next never-carved pool, pool 1.
        assertEquals(C + POOL + 48, nextPoolAfterEmptying(arenas("least-used-first")));
    }

    @Test
    void leastUsedFirstTakesPoolsFromTheEmptiestArenaWhereCPythonFillsTheFullest() {
        // Arena A full (64 pools) and one pool in B; A's pools 0..31 emptied: A has 32 free pools, B 63. Then 32
        // pools of 512-byte blocks are taken again (7 blocks each; no pool of the class is partially used).
        for (String rule : new String[] {"cpython", "least-used-first"}) {
            Allocator a = at(P39, arenas(rule), A, B);
            List<List<Long>> pools = fillPools(a, 65);
            for (int p = 0; p < 32; p++) {
                pools.get(p).forEach(a::free);
            }
            long inB = fillPools(a, 32).stream().flatMap(List::stream).filter(b -> a.address(b) >= B).count();
            if (rule.equals("cpython")) {
                // Fewest free pools first: A (32 < 63) serves, its count only falls: all 32 pools from A.
                assertEquals(0, inB, rule);
            } else {
                // Most free pools first: B serves while it has more than A's 32: at 63, 62, ..., 33, 31 pools; then
                // B has 32 = A's 32, and the arena placed last (B, just re-sorted) comes first: a 32nd pool from B.
                assertEquals(32 * 7, inB, rule);
            }
        }
    }

    @Test
    void releaseAllUnmapsEveryEmptyArenaAndKeepLastKeepsTheLastOne() {
        // 3.9 with 'all': the one arena becomes wholly free and is unmapped, as 3.8 does.
        Allocator all = at(P39, release("all"));
        all.free(all.malloc(16));
        assertEquals(0, all.narenasCurrentlyAllocated());
        // 3.8 with 'keep-last': the wholly free arena is the last (the only one) of the order: kept, as 3.9 does.
        Allocator keep = at(P38, release("keep-last"));
        keep.free(keep.malloc(16));
        assertEquals(1, keep.narenasCurrentlyAllocated());
    }

    /** The loop bpo-37257 stopped: with arena A full, each iteration opens arena B for one block and frees it. */
    private static Allocator thrash(Policies policies) {
        Allocator a = at(P39, policies);
        fillPools(a, 64);
        for (int i = 0; i < 10; i++) {
            a.free(a.malloc(512));
        }
        return a;
    }

    @Test
    void releasingEveryEmptyArenaThrashesAndKeepingOneDoesNot() {
        // all: B is mapped and unmapped on each of the 10 iterations, 1 + 10 arenas mapped in total.
        assertEquals(11, thrash(release("all")).ntimesArenaAllocated());
        // CPython 3.9 (keep-last): B, the last of usable_arenas, is kept after the first iteration: 2 in total.
        assertEquals(2, thrash(Policies.CPYTHON).ntimesArenaAllocated());
        assertEquals(2, thrash(release("keep-1")).ntimesArenaAllocated());
    }

    /**
     * Arena A full (448 blocks), one block in arena B; A's blocks are freed, then B's. Returns the arenas mapped
     * after each step; the allocator goes to {@code out[0]}.
     */
    private static int[] emptyBothArenas(Policies policies, Allocator... out) {
        Allocator a = at(P39, policies, A, B);
        if (out.length > 0) {
            out[0] = a;
        }
        List<Long> first = new ArrayList<>();
        for (int i = 0; i < 64 * 7; i++) {
            first.add(a.malloc(512));
        }
        long second = a.malloc(512);
        first.forEach(a::free);
        int afterA = a.narenasCurrentlyAllocated();
        a.free(second);
        return new int[] {afterA, a.narenasCurrentlyAllocated()};
    }

    @Test
    void keepNKeepsEmptyArenasWhereverTheySitUpToN() {
        // keep-last (CPython 3.9): A empties while B follows it in usable_arenas: unmapped, though no empty arena is
        // kept; then B empties as the last: kept. 1, then 1.
        int[] cpython = emptyBothArenas(Policies.CPYTHON);
        assertEquals(1, cpython[0]);
        assertEquals(1, cpython[1]);
        // keep-1: A empties, no other empty arena: kept (2); B empties while A is kept empty: 1 >= 1, unmapped (1).
        int[] keep1 = emptyBothArenas(release("keep-1"));
        assertEquals(2, keep1[0]);
        assertEquals(1, keep1[1]);
        // keep-2: both kept.
        int[] keep2 = emptyBothArenas(release("keep-2"));
        assertEquals(2, keep2[0]);
        assertEquals(2, keep2[1]);
        // all: both unmapped.
        int[] all = emptyBothArenas(release("all"));
        assertEquals(1, all[0]);
        assertEquals(0, all[1]);
    }

    @Test
    void keepLastWithAddressOrderKeepsTheHighestArena() {
        // Address order: A (lower) before B. A empties while B follows it: not last, unmapped; B empties: last, kept.
        Allocator[] a = new Allocator[1];
        int[] r = emptyBothArenas(Policies.of("address-ordered", "keep-last", "cpython"), a);
        assertEquals(1, r[0]);
        assertEquals(1, r[1]);
        long kept = 0;
        for (int i = 0; i < a[0].maxArenas(); i++) {
            kept += a[0].arena(i).address();  // 0 for unmapped slots
        }
        assertEquals(B, kept);
    }

    @Test
    void addressOrderedPoolReuseServesTheLowestPartiallyUsedPool() {
        // 16-byte blocks: 253 per 4 KiB pool. Pools 0, 1, 2 filled; one block freed in pool 0, then one in pool 2.
        for (String rule : new String[] {"cpython", "address-ordered"}) {
            Allocator a = at(P39, pools(rule), A);
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 3 * 253; i++) {
                blocks.add(a.malloc(16));
            }
            long inPool0 = blocks.get(10);
            long inPool2 = blocks.get(2 * 253 + 10);
            a.free(inPool0);
            a.free(inPool2);
            long next = a.address(a.malloc(16));
            // LIFO: pool 2 stopped being full last, went to the front: its block A + 2*4096 + 48 + 10*16.
            // Address order: pool 0 is the lowest partially used pool: A + 48 + 10*16.
            assertEquals(rule.equals("cpython") ? A + 2 * POOL + 48 + 160 : A + 48 + 160, next, rule);
        }
    }

    @Test
    void addressOrderedPoolReuseReusesTheLowestEmptyPool() {
        // Pools 0, 1, 2 of classes 16, 32 and 48 bytes; pool 0 emptied first, then pool 2.
        for (String rule : new String[] {"cpython", "address-ordered"}) {
            Allocator a = at(P39, pools(rule), A);
            long p0 = a.malloc(16);
            a.malloc(32);
            long p2 = a.malloc(48);
            a.free(p0);
            a.free(p2);
            long next = a.address(a.malloc(64));  // a class with no pool: an empty pool of the arena
            // LIFO: pool 2, emptied last, is on top of freepools: A + 2*4096 + 48. Address order: pool 0: A + 48.
            assertEquals(rule.equals("cpython") ? A + 2 * POOL + 48 : A + 48, next, rule);
        }
    }

    /** Fills pool after pool with 512-byte blocks (7 a pool), returning them by pool. */
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
}
