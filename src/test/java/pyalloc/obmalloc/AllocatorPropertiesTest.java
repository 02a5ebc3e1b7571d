package pyalloc.obmalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.stats.Footprint;

/**
 * Invariants of the model after every event of random traces, on every profile and on what-if profiles
 * with tiny arenas (so that arenas fill, empty, tie and are released all the time). The checks walk the pools
 * themselves, independently of the incremental counters the statistics use. jqwik prints the seed of any
 * failure; rerun it with {@code @Property(seed = "...")}.
 */
final class AllocatorPropertiesTest {

    /** One step of a random trace: which live block it touches (an index into the live list) and a size. */
    record Action(int kind, int index, int size) {
    }

    @Provide
    Arbitrary<AllocatorProfile> profiles() {
        List<AllocatorProfile> all = new ArrayList<>();
        for (Profiles p : Profiles.values()) {
            all.add(p.profile());
            all.add(p.profile().toBuilder().arenaSize(p.profile().poolSize() * 4).build());  // 4 pools per arena
        }
        all.add(Profiles.CPYTHON_3_8.profile().toBuilder().alignment(8).arenaSize(8192).build());
        return Arbitraries.of(all);
    }

    @Provide
    Arbitrary<List<Action>> traces() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 512)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0, 16, 17, 511, 512, 513, 1000)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(480, 490, 500)));
        Arbitrary<Action> action = Combinators.combine(Arbitraries.frequency(
                net.jqwik.api.Tuple.of(5, 0), net.jqwik.api.Tuple.of(4, 1), net.jqwik.api.Tuple.of(2, 2)),
                Arbitraries.integers().between(0, 1 << 20), size).as(Action::new);
        return action.list().ofMinSize(1).ofMaxSize(600);
    }

    @Provide
    Arbitrary<Policies> policies() {
        return Combinators.combine(Arbitraries.of(ArenaSelectionRule.values()),
                Arbitraries.of("cpython", "all", "keep-last", "keep-1", "keep-2", "keep-3"),
                Arbitraries.of(PoolReuseRule.values()))
                .as((a, r, p) -> Policies.of(a.id(), r, p.id()));
    }

    @Property(tries = 1000)
    void invariantsHoldAfterEveryEventAndFreeingAllEmptiesTheAllocator(
            @ForAll("profiles") AllocatorProfile profile, @ForAll("traces") List<Action> trace) {
        Allocator a = new Allocator(profile);
        run(a, trace, Policies.CPYTHON);
        assertTrue(a.narenasCurrentlyAllocated() <= (profile.keepLastEmptyArena() ? 1 : 0),
                "empty state: no arena up to 3.8, at most the last one kept from 3.9");
    }

    /** The same invariants under every what-if policy; at the end, only the empty arenas the release rule keeps. */
    @Property(tries = 400)
    void invariantsHoldUnderEveryPolicy(@ForAll("profiles") AllocatorProfile profile,
            @ForAll("policies") Policies policies, @ForAll("traces") List<Action> trace) {
        Allocator a = new Allocator(profile, policies);
        Policies own = policies.canonical(profile);
        run(a, trace, own);
        assertTrue(a.narenasCurrentlyAllocated() <= keptEmpty(own, profile), "empty state under " + own);
    }

    /**
     * Returns how many wholly free arenas the release rule may keep. Keeping the last of the order keeps one under
     * CPython's order, where a wholly free arena sorts last (with arenas of equal pool counts, as here); under
     * another order several may each be last when they empty.
     */
    private static int keptEmpty(Policies p, AllocatorProfile profile) {
        boolean keepLast = p.arenaRelease() == ArenaReleaseRule.KEEP_LAST
                || p.arenaRelease() == ArenaReleaseRule.CPYTHON && profile.keepLastEmptyArena();
        if (keepLast) {
            return p.arenaSelection() == ArenaSelectionRule.CPYTHON ? 1 : Integer.MAX_VALUE;
        }
        return p.arenaRelease() == ArenaReleaseRule.KEEP ? p.keepArenas() : 0;
    }

    private static void run(Allocator a, List<Action> trace, Policies policies) {
        List<Long> live = new ArrayList<>();
        for (Action act : trace) {
            if (act.kind() == 0 || live.isEmpty()) {
                live.add(a.malloc(act.size()));
            } else if (act.kind() == 1) {
                a.free(live.remove(act.index() % live.size()));
            } else {
                int i = act.index() % live.size();
                live.set(i, a.realloc(live.get(i), act.size()));
            }
            check(a, live, policies);
        }
        for (long b : live) {
            a.free(b);
            check(a, List.of(), policies);
        }
        assertEquals(0, a.requestedBytes());
        assertEquals(0, a.allocatedBlockBytes());
        assertEquals(0, a.rawBlocks());
        for (int c = 0; c < a.sizeClasses(); c++) {
            assertEquals(0, a.usedPools(c));
        }
    }

    private static void check(Allocator a, List<Long> live, Policies policies) {
        boolean cpython = policies.equals(Policies.CPYTHON);
        AllocatorProfile p = a.profile();
        Footprint f = Footprint.of(a);
        assertEquals(f.arenaBytes(), f.sumOfParts(), "M = B + F + E + Hd + Q + A");

        // Walk every pool of every arena and recount.
        long[] liveByClass = new long[a.sizeClasses()];
        int[] poolsByClass = new int[a.sizeClasses()];
        int arenas = 0;
        long freePools = 0;
        int empty = 0;
        for (int i = 0; i < a.maxArenas(); i++) {
            ArenaObject ao = a.arena(i);
            if (!ao.isAllocated()) {
                continue;
            }
            arenas++;
            int emptyPools = 0;
            long blocks = 0;
            for (int j = 0; j < ao.nCarvedPools(); j++) {
                Pool pool = a.pool(ao, j);
                if (pool.count() == 0) {
                    emptyPools++;
                    continue;
                }
                int c = pool.sizeIndex();
                poolsByClass[c]++;
                liveByClass[c] += pool.count();
                blocks += pool.count();
                int nb = p.blocksPerPool(c);
                assertEquals(pool.nextBlock() - pool.count(), pool.freeListLength(),
                        "carved blocks = blocks in use + free list");
                assertTrue(pool.nextBlock() <= nb);
            }
            assertEquals(ao.nTotalPools() - ao.nCarvedPools() + emptyPools, ao.nFreePools(), "nfreepools");
            assertEquals(blocks, ao.liveBlocks());
            assertTrue(!cpython || ao.nFreePools() < ao.nTotalPools() || !p.keepLastEmptyArena()
                    || ao.nextUsable() == null, "a wholly free arena is kept only as the last of usable_arenas");
            if (ao.nFreePools() == ao.nTotalPools()) {
                empty++;
            }
            freePools += ao.nFreePools();
        }
        assertEquals(arenas, a.narenasCurrentlyAllocated());
        assertTrue(empty <= keptEmpty(policies, p), empty + " wholly free arenas under " + policies);
        assertEquals(freePools, a.freePools());
        for (int c = 0; c < a.sizeClasses(); c++) {
            assertEquals(liveByClass[c], a.liveBlocks(c), "class " + c);
            assertEquals(poolsByClass[c], a.usedPools(c), "class " + c);
        }

        // usedpools[c]: exactly the pools of class c with some blocks in use and some available.
        for (int c = 0; c < a.sizeClasses(); c++) {
            int listed = 0;
            for (Pool pool = a.usedPoolsHead(c); pool != null; pool = pool.nextUsed) {
                assertEquals(c, pool.sizeIndex());
                assertTrue(pool.count() > 0 && pool.count() < p.blocksPerPool(c), "only partially used pools");
                listed++;
            }
            long partial = 0;
            for (int i = 0; i < a.maxArenas(); i++) {
                ArenaObject ao = a.arena(i);
                for (int j = 0; ao.isAllocated() && j < ao.nCarvedPools(); j++) {
                    Pool pool = a.pool(ao, j);
                    if (pool.sizeIndex() == c && pool.count() > 0 && pool.count() < p.blocksPerPool(c)) {
                        partial++;
                    }
                }
            }
            assertEquals(partial, listed, "every partially used pool of class " + c + " is on usedpools");
        }

        // No block is handed out twice.
        Set<Long> addresses = new HashSet<>();
        for (long b : live) {
            if (!Block.isRaw(b)) {
                assertTrue(addresses.add(a.address(b)), "block handed out twice");
            }
        }

        // usable_arenas: sorted ascending, exactly the arenas with a free pool.
        if (!cpython) {
            // The what-if orders keep their own structures (SortedArenas): the next pool comes from an arena with one.
            ArenaObject head = a.usableArenasHead();
            assertTrue(head == null ? a.freePools() == 0 : head.isAllocated() && head.nFreePools() > 0);
            return;
        }
        int usable = 0;
        int last = -1;
        for (ArenaObject x = a.usableArenasHead(); x != null; x = x.nextUsable()) {
            assertTrue(x.nFreePools() > 0 && x.nFreePools() >= last, "usable_arenas sorted by nfreepools");
            last = x.nFreePools();
            usable++;
        }
        int withFree = 0;
        for (int i = 0; i < a.maxArenas(); i++) {
            if (a.arena(i).isAllocated() && a.arena(i).nFreePools() > 0) {
                withFree++;
            }
        }
        assertEquals(withFree, usable);

    }
}
